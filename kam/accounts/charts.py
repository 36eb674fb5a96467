"""ECharts options for the accounts' pages and the dashboards that show them."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from kam.accounts.selectors import Pyramid


def pyramid(result: Pyramid, *, with_revenue_share: bool = True) -> dict[str, Any]:
    """The value pyramid (§1.3): key accounts at the tip, general ones at the base, each
    tier with its accounts (and its share of revenue); a tier opens its accounts."""
    url = reverse("accounts:pyramid")
    data = []
    # Sorted ascending, the funnel draws the smallest value narrowest and on top: the
    # tiers' ranks (key 1, important 2, general 3) stand the pyramid on its base.
    for rank, row in enumerate(result.rows, start=1):
        name = f"{row.label} · {row.accounts}"
        if with_revenue_share:
            name += f" · {row.revenue_share or 0}%"
        data.append({"name": name, "value": rank, "url": f"{url}?tier={row.tier}"})
    return {
        "tooltip": {"trigger": "item"},
        "series": [
            {
                "type": "funnel",
                "sort": "ascending",
                "gap": 4,
                "minSize": "25%",
                "label": {"show": True, "position": "inside"},
                "data": data,
            }
        ],
    }
