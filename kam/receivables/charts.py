"""ECharts options of the receivables pages, some of which other areas draw too (drawn by
kam.js)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from kam.receivables import calculations, selectors

#: The aging chart shows this many rows, the heaviest first.
CHART_ROWS = 15


def aging_drill_url(group: str, key: Any, bucket: str) -> str:
    """The invoices behind one cell of the aging table or one bar of its chart."""
    query = {"group": group, "bucket": bucket}
    if key not in (None, "all"):
        query["key"] = str(key)
    return f"{reverse('receivables:aging_invoices')}?{urlencode(query)}"


def aging(report: selectors.AgingReport | selectors.AgingPage) -> dict[str, Any]:
    """A stacked bar per row (the heaviest first), one series per bucket; bars drill down."""
    labels = selectors.bucket_labels()
    group, rows = report.group, report.rows[:CHART_ROWS]
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 16, "bottom": 8, "top": 40, "containLabel": True},
        "xAxis": {"type": "category", "data": [r.label for r in rows]},
        "yAxis": {"type": "value"},
        "series": [
            {
                "name": labels[key],
                "type": "bar",
                "stack": "aging",
                "data": [
                    {
                        "value": float(getattr(r, key)),
                        "url": aging_drill_url(group, r.key, key),
                    }
                    for r in rows
                ],
            }
            for key in selectors.BUCKET_KEYS
        ],
    }


def cash(forecast: selectors.CashForecast) -> dict[str, Any]:
    """Stacked expected cash per bucket by source, the collection target as a line."""
    labels = [b.start.isoformat() for b in forecast.buckets]
    query = {"scope": forecast.scope.key, "by": forecast.granularity}
    page = f"{reverse('receivables:cash_forecast')}?{urlencode(query)}"
    series: list[dict[str, Any]] = [
        {
            "name": label,
            "type": "bar",
            "stack": "cash",
            "data": [{"value": float(getattr(b, key)), "url": page} for b in forecast.buckets],
        }
        for key, label in cash_source_labels()
    ]
    if any(b.target is not None for b in forecast.buckets):
        series.append(
            {
                "name": _("Collection target"),
                "type": "line",
                "data": [
                    float(b.target) if b.target is not None else None for b in forecast.buckets
                ],
            }
        )
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 16, "bottom": 8, "top": 40, "containLabel": True},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value"},
        "series": series,
    }


def cash_source_labels() -> list[tuple[str, str]]:
    return [
        (calculations.INVOICES, _("Open invoices")),
        (calculations.INSTALLMENTS, _("Plan not yet invoiced")),
        (calculations.PIPELINE, _("Weighted pipeline")),
    ]
