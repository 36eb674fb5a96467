"""The pure calculations of §6, including the source's worked examples."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kam.receivables import calculations as calc
from tests.receivables import cash_rules as rules

D = Decimal


@pytest.mark.parametrize(
    ("loss", "margin", "needed"),
    [
        ("500", "2", "25000.00"),
        ("500", "3", "16666.67"),  # the source cuts to 16,666, which covers only 499.98
        ("500", "4", "12500.00"),
        ("500", "5", "10000.00"),
        ("500", "6", "8333.34"),
        ("600", "3", "20000.00"),  # the source prints 19,999
        ("2500", "2", "125000.00"),
        ("0.01", "3", "0.34"),
    ],
)
def test_bad_debt_is_replaced_by_extra_sales_to_the_cent_rounded_up(loss, margin, needed):
    assert calc.extra_sales_needed(D(loss), D(margin)) == D(needed)


def test_the_source_s_cut_figure_would_leave_the_loss_uncovered():
    assert D("16666") * D("0.03") < D(500) <= calc.extra_sales_needed(D(500), D(3)) * D("0.03")


@given(
    loss=st.decimals(min_value=D("0.01"), max_value=D("1000000000"), places=2),
    margin=st.decimals(min_value=D("0.01"), max_value=D("100"), places=2),
)
def test_extra_sales_cover_the_loss_and_a_cent_less_does_not(loss, margin):
    extra = calc.extra_sales_needed(loss, margin)
    assert extra == extra.quantize(D("0.01"))
    assert extra * margin / 100 >= loss
    assert (extra - D("0.01")) * margin / 100 < loss


def test_extra_sales_need_a_positive_margin():
    with pytest.raises(ValueError):
        calc.extra_sales_needed(D(500), D(0))


def test_financing_cost_of_late_payment():
    # 365,000 at 5% a year for 30 days late = 1,500
    assert calc.financing_cost(D("365000"), D("5"), 30) == D("1500.00")
    assert calc.financing_cost(D("365000"), D("5"), 0) == D("0.00")


def test_zhang_yi_is_not_yet_profitable_and_breaks_even_at_450k():
    sale = calc.complete_sale(D("500000"), D("10"), D("400000"))
    assert sale.cost == D("450000.00")
    assert sale.break_even_point == D("450000.00")
    assert sale.cash_position == D("-50000.00")
    assert not sale.profitable
    assert sale.outstanding == D("100000")
    assert sale.still_to_break_even == D("50000.00")
    assert calc.complete_sale(D("500000"), D("10"), D("450000.01")).profitable


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-5, "current"),
        (0, "current"),
        (1, "d1_30"),
        (30, "d1_30"),
        (31, "d31_60"),
        (60, "d31_60"),
        (61, "d61_90"),
        (90, "d61_90"),
        (91, "over_90"),
        (4000, "over_90"),
    ],
)
def test_aging_bucket_edges(days, bucket):
    assert calc.bucket_for(days) == bucket


def test_dso():
    assert calc.days_sales_outstanding(D(300), D(900), 90) == D("30.0")
    assert calc.days_sales_outstanding(D(300), D(0), 90) is None


money = st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2)


@given(amount=money, opens=st.lists(money, max_size=8))
def test_oldest_first_allocation_never_loses_or_invents_money(amount, opens):
    items = list(enumerate(opens))
    lines, rest = calc.allocate_oldest_first(amount, items)
    assert sum((part for _, part in lines), D(0)) + rest == amount
    assert rest >= 0
    for item_id, part in lines:
        assert D(0) < part <= opens[item_id]
    # Oldest first: every item before the last one touched is settled in full.
    if lines:
        last = lines[-1][0]
        assert all(part == opens[i] for i, part in lines[:-1])
        assert [i for i, _ in lines] == [i for i in range(last + 1) if opens[i] > 0]


def test_debtor_type_suggestions():
    assert calc.suggest_debtor_type([], []) is None
    assert calc.suggest_debtor_type([0, 2, -3], []) == "when_due"
    assert calc.suggest_debtor_type([10, 20], []) == "when_reminded"
    assert calc.suggest_debtor_type([45, 70], [50]) == "when_pressed"
    assert calc.suggest_debtor_type([0], [200], broken_promises=1) == "wont_pay"
    assert calc.suggest_debtor_type([0], [], written_off=True) == "wont_pay"


def test_promises_are_kept_by_payments_in_their_window_and_broken_after_their_date():
    promises = [
        calc.PromiseRow(1, date(2026, 3, 1), date(2026, 3, 10), D(100)),
        calc.PromiseRow(2, date(2026, 3, 1), date(2026, 3, 20), D(100)),
        calc.PromiseRow(3, date(2026, 3, 1), date(2026, 4, 30), D(100)),
    ]
    payments = [(date(2026, 2, 20), D(500)), (date(2026, 3, 8), D(150))]
    result = calc.settle_promises(promises, payments, today=date(2026, 3, 25))
    assert result[1] == ("kept", date(2026, 3, 8))
    # The 50 left of that payment does not keep a 100 promise; its date has passed.
    assert result[2] == ("broken", date(2026, 3, 21))
    assert result[3] == ("open", None)


def test_cash_is_expected_after_the_accounts_own_delay_never_in_the_past():
    today = date(2026, 6, 1)
    assert rules.expected_payment_date(date(2026, 6, 10), 15, today) == date(2026, 6, 25)
    assert rules.expected_payment_date(date(2026, 5, 1), 5, today) == today
    assert calc.period_start(date(2026, 6, 4), "week") == date(2026, 6, 1)
    assert calc.period_start(date(2026, 6, 4), "month") == date(2026, 6, 1)


def test_cost_of_an_overdue_invoice_in_sales_and_in_interest():
    cost = calc.cost_of_debt(D("500"), D("3"), D("6"), 73)
    assert cost.extra_sales == D("16666.67") and cost.delay_cost == D("6.00")
    no_margin = calc.cost_of_debt(D("500"), D("0"), D("6"), -3)
    assert no_margin.extra_sales is None and no_margin.delay_cost == D("0.00")
    assert no_margin.days_late == 0
