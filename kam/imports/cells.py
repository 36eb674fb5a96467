"""Reading a spreadsheet cell the way Chinese users' files have it.

Pure functions over plain values, tested without a database: full-width digits
and letters, ideographic spaces, numbers stored as text, thousands separators
and currency signs, Excel date cells and serial numbers, 是/否 answers. Each
returns the clean value or raises :class:`CellError` with a translated reason.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

from kam.core.phrases import phrase, render

# Excel's day zero in its 1900 date system (it counts the 1900 leap day that never was).
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
# Serial numbers outside these years are amounts or typing mistakes, not dates.
FIRST_YEAR, LAST_YEAR = 1900, 2200
_SPACES = re.compile(r"\s+")
_NUMBER_NOISE = re.compile(r"[,\s¥$€£]|CNY|RMB|元")
_DATE_PARTS = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATETIME = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]+(\d{1,2})\s*[:时點点]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2})\s*秒?)?\s*分?)?$"
)
TRUE_WORDS = {"是", "对", "有", "y", "yes", "true", "1", "√", "✓", "✔", "x"}
FALSE_WORDS = {"否", "不", "无", "没有", "n", "no", "false", "0", "×", "✗", "-"}


class CellError(ValueError):
    """A cell that cannot be read as what its column holds; the message says why.

    It keeps its reason as a phrase (``message`` lazily translated, with its values), so
    that the import's report reads in the language of whoever opens it.
    """

    def __init__(self, message: Any, /, **args: object) -> None:
        self.phrase = phrase(message, **args)
        super().__init__(render(self.phrase))


def half_width(text: str) -> str:
    """Full-width digits, letters and signs as their ASCII forms (NFKC), spaces single."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def clean_text(value: Any) -> str:
    """A text cell: trimmed, runs of spaces (ideographic ones too) made one space.

    Punctuation is kept as written: a Chinese comma in a description stays one.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return _SPACES.sub(" ", str(value).replace("\u3000", " ")).strip()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not clean_text(value))


def parse_decimal(value: Any) -> Decimal:
    """A number, whether Excel stored it as a number or as text (１２,３４５.６０, ¥1,000)."""
    if isinstance(value, bool):
        raise CellError(_("Enter a number."))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CellError(_("Enter a number."))
        # repr gives the shortest text that round-trips, so 0.1 stays 0.1.
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise CellError(_("Enter a number."))
        return value
    text = _NUMBER_NOISE.sub("", half_width(str(value)))
    negative = text.startswith("(") and text.endswith(")")
    text = text.strip("()")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a number."), value=clean_text(value)) from None
    if not number.is_finite():
        raise CellError(_("Enter a number."))
    return -number if negative else number


def parse_percent(value: Any) -> Decimal:
    """A percentage written 35, 35% or, from a percent-formatted cell, 0.35."""
    if isinstance(value, str) and half_width(value).endswith("%"):
        return parse_decimal(half_width(value)[:-1])
    number = parse_decimal(value)
    if isinstance(value, float) and 0 < number < 1:
        return (number * 100).normalize()
    return number


def parse_integer(value: Any) -> int:
    number = parse_decimal(value)
    if number != number.to_integral_value():
        raise CellError(_("Enter a whole number."))
    return int(number)


def _serial_to_datetime(serial: Decimal) -> dt.datetime:
    try:
        moment = EXCEL_EPOCH + dt.timedelta(days=float(serial))
    except OverflowError:
        raise CellError(_("This is not a date.")) from None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise CellError(_("This is not a date."))
    return moment


def parse_datetime(value: Any) -> dt.datetime:
    """A moment: a date-time cell, an Excel serial number, or text like 2026/3/1 14:30."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return _serial_to_datetime(Decimal(str(value)))
    text = half_width(str(value))
    match = _DATETIME.match(text)
    if match is None:
        try:
            return _serial_to_datetime(Decimal(text))
        except (InvalidOperation, CellError):
            raise CellError(
                _("“%(value)s” is not a date; write it like 2026-03-01."), value=text
            ) from None
    parts = [int(p) if p is not None else 0 for p in match.groups()]
    try:
        year, month, day, hour, minute, second = parts
        return dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        raise CellError(_("“%(value)s” is not a real date."), value=text) from None


def parse_date(value: Any) -> dt.date:
    """A day: a date cell, an Excel serial number, or text like 2026-03-01 or 2026年3月1日."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = half_width(value)
        match = _DATE_PARTS.match(text)
        if match is not None:
            try:
                return dt.date(*(int(p) for p in match.groups()))
            except ValueError:
                raise CellError(_("“%(value)s” is not a real date."), value=text) from None
    return parse_datetime(value).date()


def parse_bool(value: Any) -> bool:
    """是/否, yes/no, 1/0, √/×."""
    if isinstance(value, bool):
        return value
    word = half_width(clean_text(value)).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("Write 是 or 否 (yes or no)."))


def header_key(text: Any) -> str:
    """A header as compared with the known ones: half-width, lower case, no spaces at all."""
    return re.sub(r"\s+", "", half_width(clean_text(text))).lower().strip("*＊:：")


def split_list(value: Any) -> list[str]:
    """Several names in one cell, separated by commas, 、, semicolons or new lines."""
    text = clean_text(value)
    return [part.strip() for part in re.split(r"[,，、;；\n/]", text) if part.strip()]
