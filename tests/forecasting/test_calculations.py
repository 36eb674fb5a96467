"""Funnel arithmetic against the worked funnel of DOMAIN.md §3.1."""

from __future__ import annotations

from decimal import Decimal

from kam.forecasting.calculations import FunnelRow, funnel_totals, sales_forecast

RATES = ["5", "10", "20", "30", "50", "80"]
COUNTS = [5, 4, 3, 2, 2, 2]
TOTALS = ["300", "240", "176", "464", "146", "98"]  # 10k EUR


def worked_funnel() -> list[FunnelRow]:
    return [
        FunnelRow(stage_id=i, stage_name=str(i), win_rate=Decimal(r), count=n, total=Decimal(t))
        for i, (r, n, t) in enumerate(zip(RATES, COUNTS, TOTALS, strict=True))
    ]


def test_worked_funnel_totals():
    totals = funnel_totals(worked_funnel())
    assert totals.count == 18
    assert totals.total == Decimal("1424")
    # 15 + 24 + 35.2 + 139.2 + 73 + 78.4
    assert totals.weighted == Decimal("364.8")


def test_forecast_adds_closed_and_off_funnel_sales():
    assert sales_forecast(Decimal("100"), worked_funnel(), Decimal("5.2")) == Decimal("470.0")
