"""Scorecard figures with their unit, as a reader of either language writes them."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from kam.ui.templatetags.figures import figure

register = template.Library()


@register.filter
def in_unit(value: Decimal | float | None, unit: str) -> str:
    """A figure grouped to two places at most, without trailing zeros, with the unit.

    A money rate (the stored unit "CNY/d") reads "50,000 元/天" in Chinese and
    "CNY 50,000 per day" in English; other units ("%", "/100") follow the figure as stored.
    """
    if value is None or value == "":
        return "—"
    shown = figure(value)
    if unit == "CNY/d":
        return _("CNY %(amount)s per day") % {"amount": shown}
    return f"{shown}{unit}"
