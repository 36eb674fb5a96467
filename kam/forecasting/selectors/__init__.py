"""Reads that feed the forecast pages, the API and the exports.

By subdomain: targets and their roll-up (:mod:`.targets`), the forecast and the
funnel report (:mod:`.forecast`), the managers' adjustments (:mod:`.adjustments`)
and the deals behind a figure (:mod:`.deals`).
"""

from kam.forecasting.selectors.adjustments import (
    adjustment_history,
    latest_adjustment,
    latest_adjustments,
)
from kam.forecasting.selectors.deals import category_totals, drilldown
from kam.forecasting.selectors.forecast import (
    ALL_OWNERS,
    Breakdown,
    ForecastReport,
    OwnerFigures,
    forecast_figure,
    forecast_report,
    funnel_rows,
    open_in_period,
)
from kam.forecasting.selectors.targets import (
    TargetBook,
    TargetFigure,
    TargetLine,
    target_for,
    target_lines,
)

__all__ = [
    "ALL_OWNERS",
    "Breakdown",
    "ForecastReport",
    "OwnerFigures",
    "TargetBook",
    "TargetFigure",
    "TargetLine",
    "adjustment_history",
    "category_totals",
    "drilldown",
    "forecast_figure",
    "forecast_report",
    "funnel_rows",
    "latest_adjustment",
    "latest_adjustments",
    "open_in_period",
    "target_for",
    "target_lines",
]
