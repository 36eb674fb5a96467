"""ECharts options of the forecast pages (drawn by kam.js from json_script blocks).

Chart values are floats: they only draw shapes; every figure a reader reads is
in the tables beside the chart, exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from django.urls import reverse
from django.utils.translation import gettext as _

from kam.forecasting.calculations import FunnelRow, WeekProgress
from kam.forecasting.periods import Week


class _Query(Protocol):
    def querystring(self, **extra: str) -> str: ...


def funnel(rows: Sequence[FunnelRow], query: _Query) -> dict[str, Any]:
    """A funnel of the stages' total amounts; a click opens that stage's deals."""
    base = reverse("forecasting:opportunities")
    return {
        "tooltip": {"trigger": "item", "formatter": "{b}: {c}"},
        "series": [
            {
                "type": "funnel",
                "sort": "none",
                # The labels sit beside the funnel in the text colour: inside, they took the
                # colour of the narrow bars at the bottom and could not be read.
                "left": "2%",
                "width": "52%",
                "minSize": "8%",
                "label": {
                    "show": True,
                    "position": "right",
                    "color": "#212529",
                    "formatter": "{b}",
                },
                "labelLine": {"show": True, "length": 8},
                "data": [
                    {
                        "name": f"{r.stage_name} ({r.count})",
                        "value": float(r.total),
                        "url": f"{base}?{query.querystring(stage=str(r.stage_id))}",
                    }
                    for r in rows
                ],
            }
        ],
    }


def breakdown(lines: Sequence[Any]) -> dict[str, Any]:
    """Forecast against target per team or rep."""
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("Forecast"), _("Target")]},
        "grid": {"left": 8, "right": 20, "bottom": 8, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": [line.label for line in lines],
            "axisLabel": {"rotate": 30},
        },
        "yAxis": {"type": "value"},
        "series": [
            {
                "name": _("Forecast"),
                "type": "bar",
                "data": [float(line.forecast.total) for line in lines],
            },
            {
                "name": _("Target"),
                "type": "bar",
                "data": [float(line.forecast.target or 0) for line in lines],
            },
        ],
    }


def progress(weeks: Sequence[WeekProgress], query: _Query) -> dict[str, Any]:
    """Sales progress per week (bars, percent) and the forecast behind it (line)."""
    base = reverse("forecasting:progress")
    keys = [Week(w.week).key for w in weeks]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("Sales progress (%)"), _("Pipeline + sales")]},
        "grid": {"left": 28, "right": 8, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": keys},
        "yAxis": [{"type": "value", "name": "%"}, {"type": "value"}],
        "series": [
            {
                "name": _("Sales progress (%)"),
                "type": "bar",
                "data": [
                    {
                        "value": None if w.progress is None else round(float(w.progress) * 100, 2),
                        "url": f"{base}?{query.querystring(week=key)}",
                    }
                    for w, key in zip(weeks, keys, strict=True)
                ],
            },
            {
                "name": _("Pipeline + sales"),
                "type": "line",
                "yAxisIndex": 1,
                "data": [float(w.forecast) for w in weeks],
            },
        ],
    }
