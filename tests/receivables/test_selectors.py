"""Aging, DSO, the overdue list and debtor types as finance, managers and reps read them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from kam.receivables import selectors, services
from tests.factories import AccountFactory
from tests.receivables.factories import contract_for, invoice_for, payment_for

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = date(2026, 6, 30)


def _invoice(account, finance, amount: str, days_overdue: int):  # type: ignore[no-untyped-def]
    contract = contract_for(account, finance, amount=amount)
    due = TODAY - timedelta(days=days_overdue)
    return services.issue_invoice(
        contract, amount=D(amount), issued_on=due - timedelta(days=30), due_date=due, by=finance
    )


@pytest.fixture
def ledger(org):  # type: ignore[no-untyped-def]
    east = AccountFactory(owner=org.rep, name="东方电气")
    east2 = AccountFactory(owner=org.rep2, name="浦江机电")
    north = AccountFactory(owner=org.north_rep, name="北方重工")
    _invoice(east, org.finance, "1000", 0)  # current (due today)
    _invoice(east, org.finance, "2000", 1)  # 1–30
    _invoice(east, org.finance, "3000", 30)  # 1–30
    _invoice(east2, org.finance, "4000", 31)  # 31–60
    _invoice(east2, org.finance, "5000", 90)  # 61–90
    _invoice(north, org.finance, "6000", 91)  # over 90
    return east, east2, north


def test_company_aging_puts_each_invoice_in_its_bucket(org, ledger):  # type: ignore[no-untyped-def]
    report = selectors.aging(org.finance, "company", today=TODAY)
    [row] = report.rows
    assert [amount for _key, amount in row.buckets] == [
        D("1000"),
        D("5000"),
        D("4000"),
        D("5000"),
        D("6000"),
    ]
    assert row.total == D("21000") and row.overdue == D("20000")


def test_aging_by_account_rep_and_team_and_visibility(org, ledger):  # type: ignore[no-untyped-def]
    by_account = selectors.aging(org.finance, "account", today=TODAY)
    assert {r.label: r.total for r in by_account.rows} == {
        "东方电气": D("6000"),
        "浦江机电": D("9000"),
        "北方重工": D("6000"),
    }
    by_team = selectors.aging(org.director, "team", today=TODAY)
    assert {r.label: r.total for r in by_team.rows} == {"上海组": D("15000"), "华北大区": D("6000")}
    rep_view = selectors.aging(org.rep, "rep", today=TODAY)
    assert [r.total for r in rep_view.rows] == [D("6000")]
    assert rep_view.totals.total == D("6000")  # another team's receivables never in the totals
    manager_view = selectors.aging(org.east_manager, "company", today=TODAY)
    assert manager_view.totals.total == D("15000")


def test_aging_is_one_query_whatever_the_rows(org, ledger, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    for _ in range(5):
        _invoice(AccountFactory(owner=org.north_rep), org.finance, "100", 45)
    for group in ("company", "account", "rep", "team"):
        with django_assert_max_num_queries(1):
            selectors.aging(org.finance, group, today=TODAY)


def test_drill_down_lists_the_invoices_of_one_cell(org, ledger):  # type: ignore[no-untyped-def]
    east, _east2, _north = ledger
    rows = selectors.aging_invoices(
        org.finance, bucket="d1_30", group="account", key=str(east.pk), today=TODAY
    )
    assert sorted(i.amount for i in rows) == [D("2000"), D("3000")]
    assert not selectors.aging_invoices(org.rep, bucket="over_90", today=TODAY).exists()


def test_overdue_list_is_sorted_by_amount_times_age(org, ledger):  # type: ignore[no-untyped-def]
    rows = list(selectors.overdue_invoices(org.finance, today=TODAY))
    assert [(r.amount, r.days_overdue) for r in rows] == [
        (D("6000"), 91),
        (D("5000"), 90),
        (D("4000"), 31),
        (D("3000"), 30),
        (D("2000"), 1),
    ]
    assert [r.amount for r in selectors.overdue_invoices(org.rep, today=TODAY)] == [
        D("3000"),
        D("2000"),
    ]


def test_debtor_type_set_by_a_person_wins_over_the_suggestion(org, ledger):  # type: ignore[no-untyped-def]
    east, east2, north = ledger
    services.set_debtor_type(east, "when_due", by=org.rep)
    types = selectors.debtor_types([east.pk, east2.pk, north.pk], today=TODAY)
    assert types[east.pk].value == "when_due" and not types[east.pk].suggested
    assert types[east2.pk].value == "when_pressed" and types[east2.pk].suggested
    fresh = AccountFactory(owner=org.rep)
    assert selectors.debtor_types([fresh.pk], today=TODAY)[fresh.pk].value is None


def test_dso_overall_and_per_account(org):  # type: ignore[no-untyped-def]
    account = AccountFactory(owner=org.rep)
    contract = contract_for(account, org.finance, amount="90000")
    services.issue_invoice(
        contract, amount=D("90000"), issued_on=TODAY - timedelta(days=10), by=org.finance
    )
    payment_for(account, org.finance, "45000", received_on=TODAY)
    # 45,000 open of 90,000 sold in 90 days → 45 days.
    assert selectors.dso(org.finance, today=TODAY) == D("45.0")
    assert selectors.dso_by_account(org.finance, [account.pk], today=TODAY) == {
        account.pk: D("45.0")
    }
    assert selectors.dso(org.north_rep, today=TODAY) is None


def test_complete_sale_reads_the_zhang_yi_case(org):  # type: ignore[no-untyped-def]
    account = AccountFactory(owner=org.rep)
    contract = contract_for(account, org.finance, amount="500000", margin="10")
    invoice_for(contract, org.finance, amount="500000")
    payment_for(account, org.finance, "150000")
    payment_for(account, org.finance, "250000")
    sale = selectors.complete_sale_for(contract)
    assert sale.collected == D("400000") and sale.cost == D("450000.00")
    assert not sale.profitable and sale.still_to_break_even == D("50000.00")
    [rep_row] = selectors.complete_sales_by_rep(org.rep)
    assert rep_row.cash_position == D("-50000.00") and rep_row.outstanding == D("100000")


def test_aging_page_orders_rows_in_the_database_and_totals_every_row(org, ledger):  # type: ignore[no-untyped-def]
    _east, east2, _north = ledger
    # Same overdue as 北方重工 (6000) but a larger total: ranks above it.
    tied = AccountFactory(owner=org.north_rep, name="天津港务")
    _invoice(tied, org.finance, "6000", 45)
    _invoice(tied, org.finance, "500", 0)
    expected = ["浦江机电", "天津港务", "北方重工", "东方电气"]  # 9000, 6000+500, 6000, 5000

    first = selectors.aging_page(org.finance, "account", page=1, per_page=3, today=TODAY)
    second = selectors.aging_page(org.finance, "account", page=2, per_page=3, today=TODAY)
    assert [r.label for r in first.rows] + [r.label for r in second.rows] == expected
    assert first.count == second.count == 4 and first.page.has_next()
    assert first.rows[0].key == east2.pk and first.rows[0].overdue == D("9000")

    everything = selectors.aging(org.finance, "account", today=TODAY)
    assert [r.label for r in everything.rows] == expected  # the export's order
    for key in selectors.BUCKET_KEYS:
        assert getattr(first.totals, key) == sum(getattr(r, key) for r in everything.rows)
    assert first.totals.total == second.totals.total == D("27500")


def test_aging_page_shows_a_rep_only_his_accounts_in_rows_and_totals(org, ledger):  # type: ignore[no-untyped-def]
    report = selectors.aging_page(org.rep, "account", today=TODAY)
    assert [r.label for r in report.rows] == ["东方电气"]
    assert report.count == 1 and report.totals.total == D("6000")
    by_rep = selectors.aging_page(org.east_manager, "rep", today=TODAY)
    assert [r.total for r in by_rep.rows] == [D("9000"), D("6000")]
    assert by_rep.totals.total == D("15000")  # another team's receivables never in the totals
    team = selectors.aging_page(org.director, "team", today=TODAY)
    assert [(r.label, r.total) for r in team.rows] == [
        ("上海组", D("15000")),
        ("华北大区", D("6000")),
    ]


def test_aging_page_queries_do_not_grow_with_rows(org, ledger, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    for n in range(6):
        _invoice(AccountFactory(owner=org.north_rep), org.finance, "100", 45 + n)
    for group in ("account", "rep", "team"):
        with django_assert_max_num_queries(3):  # totals, row count, one page of rows
            report = selectors.aging_page(org.finance, group, per_page=2, today=TODAY)
            assert len(report.rows) == 2
    with django_assert_max_num_queries(1):
        selectors.aging_page(org.finance, "company", today=TODAY)


def test_overdue_order_follows_the_days_as_they_pass(org, ledger):  # type: ignore[no-untyped-def]
    east, _east2, _north = ledger
    larger = _invoice(east, org.finance, "20000", 1)  # 20,000 × 1 day
    older = _invoice(east, org.finance, "10000", 5)  # 10,000 × 5 days

    def order(day: date) -> list[int]:
        rows = selectors.overdue_invoices(org.rep, today=day)
        return [r.pk for r in rows if r.pk in (larger.pk, older.pk)]

    assert order(TODAY) == [older.pk, larger.pk]  # 50,000 > 20,000
    later = TODAY + timedelta(days=10)  # 20,000 × 11 = 220,000 > 10,000 × 15 = 150,000
    assert order(later) == [larger.pk, older.pk]
    assert order(TODAY - timedelta(days=1)) == [older.pk]  # the larger one was not due yet
    [row] = [r for r in selectors.overdue_invoices(org.rep, today=later) if r.pk == older.pk]
    assert row.days_overdue == 15 and row.weight == D("150000")


def test_dso_and_complete_sales_are_a_few_queries(org, ledger, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    with django_assert_max_num_queries(2):
        selectors.dso(org.finance, today=TODAY)
    with django_assert_max_num_queries(3):
        rows = selectors.complete_sales_by_rep(org.finance)
    assert sum(r.amount for r in rows) == D("21000")
