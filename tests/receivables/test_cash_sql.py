"""The cash forecast bucketed by the database (kam.receivables.cash) gives, cent for cent,
what the rules of kam.receivables.calculations give when applied to the rows in Python."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from django.db.models import Avg, F, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kam.accounts.visibility import scope_to_visible_accounts
from kam.forecasting.scopes import resolve_scope
from kam.pipeline.models import Opportunity, Status
from kam.receivables import calculations, cash, selectors, services
from kam.receivables.models import Contract, Installment, Invoice, PaymentHabit
from kam.receivables.selectors import (
    CASH_HORIZON,
    DEFAULT_TERMS_DAYS,
    DELAY_HISTORY_DAYS,
    visible_contracts,
    visible_invoices,
)
from tests.factories import AccountFactory
from tests.forecasting.factories import STAGE_KEYS, deal
from tests.receivables import cash_rules as rules
from tests.receivables.factories import contract_for

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 10)
D = Decimal


def python_forecast(user, scope, granularity, today):  # type: ignore[no-untyped-def]
    """The forecast as it was computed before the database bucketed it: every row read,
    each date moved in Python, then ``calculations.cash_forecast``."""
    count = CASH_HORIZON[granularity]
    horizon_end = calculations.cash_bucket_starts(today, granularity, count + 1)[-1]
    invoice_rows = list(
        scope.filter(visible_invoices(user))
        .filter(open_amount__gt=0)
        .values("account_id", "due_date")
        .annotate(amount=Sum("open_amount"))
        .order_by()
    )
    open_contracts = scope.filter(visible_contracts(user)).filter(amount__gt=F("invoiced_amount"))
    plans = defaultdict(list)
    for contract_id, due_date, amount in (
        Installment.objects.filter(contract__in=open_contracts.values("pk"))
        .order_by("contract_id", "due_date", "sequence")
        .values_list("contract_id", "due_date", "amount")
    ):
        plans[contract_id].append((due_date, amount))
    installment_rows = [
        (account_id, due_date, remainder)
        for contract_id, account_id, invoiced in open_contracts.values_list(
            "pk", "account_id", "invoiced_amount"
        )
        for due_date, remainder in rules.uninvoiced_lines(plans[contract_id], invoiced)
    ]
    deal_rows = list(
        scope.filter(
            scope_to_visible_accounts(Opportunity.objects.all(), user).filter(
                status=Status.OPEN, expected_close_date__lt=horizon_end
            )
        )
        .values("account_id", "expected_close_date", "stage__win_rate", "amount")
        .order_by()
    )
    since = today - timedelta(days=DELAY_HISTORY_DAYS)
    lateness = defaultdict(list)
    for account_id, paid_on, due_date in Invoice.objects.filter(paid_on__gte=since).values_list(
        "account_id", "paid_on", "due_date"
    ):
        lateness[account_id].append((paid_on - due_date).days)
    delays = {a: rules.habitual_delay_days(sum(days) / len(days)) for a, days in lateness.items()}
    terms = {
        r["account_id"]: int(r["days"])
        for r in Contract.objects.values("account_id")
        .annotate(days=Avg("payment_terms_days"))
        .order_by()
    }
    items = []
    for r in invoice_rows:
        when = rules.expected_payment_date(r["due_date"], delays.get(r["account_id"], 0), today)
        items.append(rules.CashItem(when, r["amount"], calculations.INVOICES))
    for account_id, due_date, remainder in installment_rows:
        when = rules.expected_payment_date(due_date, delays.get(account_id, 0), today)
        items.append(rules.CashItem(when, remainder, calculations.INSTALLMENTS))
    for r in deal_rows:
        account = r["account_id"]
        close = max(r["expected_close_date"], today)
        days = terms.get(account, DEFAULT_TERMS_DAYS) + delays.get(account, 0)
        weighted = (r["amount"] * r["stage__win_rate"] / calculations.HUNDRED).quantize(
            calculations.CENT, ROUND_HALF_UP
        )
        items.append(rules.CashItem(close + timedelta(days=days), weighted, calculations.PIPELINE))
    return rules.cash_forecast(items, today=today, granularity=granularity, count=count)


def stored_habits() -> list[tuple[int, int, int | None]]:
    return list(
        PaymentHabit.objects.order_by("account_id").values_list(
            "account_id", "delay_days", "terms_days"
        )
    )


money = st.integers(100, 5_000_000).map(lambda cents: D(cents) / 100)
days = st.integers(-200, 240)
contracts = st.lists(
    st.tuples(
        st.integers(0, 2),  # which account
        money,  # amount
        st.sampled_from([15, 30, 45, 60]),  # payment terms
        st.integers(0, 2),  # plan lines (0: one line after the terms)
        st.floats(0, 1),  # share invoiced
        days,  # invoice due, days from today
        st.one_of(st.none(), st.integers(-30, 90)),  # paid that many days after due, if paid
    ),
    max_size=5,
)
deals = st.lists(st.tuples(st.integers(0, 2), money, st.sampled_from(STAGE_KEYS), days), max_size=5)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    contracts=contracts,
    deals_plan=deals,
    granularity=st.sampled_from(["week", "month"]),
    stored=st.booleans(),
)
def test_the_database_buckets_what_python_buckets(org, contracts, deals_plan, granularity, stored):  # type: ignore[no-untyped-def]
    """With the habits computed by the forecast, and with the habits the services store
    (the table refreshed for today before the first contract, then kept by each contract
    and payment): the same cents as the rules applied in Python."""
    with transaction.atomic():
        if stored:
            services.refresh_payment_habits(as_of=TODAY)
        accounts = [
            AccountFactory(owner=org.rep),
            AccountFactory(owner=org.rep2),
            AccountFactory(owner=org.north_rep),
        ]
        for n, (which, amount, terms, lines, share, due_in, paid_after) in enumerate(contracts):
            signed = TODAY - timedelta(days=250)
            plan = None
            if lines:
                part = (amount / lines).quantize(D("0.01"))
                plan = [
                    services.PlannedInstallment(
                        part if i < lines - 1 else amount - part * (lines - 1),
                        TODAY + timedelta(days=due_in + 30 * i),
                    )
                    for i in range(lines)
                ]
            contract = contract_for(
                accounts[which],
                org.finance,
                amount=str(amount),
                signed_on=signed,
                payment_terms_days=terms,
                installments=plan,
                number=f"HT-{n}",
            )
            invoiced = (amount * D(str(share))).quantize(D("0.01"))
            if invoiced <= 0:
                continue
            due = TODAY + timedelta(days=due_in)
            invoice = services.issue_invoice(
                contract,
                amount=invoiced,
                issued_on=min(due, TODAY) - timedelta(days=30),
                due_date=due,
                by=org.finance,
            )
            paid_on = due + timedelta(days=paid_after) if paid_after is not None else None
            if paid_on is not None and paid_on <= TODAY:
                services.record_payment(
                    account=accounts[which],
                    amount=invoice.amount,
                    received_on=paid_on,
                    by=org.finance,
                    confirm_duplicate=True,
                )
        for which, amount, stage, close_in in deals_plan:
            deal(accounts[which], str(amount), stage, close=TODAY + timedelta(days=close_in))

        habits = selectors.payment_habits(org.finance, TODAY)
        assert (habits == cash.STORED_HABITS) is stored
        if stored:
            kept = stored_habits()
            services.refresh_payment_habits(as_of=TODAY)
            assert kept == stored_habits()
        for user, scope in (
            (org.finance, "company"),
            (org.rep, None),
            (org.east_manager, None),
            (org.director, f"rep:{org.rep2.pk}"),
        ):
            resolved = resolve_scope(user, scope)
            forecast = selectors.cash_forecast(user, resolved, granularity, today=TODAY)
            buckets, later = python_forecast(user, resolved, granularity, TODAY)
            assert [
                (b.start, b.end, b.invoices, b.installments, b.pipeline) for b in forecast.buckets
            ] == [(b.start, b.end, b.invoices, b.installments, b.pipeline) for b in buckets]
            assert forecast.later == later
        transaction.set_rollback(True)
