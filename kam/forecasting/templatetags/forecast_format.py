"""Display formats of forecast figures: rounding happens here, and only here."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()


@register.filter
def money(value: Decimal | None) -> str:
    """An exact amount shown to the cent, with thousands separators."""
    if value is None or value == "":
        return "–"
    return intcomma(f"{Decimal(value).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):.2f}")


@register.filter
def percent(value: Decimal | float | None, places: int = 1) -> str:
    """A ratio (0.25) as a percentage (25.0%)."""
    if value is None or value == "":
        return "–"
    quantum = Decimal(1).scaleb(-int(places))
    shown = (Decimal(str(value)) * 100).quantize(quantum, rounding=ROUND_HALF_UP)
    return f"{shown}%"


@register.filter
def odds_reasons(reasons: list[dict[str, object]] | None) -> list[str]:
    """A learned probability's stored reasons, as sentences in the reader's language."""
    from kam.forecasting.winmodel import FEATURES

    texts = []
    for reason in reasons or []:
        labels = FEATURES.get(str(reason.get("feature")))
        if labels is None:
            continue
        effect = float(str(reason.get("effect") or 0))
        texts.append(f"{'+' if effect > 0 else '−'} {labels[0] if effect > 0 else labels[1]}")
    return texts
