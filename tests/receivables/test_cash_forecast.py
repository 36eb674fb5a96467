"""The cash forecast (issue 7, no. 10): what comes in when, from which source, against target."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django_tasks_db.models import DBTaskResult
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from kam.forecasting.models import Metric
from kam.forecasting.periods import MONTH, Period
from kam.forecasting.scopes import resolve_scope
from kam.forecasting.services import set_target
from kam.receivables import calculations, cash, selectors, services, tasks
from kam.receivables.calculations import INSTALLMENTS, INVOICES, PIPELINE
from kam.receivables.models import PaymentHabit, PaymentHabitsAsOf
from tests.factories import AccountFactory
from tests.forecasting.factories import deal
from tests.receivables import cash_rules as rules
from tests.receivables.factories import contract_for

D = Decimal
TODAY = date(2026, 6, 10)
HABITS_JOB = "kam.receivables.tasks.refresh_payment_habits_job"


# --- the calculation ---------------------------------------------------------------------


def test_months_from_the_current_one_and_what_falls_after():
    items = [
        rules.CashItem(date(2026, 5, 1), D("100.00"), INVOICES),  # overdue: expected now
        rules.CashItem(date(2026, 7, 31), D("20.50"), INSTALLMENTS),
        rules.CashItem(date(2026, 7, 1), D("3.00"), PIPELINE),
        rules.CashItem(date(2026, 9, 1), D("7.00"), PIPELINE),  # after three months
    ]
    buckets, later = rules.cash_forecast(items, today=TODAY, granularity="month", count=3)
    assert [b.start for b in buckets] == [date(2026, 6, 1), date(2026, 7, 1), date(2026, 8, 1)]
    assert buckets[0].invoices == D("100.00") and buckets[0].total == D("100.00")
    assert (buckets[1].installments, buckets[1].pipeline) == (D("20.50"), D("3.00"))
    assert buckets[2].total == 0
    assert later == D("7.00")


def test_weeks_start_on_monday_and_cross_the_year():
    starts = calculations.cash_bucket_starts(date(2026, 12, 30), "week", 3)
    assert starts == [date(2026, 12, 28), date(2027, 1, 4), date(2027, 1, 11)]
    assert calculations.cash_bucket_starts(date(2026, 11, 5), "month", 3)[-1] == date(2027, 1, 1)


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=-60, max_value=400),
            st.decimals(min_value=0, max_value=10**9, places=2),
            st.sampled_from(calculations.CASH_SOURCES),
        ),
        max_size=40,
    ),
    st.sampled_from(["week", "month"]),
)
def test_no_cash_is_lost_or_counted_twice(rows, granularity):
    items = [
        rules.CashItem(TODAY + timedelta(days=d), amount, source) for d, amount, source in rows
    ]
    buckets, later = rules.cash_forecast(items, today=TODAY, granularity=granularity, count=6)
    assert sum((b.total for b in buckets), D(0)) + later == sum((i.amount for i in items), D(0))


def test_early_payers_are_not_expected_early():
    assert rules.habitual_delay_days(None) == 0
    assert rules.habitual_delay_days(-4.0) == 0
    assert rules.habitual_delay_days(12.5) == 13


def test_coverage_is_expected_cash_over_target():
    bucket = calculations.CashBucket(date(2026, 6, 1), date(2026, 6, 30), invoices=D("50"))
    assert bucket.coverage_pct is None
    bucket.target = D("200")
    assert bucket.coverage_pct == D("25.0")


# --- from the database -------------------------------------------------------------------


@pytest.fixture
def books(org):  # type: ignore[no-untyped-def]
    """A late payer and a punctual one in Shanghai, and a Beijing account."""
    late = AccountFactory(owner=org.rep, name="迟付机电")
    punctual = AccountFactory(owner=org.rep, name="准时电气")
    north = AccountFactory(owner=org.north_rep, name="北方重工")
    # Last year the late payer paid 20 days after the due date.
    old = contract_for(late, org.finance, amount="1000", signed_on=date(2026, 1, 5))
    paid = services.issue_invoice(
        old,
        amount=D("1000"),
        issued_on=date(2026, 1, 10),
        due_date=date(2026, 2, 9),
        by=org.finance,
    )
    services.record_payment(
        account=late, amount=D("1000"), received_on=date(2026, 3, 1), by=org.finance
    )
    paid.refresh_from_db()
    assert paid.paid_on == date(2026, 3, 1)
    # Open now: an invoice due this month at the late payer (→ next month with 20 days' delay),
    late_contract = contract_for(
        late,
        org.finance,
        amount="5000",
        signed_on=date(2026, 5, 1),
        installments=[
            services.PlannedInstallment(D("3000"), date(2026, 6, 20)),
            services.PlannedInstallment(D("2000"), date(2026, 8, 5)),
        ],
    )
    services.issue_invoice(
        late_contract,
        amount=D("3000"),
        issued_on=date(2026, 5, 21),
        due_date=date(2026, 6, 20),
        by=org.finance,
        installment=late_contract.installments.get(sequence=1),
    )
    # … a punctual account's contract with its whole amount not yet invoiced,
    contract_for(punctual, org.finance, amount="800", signed_on=date(2026, 6, 1))
    # … an open deal at 30% closing this month at the punctual account (30 days' terms),
    deal(punctual, "10000.00", "comparison", close=date(2026, 6, 25))
    # … and Beijing's own, which a Shanghai rep never sees.
    contract_for(north, org.finance, amount="999", signed_on=date(2026, 6, 1))
    return late, punctual, north


def test_each_source_lands_where_the_accounts_habits_put_it(org, books):
    forecast = selectors.cash_forecast(
        org.finance, resolve_scope(org.finance, "company"), "month", today=TODAY
    )
    june, july, august, september = forecast.buckets[:4]
    # The invoice due 20 June, paid 20 days late as usual: 10 July.
    assert july.invoices == D("3000.00") and june.invoices == 0
    # The second installment, due 5 August, uninvoiced: 25 August at the late payer.
    assert august.installments == D("2000.00")
    # The punctual contracts' single installments fall due after 30 days' terms: July.
    assert july.installments == D("800.00") + D("999.00")
    # The deal: 25 June + 30 days' terms = 25 July, weighted at 30%.
    assert july.pipeline == D("3000.00")
    assert september.total == 0
    assert forecast.totals.total == D("3000") + D("2000") + D("1799") + D("3000")


def _company(org, today=TODAY):  # type: ignore[no-untyped-def]
    return selectors.cash_forecast(
        org.finance, resolve_scope(org.finance, "company"), "month", today=today
    )


def test_stored_habits_serve_the_day_they_hold_for_and_give_the_same_cash(org, books):
    computed = _company(org)
    services.refresh_payment_habits(as_of=TODAY)
    assert selectors.payment_habits(org.finance, TODAY) == cash.STORED_HABITS
    assert _company(org) == computed
    late, punctual, _ = books
    habits = {h.account_id: h for h in PaymentHabit.objects.all()}
    assert (habits[late.pk].delay_days, habits[punctual.pk].delay_days) == (20, 0)
    assert habits[punctual.pk].terms_days == 30
    # The next day they are a day old: the forecast computes its own and asks for a refresh.
    tomorrow = TODAY + timedelta(days=1)
    assert selectors.payment_habits(org.finance, tomorrow) != cash.STORED_HABITS


def test_stale_habits_ask_one_job_a_day(org, books, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        _company(org)
        _company(org)  # a second page, or a second server: no second request
    queued = DBTaskResult.objects.filter(task_path=HABITS_JOB, status="READY")
    assert queued.count() == 1 and queued.get().args_kwargs["args"] == [TODAY.isoformat()]
    assert tasks.refresh_payment_habits_job.call(TODAY.isoformat()) is True
    assert PaymentHabitsAsOf.objects.get().as_of == TODAY
    assert selectors.payment_habits(org.finance, TODAY) == cash.STORED_HABITS
    with django_capture_on_commit_callbacks(execute=True):
        _company(org, TODAY + timedelta(days=1))
    assert DBTaskResult.objects.filter(task_path=HABITS_JOB).count() == 2


def test_changed_payment_terms_move_the_deals_cash_at_once(org, books):
    services.refresh_payment_habits(as_of=TODAY)
    _, punctual, _ = books
    contract = punctual.contracts.get()
    services.update_contract(
        contract, by=org.finance, expected_version=contract.version, payment_terms_days=60
    )
    assert PaymentHabit.objects.get(account=punctual).terms_days == 60
    forecast = _company(org)
    # The deal closing 25 June is now paid after 60 days: 24 August, not 25 July.
    assert forecast.buckets[2].pipeline == D("3000.00") and forecast.buckets[1].pipeline == 0


def test_a_rep_sees_only_the_cash_of_accounts_they_may_see(org, books):
    mine = selectors.cash_forecast(org.rep, resolve_scope(org.rep, None), "month", today=TODAY)
    theirs = selectors.cash_forecast(
        org.north_rep, resolve_scope(org.north_rep, None), "month", today=TODAY
    )
    assert mine.totals.total == D("8800.00")
    assert theirs.totals.total == D("999.00")


def test_monthly_collection_targets_and_coverage(org, books):
    july = Period.of(MONTH, date(2026, 7, 1))
    set_target(
        metric=Metric.COLLECTIONS, period=july, amount="15600", user=org.rep, by=org.director
    )
    scope = resolve_scope(org.director, f"rep:{org.rep.pk}")
    forecast = selectors.cash_forecast(org.director, scope, "month", today=TODAY)
    assert forecast.buckets[1].target == D("15600.00")
    # July for the rep: the late payer's invoice 3,000 + the punctual plan 800 + the deal 3,000.
    assert forecast.buckets[1].total == D("6800.00")
    assert forecast.buckets[1].coverage_pct == D("43.6")
    assert forecast.totals.target is None  # other months have none: no flattering total


def test_plan_lines_left_after_invoices_oldest_first():
    lines = [(date(2026, 8, 1), D("2000")), (date(2026, 7, 1), D("3000"))]
    assert rules.uninvoiced_lines(lines, D("3500")) == [(date(2026, 8, 1), D("1500"))]
    assert rules.uninvoiced_lines(lines, D("0")) == sorted(lines)
    assert rules.uninvoiced_lines(lines, D("5000")) == []


def test_page_api_and_export_show_the_same_numbers(org, books, login, api):
    client = login(org.finance)
    page = client.get("/receivables/cash-forecast/?scope=company&by=week")
    assert page.status_code == 200
    forecast = page.context["forecast"]
    assert forecast.granularity == "week" and len(forecast.buckets) == 13
    answer = api(org.finance).get("/api/v1/receivables-cash-forecast/?scope=company&by=week")
    assert answer.status_code == 200
    assert D(answer.json()["totals"]["total"]) == forecast.totals.total
    export = client.get("/receivables/cash-forecast/export/?scope=company&by=week")
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[-1]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 13 + 1  # header, the weeks, the total
    assert [D(str(r[5])) for r in rows[1:-1]] == [b.total for b in forecast.buckets]
    assert D(str(rows[-1][5])) == forecast.totals.total


def test_another_teams_scope_is_not_found(org, books, login, api):
    client = login(org.rep)
    assert (
        client.get(f"/receivables/cash-forecast/?scope=rep:{org.north_rep.pk}").status_code == 404
    )
    assert (
        api(org.rep).get("/api/v1/receivables-cash-forecast/?scope=team:999999").status_code == 404
    )
    assert api(org.rep).get("/api/v1/receivables-cash-forecast/?scope=nonsense").status_code == 400
