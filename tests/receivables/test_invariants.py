"""Money always balances (issue 7, "Bad input"), checked with Hypothesis against a shadow ledger.

For random sequences over two accounts of invoices, payments (over-payments,
negative amounts and foreign currency included), credit notes and write-offs:

* per invoice: invoiced (net of credit notes) = paid + open + written off;
* per account and for the company: the same, and the aging report adds up to
  what is open;
* nothing lost: every yuan accepted is either allocated to an invoice of its own
  account or kept as unapplied credit, and a refused operation changes nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kam.receivables import selectors, services
from kam.receivables.models import Allocation, Invoice, Payment, WriteOff
from tests.factories import AccountFactory
from tests.receivables.factories import contract_for

pytestmark = pytest.mark.django_db
D = Decimal
ZERO = D("0.00")

amount = st.integers(-500, 60_000).map(lambda cents: D(cents) * 10 / 100)
account_index = st.integers(0, 1)
invoice_pick = st.integers(0, 20)

operation = st.one_of(
    st.tuples(st.just("invoice"), account_index, amount, st.integers(-20, 120)),
    st.tuples(
        st.just("pay"),
        account_index,
        amount,
        st.sampled_from(["CNY", "CNY", "USD"]),
        st.booleans(),
    ),
    st.tuples(st.just("credit_note"), account_index, invoice_pick, amount),
    st.tuples(st.just("write_off"), account_index, invoice_pick, amount, st.booleans()),
    st.tuples(st.just("apply_credit"), account_index),
)


def _snapshot() -> tuple[object, ...]:
    return (
        tuple(
            Invoice.objects.order_by("pk").values_list(
                "pk", "paid_amount", "credited_amount", "written_off_amount", "open_amount"
            )
        ),
        tuple(Payment.objects.order_by("pk").values_list("pk", "amount", "unapplied_amount")),
        tuple(Allocation.objects.order_by("pk").values_list("payment_id", "invoice_id", "amount")),
        WriteOff.objects.filter(status=WriteOff.Status.APPROVED).count(),
    )


def _sum(queryset, field: str) -> Decimal:  # type: ignore[no-untyped-def]
    return queryset.aggregate(s=Sum(field))["s"] or ZERO


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=st.lists(operation, min_size=1, max_size=14))
def test_invoiced_equals_paid_plus_open_plus_written_off_and_nothing_is_lost(org, ops):  # type: ignore[no-untyped-def]
    with transaction.atomic():
        accounts = [AccountFactory(owner=org.rep), AccountFactory(owner=org.north_rep)]
        contracts = [contract_for(a, org.finance, amount="10000000") for a in accounts]
        received = [ZERO, ZERO]  # the shadow ledger: cash each account paid us
        invoiced = [ZERO, ZERO]
        day = date(2026, 1, 1)
        for op in ops:
            day += timedelta(days=5)
            kind, index = op[0], op[1]
            account = accounts[index]
            invoices = list(Invoice.objects.filter(account=account).order_by("pk"))
            before = _snapshot()
            try:
                if kind == "invoice":
                    services.issue_invoice(
                        contracts[index],
                        amount=op[2],
                        issued_on=day,
                        due_date=day + timedelta(days=max(op[3], 0)),
                        by=org.finance,
                    )
                    invoiced[index] += op[2]
                elif kind == "pay":
                    payment = services.record_payment(
                        account=account,
                        amount=op[2],
                        received_on=day,
                        currency=op[3],
                        exchange_rate=D("7.1") if op[3] != "CNY" else None,
                        allocate=op[4],
                        by=org.finance,
                    )
                    received[index] += payment.amount
                elif kind == "credit_note" and invoices:
                    services.issue_credit_note(
                        invoices[op[2] % len(invoices)],
                        amount=op[3],
                        reason="折让",
                        issued_on=day,
                        by=org.finance,
                    )
                elif kind == "write_off" and invoices:
                    request = services.request_write_off(
                        invoices[op[2] % len(invoices)],
                        amount=op[3],
                        reason="坏账",
                        by=account.owner,
                    )
                    services.decide_write_off(request, approve=op[4], by=org.finance)
                elif kind == "apply_credit":
                    services.apply_unapplied_credit(account, by=org.finance)
            except ValidationError:
                if (
                    kind != "write_off"
                ):  # a write-off request may stay pending, which moves no money
                    assert _snapshot() == before, f"refused {kind} changed the books"
            for i, acc in enumerate(accounts):
                _assert_account_balances(acc, received[i], invoiced[i])
        _assert_company_balances(org, accounts, sum(received, ZERO))
        transaction.set_rollback(True)


def _assert_account_balances(account, received: Decimal, invoiced: Decimal) -> None:  # type: ignore[no-untyped-def]
    invoices = Invoice.objects.filter(account=account)
    for invoice in invoices:
        allocated = _sum(invoice.allocations.all(), "amount")
        credited = _sum(invoice.credit_notes.all(), "amount")
        written_off = _sum(invoice.write_offs.filter(status=WriteOff.Status.APPROVED), "amount")
        assert invoice.paid_amount == allocated
        assert invoice.amount - credited == allocated + invoice.open_amount + written_off
        assert invoice.open_amount >= 0
    assert _sum(invoices, "amount") == invoiced
    net_invoiced = invoiced - _sum(invoices, "credited_amount")
    paid = _sum(invoices, "paid_amount")
    assert net_invoiced == paid + _sum(invoices, "open_amount") + _sum(
        invoices, "written_off_amount"
    )
    payments = Payment.objects.filter(account=account)
    # Nothing lost: what came in is on this account's invoices or waits as its credit.
    assert _sum(payments, "amount") == received
    assert received == paid + _sum(payments, "unapplied_amount")
    assert (
        not Allocation.objects.filter(payment__account=account)
        .exclude(invoice__account=account)
        .exists()
    )


def _assert_company_balances(org, accounts, received: Decimal) -> None:  # type: ignore[no-untyped-def]
    invoices = Invoice.objects.filter(account__in=accounts)
    report = selectors.aging(org.finance, "company")
    assert report.totals.total == _sum(invoices, "open_amount")
    by_account = selectors.aging(org.finance, "account")
    assert sum((r.total for r in by_account.rows), ZERO) == report.totals.total
    assert received == _sum(invoices, "paid_amount") + _sum(
        Payment.objects.filter(account__in=accounts), "unapplied_amount"
    )
