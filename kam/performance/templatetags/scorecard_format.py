"""Scorecard figures with their unit, as a reader of either language writes them."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def in_unit(value: Decimal | float | None, unit: str) -> str:
    """A figure grouped to two places at most, with the indicator's unit.

    A money rate (the stored unit "CNY/d") reads "50,000 元/天" in Chinese and
    "CNY 50,000 per day" in English; other units ("%", "/100") follow the figure as stored.
    """
    if value is None or value == "":
        return "—"
    shown = intcomma(floatformat(value, "-2"))
    if unit == "CNY/d":
        return _("CNY %(amount)s per day") % {"amount": shown}
    return f"{shown}{unit}"
