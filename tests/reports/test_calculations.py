"""The arithmetic of the reports, without a database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from kam.reports import calculations as calc


def test_week_runs_monday_to_sunday():
    assert calc.week_bounds(date(2026, 12, 2)) == (date(2026, 11, 30), date(2026, 12, 6))
    assert calc.week_bounds(date(2026, 12, 6)) == (date(2026, 11, 30), date(2026, 12, 6))


@given(st.dates(min_value=date(2000, 1, 3), max_value=date(2100, 1, 1)))
def test_every_day_is_inside_its_week(day):
    monday, sunday = calc.week_bounds(day)
    assert monday.weekday() == 0 and (sunday - monday).days == 6 and monday <= day <= sunday


def test_advance_rate_counts_orders_and_advances_over_judged_activities():
    tallies = calc.tally(
        [(1, "张"), (2, "李")],
        {(1, "order"): 1, (1, "advance"): 2, (1, "continuation"): 3, (1, "no_sale"): 2},
        ["order", "advance", "continuation", "no_sale"],
    )
    assert tallies[0].total == 8 and tallies[0].advancing == 3
    assert tallies[0].advance_rate == Decimal("0.3750")
    assert tallies[1].total == 0 and tallies[1].advance_rate is None
    total = calc.total_tally(tallies, "Total")
    assert total.counts == {"order": 1, "advance": 2, "continuation": 3, "no_sale": 2}


def test_reasons_group_regardless_of_spacing_and_case():
    lines = calc.group_lines(
        [
            (calc.normalise_reason("Price  too high"), "Price too high", Decimal("100")),
            (calc.normalise_reason("price too high "), "price too high", Decimal("50")),
            (calc.normalise_reason("No budget"), "No budget", Decimal("500")),
        ]
    )
    assert [(line.label, line.count, line.amount) for line in lines] == [
        ("Price too high", 2, Decimal("150")),
        ("No budget", 1, Decimal("500")),
    ]


def test_win_rates_leave_deals_without_decision_out():
    rates = calc.WinRates(won=3, lost=1, won_amount=Decimal("300"), lost_amount=Decimal("700"))
    assert rates.by_count == Decimal("0.7500")
    assert rates.by_amount == Decimal("0.3000")
    assert calc.WinRates(0, 0, Decimal(0), Decimal(0)).by_count is None


def test_months_roll_over_the_year():
    assert calc.months_from(date(2026, 11, 5), 3) == ["2026-11", "2026-12", "2027-01"]


def test_chinese_reasons_with_stray_or_full_width_spaces_are_one_reason():
    same = {
        calc.normalise_reason(text)
        for text in ("价格太高", "价格  太高", " 价格\u3000太高", "价格太高 ")
    }
    assert same == {"价格太高"}
    assert calc.normalise_reason("ＨＵＡＷＥＩ") == calc.normalise_reason("huawei")
    assert calc.normalise_reason("no budget") != calc.normalise_reason("nobudget")
