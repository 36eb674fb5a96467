"""ECharts options of the dashboards and reports (drawn by kam.js from json_script blocks).

Values are floats because they only draw shapes; every data point carries the
``url`` of the records behind it, and the exact figures are in the tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from kam.forecasting.calculations import Forecast
from kam.forecasting.periods import Period
from kam.forecasting.scopes import Scope
from kam.reports.calculations import OutcomeTally, WinLossLine

OUTCOME_COLOURS = {
    "order": "#2e7d32",
    "advance": "#66bb6a",
    "continuation": "#f0ad4e",
    "no_sale": "#c0392b",
}


@dataclass(frozen=True)
class Link:
    """The scope and period of a figure, as the query string of the forecast pages."""

    scope: Scope
    period: Period | None

    def querystring(self, **extra: str) -> str:
        params = QueryDict(mutable=True)
        params["scope"] = self.scope.key
        params["period"] = self.period.key if self.period else "all"
        params.update(extra)
        return params.urlencode()

    def forecast_url(self, scope_key: str | None = None) -> str:
        params = QueryDict(mutable=True)
        params["scope"] = scope_key or self.scope.key
        if self.period:
            params["period"] = self.period.key
        return f"{reverse('forecasting:index')}?{params.urlencode()}"


def forecast_vs_target(forecast: Forecast, link: Link) -> dict[str, Any]:
    """Closed, weighted pipeline and off-funnel stacked into the forecast, beside the target."""
    url = link.forecast_url()
    drill = f"{reverse('forecasting:opportunities')}?{link.querystring()}"
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"bottom": 0},
        "grid": {"left": 8, "right": 16, "top": 16, "bottom": 56, "containLabel": True},
        "xAxis": {"type": "category", "data": [_("Forecast"), _("Target")]},
        "yAxis": {"type": "value"},
        "series": [
            {
                "name": _("Closed"),
                "type": "bar",
                "stack": "f",
                "data": [{"value": float(forecast.closed), "url": url}, None],
            },
            {
                "name": _("Weighted pipeline"),
                "type": "bar",
                "stack": "f",
                "data": [{"value": float(forecast.weighted), "url": drill}, None],
            },
            {
                "name": _("Off-funnel sales"),
                "type": "bar",
                "stack": "f",
                "data": [{"value": float(forecast.off_funnel), "url": url}, None],
            },
            {
                "name": _("Target"),
                "type": "bar",
                "stack": "f",
                "data": [None, {"value": float(forecast.target or 0), "url": url}],
            },
        ],
    }


def breakdown(lines: Sequence[Any], link: Link) -> dict[str, Any]:
    """Forecast against target per team or rep; a bar opens that scope's forecast."""
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("Forecast"), _("Target")], "bottom": 0},
        "grid": {"left": 8, "right": 16, "top": 16, "bottom": 36, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": [line.label for line in lines],
            "axisLabel": {"rotate": 30 if len(lines) > 5 else 0},
        },
        "yAxis": {"type": "value"},
        "series": [
            {
                "name": name,
                "type": "bar",
                "data": [
                    {
                        "value": float(value(line.forecast) or 0),
                        "url": link.forecast_url(line.scope_key),
                    }
                    for line in lines
                ],
            }
            for name, value in (
                (_("Forecast"), lambda f: f.total),
                (_("Target"), lambda f: f.target),
            )
        ],
    }


def activities_url(start: Any, end: Any, **params: Any) -> str:
    query = QueryDict(mutable=True)
    query["status"] = "done"
    query["date_from"] = start.isoformat()
    query["date_to"] = end.isoformat()
    for key, value in params.items():
        if value not in (None, ""):
            query[key] = str(value)
    return f"{reverse('activities:list')}?{query.urlencode()}"


def _param(key: str, value: Any) -> str:
    """One more parameter of a query string, encoded; empty when there is no value."""
    if value in (None, ""):
        return ""
    query = QueryDict(mutable=True)
    query[key] = str(value)
    return query.urlencode()


def _with_params(url: str, *params: str) -> str:
    return "&".join([url, *filter(None, params)])


def outcomes(
    tallies: Sequence[OutcomeTally],
    outcome_labels: Sequence[tuple[str, str]],
    *,
    start: Any,
    end: Any,
    group: str = "owner",
) -> dict[str, Any]:
    """Outcomes stacked per rep (or kind); a segment opens those activities.

    A director's chart has a segment per rep and outcome (about a thousand): the
    link's common part (:func:`activities_url`) is reversed and encoded once, each
    rep's and each outcome's parameter once, and a segment's link only joins them.
    """
    base = activities_url(start, end)
    group_params = [(t, _param(group, t.key)) for t in tallies]
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"bottom": 0},
        "grid": {"left": 8, "right": 16, "top": 16, "bottom": 36, "containLabel": True},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "data": [t.label for t in tallies], "inverse": True},
        "series": [
            {
                "name": label,
                "type": "bar",
                "stack": "o",
                "itemStyle": {"color": OUTCOME_COLOURS.get(value)},
                "data": [
                    {
                        "value": t.counts.get(value, 0),
                        "url": _with_params(base, group_param, outcome_param),
                    }
                    for t, group_param in group_params
                ],
            }
            for value, label, outcome_param in (
                (value, label, _param("outcome", value)) for value, label in outcome_labels
            )
        ],
    }


def matrix(rows: Sequence[Any]) -> dict[str, Any]:
    """Accounts per attack / defend segment (§1.4); a bar opens those accounts."""
    url = reverse("accounts:list")
    colours = {
        "acquire": "#1565c0",
        "retain": "#2e7d32",
        "maintain": "#6d8f3a",
        "intrude": "#c0392b",
        "let_go": "#8a8f98",
    }
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 16, "top": 16, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [row.label for row in rows]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "name": _("Accounts"),
                "type": "bar",
                "data": [
                    {
                        "value": row.accounts,
                        "url": f"{url}?segment={row.strategy}",
                        "itemStyle": {"color": colours.get(row.strategy)},
                    }
                    for row in rows
                ],
            }
        ],
    }


def lines_bar(lines: Sequence[WinLossLine], url: Any, name: str) -> dict[str, Any]:
    """Deals per reason / competitor / stage, horizontal; a bar opens those deals."""
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 24, "top": 8, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {
            "type": "category",
            "inverse": True,
            "data": [line.label[:24] for line in lines],
        },
        "series": [
            {
                "name": name,
                "type": "bar",
                "data": [{"value": line.count, "url": url(line)} for line in lines],
            }
        ],
    }
