"""Calendar periods of the forecast: a year, a quarter, a month, an ISO week.

Pure values: parsing, bounds and neighbours; no database. Keys read the way
people write them: ``2026``, ``2026-Q4``, ``2026-11``, ``2026-W47``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kam.core.params import check_year

MONTH = "month"
QUARTER = "quarter"
YEAR = "year"
KINDS = (MONTH, QUARTER, YEAR)

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Period:
    """A month, quarter or year: inclusive ``start`` and ``end`` dates."""

    start: date
    end: date
    kind: str

    @property
    def key(self) -> str:
        if self.kind == YEAR:
            return f"{self.start.year}"
        if self.kind == QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"

    def __str__(self) -> str:
        return self.key

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @classmethod
    def of(cls, kind: str, day: date) -> Period:
        """The period of ``kind`` that contains ``day``."""
        if kind == YEAR:
            return cls(date(day.year, 1, 1), date(day.year, 12, 31), YEAR)
        if kind == QUARTER:
            first = (day.month - 1) // 3 * 3 + 1
            return cls(date(day.year, first, 1), _month_end(day.year, first + 2), QUARTER)
        if kind == MONTH:
            return cls(date(day.year, day.month, 1), _month_end(day.year, day.month), MONTH)
        raise ValueError(kind)

    def previous(self) -> Period:
        return Period.of(self.kind, self.start - timedelta(days=1))

    def next(self) -> Period:
        return Period.of(self.kind, self.end + timedelta(days=1))

    def months(self) -> list[Period]:
        result, month = [], Period.of(MONTH, self.start)
        while month.start <= self.end:
            result.append(month)
            month = month.next()
        return result


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def parse_period(value: str, name: str = "period") -> Period:
    """``2026`` → the year, ``2026-Q4`` → a quarter, ``2026-11`` → a month.

    Anything else raises a ``ValidationError`` that says what is accepted; a year KAM does
    not support raises ``ParameterOutOfRange`` naming the parameter ``name`` (a 400).
    """
    text = (value or "").strip()
    if match := _YEAR.match(text):
        year = check_year(int(match.group(1)), name)
        return Period.of(YEAR, date(year, 1, 1))
    elif match := _QUARTER.match(text):
        year, quarter = check_year(int(match.group(1)), name), int(match.group(2))
        return Period.of(QUARTER, date(year, quarter * 3 - 2, 1))
    elif match := _MONTH.match(text):
        year, month = check_year(int(match.group(1)), name), int(match.group(2))
        if 1 <= month <= 12:
            return Period.of(MONTH, date(year, month, 1))
    raise ValidationError(
        _(
            "“%(value)s” is not a period. Write a year (2026), a quarter (2026-Q4) "
            "or a month (2026-11)."
        ),
        code="invalid_period",
        params={"value": text[:40]},
    )


@dataclass(frozen=True, order=True)
class Week:
    """An ISO week, Monday to Sunday."""

    monday: date

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def key(self) -> str:
        year, week, _day = self.monday.isocalendar()
        return f"{year}-W{week:02d}"

    def __str__(self) -> str:
        return self.key

    def end(self, tz: tzinfo) -> datetime:
        """The first instant after the week, in the company's time zone."""
        return datetime.combine(self.monday + timedelta(days=7), time(0), tzinfo=tz)

    def previous(self) -> Week:
        return Week(self.monday - timedelta(days=7))

    def next(self) -> Week:
        return Week(self.monday + timedelta(days=7))

    @classmethod
    def of(cls, day: date) -> Week:
        return cls(day - timedelta(days=day.weekday()))


def parse_week(value: str, name: str = "week") -> Week:
    """``2026-W47`` → that ISO week; anything else is a clear ``ValidationError``.

    A year KAM does not support raises ``ParameterOutOfRange`` naming ``name`` (a 400).
    """
    text = (value or "").strip()
    if match := _WEEK.match(text):
        year, number = check_year(int(match.group(1)), name), int(match.group(2))
        try:
            return Week(date.fromisocalendar(year, number, 1))
        except ValueError:
            pass
    raise ValidationError(
        _("“%(value)s” is not a week. Write an ISO week such as 2026-W47."),
        code="invalid_week",
        params={"value": text[:40]},
    )
