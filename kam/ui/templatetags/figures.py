"""Figures as the domain states them: "80", "4.5", "12,345.6", never "80.0" or "4.50"."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def figure(value: Decimal | float | int | str | None, places: int = 2) -> str:
    """``value`` rounded to at most ``places`` decimals, without trailing zeros, grouped
    by thousands in the reader's format; "—" when there is no figure."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    rounded = number.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
    # normalize() drops the trailing zeros; an integral figure keeps no decimals at all.
    exponent = rounded.normalize().as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return floatformat(rounded, f"{decimals}g")
