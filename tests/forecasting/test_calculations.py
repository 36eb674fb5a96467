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


def test_sales_progress_of_a_hand_worked_week():
    """Target 1,000. Last week: pipeline 300, sales 100. This week a 50 deal at 80% was won
    (pipeline −40, sales +50), a new 200 deal entered at 10% (+20) and another moved from
    20% to 30% on 100 (+10): pipeline 290, sales 150.
    Progress = [(290 − 300) + (150 − 100)] ÷ 1000 = 40 ÷ 1000 = 4%."""
    from datetime import date

    from kam.forecasting.calculations import WeekProgress, cumulative_to, sales_progress

    pipeline_before = Decimal("300")
    pipeline_now = pipeline_before - Decimal("50") * Decimal("0.8") + Decimal("20") + Decimal("10")
    daily = {date(2026, 10, 5): Decimal("100"), date(2026, 10, 14): Decimal("50")}
    sales_before = cumulative_to(daily, date(2026, 10, 1), date(2026, 10, 11))
    sales_now = cumulative_to(daily, date(2026, 10, 1), date(2026, 10, 18))
    week = WeekProgress(
        week=date(2026, 10, 12),
        pipeline=pipeline_now,
        previous_pipeline=pipeline_before,
        sales=sales_now,
        previous_sales=sales_before,
        target=Decimal("1000"),
    )
    assert (pipeline_now, sales_before, sales_now) == (Decimal("290"), 100, 150)
    assert week.pipeline_change == Decimal("-10") and week.sales_change == Decimal("50")
    assert week.progress == Decimal("0.04")
    assert week.forecast == Decimal("440")
    assert sales_progress(Decimal(1), Decimal(0), Decimal(0), Decimal(0), None) is None
    first = WeekProgress(date(2026, 10, 5), Decimal(1), None, Decimal(0), Decimal(0), Decimal(9))
    assert first.progress is None


def test_sales_progress_as_written_counts_a_won_deal_twice():
    """Target 10,000. Last week: pipeline 1,000, sales 0. This week a 500 deal at 60% is won:
    the pipeline loses 300 and sales gain 500. KAM: (−300 + 500) ÷ 10,000 = 2%. As written,
    with the forecast (sales + pipeline) 1,000 → 1,200: (200 + 500) ÷ 10,000 = 7%, the 500
    entering once inside the forecast and once as sales."""
    from datetime import date

    from kam.forecasting.calculations import WeekProgress

    week = WeekProgress(
        week=date(2026, 10, 12),
        pipeline=Decimal("700"),
        previous_pipeline=Decimal("1000"),
        sales=Decimal("500"),
        previous_sales=Decimal("0"),
        target=Decimal("10000"),
    )
    assert week.progress == Decimal("0.02")
    assert (week.previous_forecast, week.forecast) == (Decimal("1000"), Decimal("1200"))
    assert week.forecast_change == Decimal("200")
    assert week.progress_as_written == Decimal("0.07")
    assert week.progress_as_written - week.progress == week.sales_change / week.target
    first = WeekProgress(date(2026, 10, 5), Decimal(1), None, Decimal(0), Decimal(0), Decimal(9))
    assert first.progress_as_written is None and first.forecast_change is None
    untargeted = WeekProgress(
        date(2026, 10, 5), Decimal(1), Decimal(0), Decimal(5), Decimal(0), None
    )
    assert untargeted.progress_as_written is None
