"""Numbers and dates read from a query string, an id in a URL, or a filter.

Every integer a request names is compared with a database column, so it must fit the
64-bit signed range both databases store (beyond it SQLite raises ``OverflowError`` and
PostgreSQL ``NumericValueOutOfRange``). Every date, week, month or period a request names
must lie in the years KAM supports, so that the calendar arithmetic around it (the week
after, the quarter before) stays within what ``datetime.date`` can hold.

A value that is not a number or not a date at all is ignored, as the lists always did
(a stale bookmark still opens the page); a well-formed value out of range is refused
with :class:`ParameterOutOfRange`, a 400 that names the parameter on the API and on the
pages alike (``kam.core.errors.bad_request``, ``kam.api.errors.exception_handler``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _

# The largest id or integer filter a request may name: PostgreSQL's and SQLite's bigint.
MAX_ID = 2**63 - 1
# The years a date, week, month or period parameter may name.
FIRST_YEAR = 1900
LAST_YEAR = 2200


class ParameterOutOfRange(BadRequest):
    """A well-formed number or date beyond what KAM supports; answers 400."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def id_in_range(value: int) -> bool:
    return 0 <= value <= MAX_ID


def year_in_range(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def out_of_range_number(name: str) -> ParameterOutOfRange:
    return ParameterOutOfRange(
        name,
        _("“%(name)s” is too large: a number up to %(max)s is accepted.")
        % {"name": name, "max": MAX_ID},
    )


def out_of_range_year(name: str) -> ParameterOutOfRange:
    return ParameterOutOfRange(
        name,
        _("“%(name)s” names a year KAM does not support: write one from %(first)s to %(last)s.")
        % {"name": name, "first": FIRST_YEAR, "last": LAST_YEAR},
    )


def parse_int(raw: Any, name: str) -> int | None:
    """A non-negative integer, or ``None`` when ``raw`` is empty or not digits.

    Digits beyond the 64-bit range raise :class:`ParameterOutOfRange`.
    """
    text = str(raw if raw is not None else "").strip()
    if not text.isdigit() or not text.isascii():
        return None
    value = int(text)
    if not id_in_range(value):
        raise out_of_range_number(name)
    return value


def query_int(params: Any, name: str) -> int | None:
    """``parse_int`` of the parameter ``name`` of a query dict (GET, POST or a plain dict)."""
    return parse_int(params.get(name, ""), name)


def check_year(year: int, name: str) -> int:
    """``year`` if KAM supports it, else :class:`ParameterOutOfRange` naming ``name``."""
    if not year_in_range(year):
        raise out_of_range_year(name)
    return year


def parse_date(raw: Any, name: str) -> date | None:
    """An ISO date (``2026-11-26``), or ``None`` when ``raw`` is empty or no date.

    A date outside the supported years raises :class:`ParameterOutOfRange`.
    """
    try:
        day = date.fromisoformat(str(raw if raw is not None else "").strip())
    except ValueError:
        return None
    check_year(day.year, name)
    return day


def query_date(params: Any, name: str) -> date | None:
    """``parse_date`` of the parameter ``name`` of a query dict."""
    return parse_date(params.get(name, ""), name)


class IdConverter:
    """``<id:pk>`` in a URL: a database id, so one beyond the 64-bit range is no match.

    Django's ``<int:…>`` accepts any run of digits and the view's query then overflows;
    this converter refuses such a path before any view runs, which answers 404 (an id
    out of range names nothing). Registered once in ``kam.core.apps``.
    """

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not id_in_range(number):
            raise ValueError(value)
        return number

    def to_url(self, value: int | str) -> str:
        return str(int(value))
