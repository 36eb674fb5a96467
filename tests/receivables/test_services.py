"""The rules of the receivables ledger, as finance and reps meet them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kam.core.concurrency import ConflictError
from kam.pipeline.models import Status
from kam.receivables import services
from kam.receivables.models import (
    Allocation,
    CollectionAlert,
    CreditStatus,
    Excuse,
    Invoice,
    Payment,
    PaymentPromise,
    WriteOff,
)
from tests.factories import AccountFactory, ContactFactory, OpportunityFactory
from tests.pipeline.factories import new_opportunity, qualify, walk_to
from tests.receivables.factories import contract_for, invoice_for, payment_for

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def account(org):  # type: ignore[no-untyped-def]
    return AccountFactory(owner=org.rep)


def _balanced(invoice: Invoice) -> bool:
    invoice.refresh_from_db()
    return (
        invoice.amount
        == invoice.paid_amount
        + invoice.credited_amount
        + invoice.written_off_amount
        + invoice.open_amount
    )


def test_won_opportunity_becomes_a_contract_with_a_default_plan(org, account):
    deal = OpportunityFactory(account=account, status=Status.WON, amount=D("300000"))
    contract = contract_for(
        account, org.rep, amount="300000", opportunity=deal, payment_terms_days=45
    )
    assert contract.owner == org.rep and contract.number.startswith("HT2026-")
    [line] = contract.installments.all()
    assert line.amount == D("300000") and line.due_date == date(2026, 1, 10) + timedelta(days=45)
    with pytest.raises(ValidationError, match="already has a contract"):
        contract_for(account, org.rep, opportunity=deal)


def test_open_opportunity_or_bad_margin_is_refused(org, account):
    deal = OpportunityFactory(account=account)
    with pytest.raises(ValidationError, match="Only a won opportunity"):
        contract_for(account, org.rep, opportunity=deal)
    with pytest.raises(ValidationError):
        contract_for(account, org.rep, margin="120")
    with pytest.raises(ValidationError):
        contract_for(account, org.rep, amount="-5")


def test_payment_plan_cannot_exceed_the_contract(org, account):
    contract = contract_for(
        account,
        org.rep,
        installments=[services.PlannedInstallment(D("60000"), date(2026, 2, 1), "delivery")],
    )
    services.add_installment(contract, amount=D("40000"), due_date=date(2026, 5, 1), by=org.rep)
    with pytest.raises(ValidationError, match="more than the contract"):
        services.add_installment(contract, amount=D("0.01"), due_date=date(2026, 6, 1), by=org.rep)


def test_a_payment_is_spread_oldest_first_and_the_rest_kept_as_unapplied_credit(org, account):
    contract = contract_for(account, org.finance, amount="300000")
    older = invoice_for(contract, org.finance, amount="100000", issued_on=date(2026, 1, 15))
    newer = invoice_for(contract, org.finance, amount="100000", issued_on=date(2026, 2, 15))
    payment = payment_for(account, org.finance, "250000", bank_reference="CMB-001")
    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.open_amount == 0 and older.paid_on == date(2026, 2, 1)
    assert newer.open_amount == 0
    assert payment.unapplied_amount == D("50000")
    # The credit is never lost: the next invoice takes it.
    third = invoice_for(contract, org.finance, amount="80000", issued_on=date(2026, 3, 1))
    assert third.open_amount == D("30000") and third.paid_amount == D("50000")
    payment.refresh_from_db()
    assert payment.unapplied_amount == 0


def test_partial_payment_leaves_the_rest_open(org, account):
    invoice = invoice_for(contract_for(account, org.finance), org.finance)
    payment_for(account, org.finance, "30000")
    invoice.refresh_from_db()
    assert invoice.open_amount == D("70000") and invoice.paid_on is None
    assert _balanced(invoice)


def test_bad_payments_are_refused_with_nothing_changed(org, account):
    invoice_for(contract_for(account, org.finance), org.finance)
    with pytest.raises(ValidationError, match="greater than zero"):
        payment_for(account, org.finance, "-100")
    with pytest.raises(ValidationError, match="exchange rate"):
        payment_for(account, org.finance, "1000", currency="USD")
    assert not Payment.objects.exists()
    usd = payment_for(account, org.finance, "1000", currency="USD", exchange_rate=D("7.1"))
    assert usd.amount == D("7100.00") and usd.original_amount == D("1000")


def test_the_same_bank_reference_twice_is_a_probable_duplicate(org, account):
    first = payment_for(account, org.finance, "1000", bank_reference="ICBC-77")
    with pytest.raises(services.ProbableDuplicate, match="Probable duplicate"):
        payment_for(account, org.finance, "1000", bank_reference="ICBC-77")
    assert Payment.objects.count() == 1
    second = payment_for(
        account, org.finance, "1000", bank_reference="ICBC-77", confirm_duplicate=True
    )
    assert second.possible_duplicate_of == first


def test_reallocation_that_does_not_add_up_is_refused(org, account):
    contract = contract_for(account, org.finance, amount="300000")
    a = invoice_for(contract, org.finance, amount="100000")
    b = invoice_for(contract, org.finance, amount="100000", issued_on=date(2026, 2, 1))
    payment = payment_for(account, org.finance, "50000")
    other = invoice_for(contract_for(AccountFactory(owner=org.rep), org.finance), org.finance)
    cases = [
        [(a.pk, D("60000"))],  # more than the payment
        [(a.pk, D("-1"))],  # negative
        [(other.pk, D("100"))],  # another account's invoice
    ]
    for lines in cases:
        with pytest.raises(ValidationError):
            services.reallocate_payment(
                payment, lines, by=org.finance, expected_version=payment.version
            )
    assert Allocation.objects.get(payment=payment).invoice == a
    moved = services.reallocate_payment(
        payment,
        [(b.pk, D("20000")), (a.pk, D("10000"))],
        by=org.finance,
        expected_version=payment.version,
    )
    assert moved.unapplied_amount == D("20000")
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.open_amount == D("90000") and b.open_amount == D("80000")


def test_two_people_allocating_one_payment_conflict_instead_of_double_spending(org, account):
    contract = contract_for(account, org.finance, amount="200000")
    a = invoice_for(contract, org.finance, amount="100000")
    b = invoice_for(contract, org.finance, amount="100000", issued_on=date(2026, 2, 1))
    payment = payment_for(account, org.finance, "100000", allocate=False)
    loaded_by_first = payment.version
    loaded_by_second = payment.version
    services.reallocate_payment(
        payment, [(a.pk, D("100000"))], by=org.finance, expected_version=loaded_by_first
    )
    with pytest.raises(ConflictError):
        services.reallocate_payment(
            payment, [(b.pk, D("100000"))], by=org.admin, expected_version=loaded_by_second
        )
    assert Allocation.objects.filter(payment=payment).aggregate(s=Sum("amount"))["s"] == D("100000")
    b.refresh_from_db()
    assert b.open_amount == D("100000")


def test_credit_note_and_write_off_reduce_what_is_owed(org, account):
    invoice = invoice_for(contract_for(account, org.finance), org.finance)
    services.issue_credit_note(
        invoice, amount=D("10000"), reason="价格折让", issued_on=date(2026, 2, 1), by=org.finance
    )
    with pytest.raises(ValidationError, match="reason"):
        services.request_write_off(invoice, amount=D("100"), reason=" ", by=org.rep)
    write_off = services.request_write_off(
        invoice, amount=D("90000"), reason="客户破产清算", by=org.rep
    )
    invoice.refresh_from_db()
    assert invoice.open_amount == D("90000"), "a write-off counts only once approved"
    with pytest.raises(PermissionDenied):
        services.decide_write_off(write_off, approve=True, by=org.rep2)
    services.decide_write_off(write_off, approve=True, by=org.director)
    invoice.refresh_from_db()
    assert invoice.open_amount == 0 and invoice.written_off_amount == D("90000")
    assert _balanced(invoice)


def test_nobody_approves_their_own_write_off(org, account):
    invoice = invoice_for(contract_for(account, org.finance), org.finance)
    write_off = services.request_write_off(invoice, amount=D("1000"), reason="坏账", by=org.finance)
    with pytest.raises(ValidationError, match="someone other"):
        services.decide_write_off(write_off, approve=True, by=org.finance)
    assert WriteOff.objects.get().status == WriteOff.Status.PENDING


def test_finance_writes_money_reps_do_not(org, account):
    contract = contract_for(account, org.rep)
    with pytest.raises(PermissionDenied):
        invoice_for(contract, org.rep)
    with pytest.raises(PermissionDenied):
        payment_for(account, org.rep, "100")
    with pytest.raises(PermissionDenied):
        services.record_promise(account, amount=D(1), due_on=date(2030, 1, 1), by=org.north_rep)


def test_credit_limit_exposure_and_hold(org, account):
    credit = services.account_credit(account)
    services.set_credit(
        account,
        by=org.finance,
        expected_version=credit.version,
        credit_limit=D("150000"),
        on_hold=False,
    )
    contract = contract_for(account, org.rep, amount="100000")
    invoice_for(contract, org.finance, amount="60000")
    assert services.credit_exposure(account) == D("100000")  # 60k open + 40k not invoiced
    check = services.credit_check(account, D("80000"))
    assert not check.ok and "150,000.00" in check.message
    held = contract_for(account, org.rep, amount="80000")
    assert held.credit_status == CreditStatus.HELD
    with pytest.raises(ValidationError, match="credit hold"):
        invoice_for(held, org.finance, amount="1000")
    with pytest.raises(PermissionDenied):
        services.release_credit_hold(held, by=org.rep)
    services.release_credit_hold(held, by=org.finance)
    invoice_for(held, org.finance, amount="1000")
    with pytest.raises(ConflictError):
        services.set_credit(
            account,
            by=org.finance,
            expected_version=credit.version,
            credit_limit=None,
            on_hold=False,
        )


def test_a_deal_entering_commitment_past_the_credit_limit_warns_without_blocking(org, account):
    """Receivables answers the pipeline's credit question (a provider, not an import)."""
    credit = services.account_credit(account)
    services.set_credit(
        account,
        by=org.finance,
        expected_version=credit.version,
        credit_limit=D("50000"),
        on_hold=False,
    )
    small = walk_to(qualify(new_opportunity(account, amount=D("10000"))), "commitment")
    assert small.stage.key == "commitment" and small.credit_warning == ""
    large = walk_to(qualify(new_opportunity(account, amount=D("80000"))), "comparison")
    moved = walk_to(large, "commitment")
    assert moved.stage.key == "commitment"
    assert "50,000.00" in moved.credit_warning and "finance must approve" in moved.credit_warning


def test_promise_kept_by_payment_broken_when_its_date_passes(org, account):
    contract = contract_for(account, org.finance)
    invoice_for(contract, org.finance)
    contact = ContactFactory(account=account)
    today = date.today()
    kept = services.record_promise(
        account, amount=D("20000"), due_on=today + timedelta(days=5), contact=contact, by=org.rep
    )
    broken = services.record_promise(
        account,
        amount=D("50000"),
        made_on=today - timedelta(days=20),
        due_on=today - timedelta(days=1),
        by=org.rep,
    )
    # A promise already past its date with no payment breaks at once, with an alert for the owner.
    broken.refresh_from_db()
    assert broken.status == PaymentPromise.Status.BROKEN
    assert CollectionAlert.objects.get(promise=broken).user == org.rep
    payment_for(account, org.finance, "20000", received_on=today)
    kept.refresh_from_db()
    assert kept.status == PaymentPromise.Status.KEPT and kept.promised_by == contact.name


def test_collection_contact_records_power_step_excuse_and_promise(org, account):
    excuse = Excuse.objects.get(key="money_sent")
    row = services.record_collection_contact(
        account,
        step="commitment",
        negotiation="lose_win",
        excuse=excuse,
        next_step="两天后核对到账",
        next_step_on=date.today() + timedelta(days=2),
        promise=services.PromiseInput(amount=D("10000"), due_on=date.today() + timedelta(days=3)),
        by=org.rep,
    )
    assert row.promise.amount == D("10000") and "汇款" in excuse.response_zh
    assert (row.negotiation, row.outcome) == ("lose_win", "ar")
    with pytest.raises(ValidationError):
        services.record_collection_contact(
            account, step="shouting", negotiation="lose_win", by=org.rep
        )


@pytest.mark.parametrize(
    ("negotiation", "brought_in"),
    [("win_win", "cash"), ("win_lose", "cash_ar"), ("lose_win", "ar"), ("lose_lose", "ar")],
)
def test_the_four_negotiation_outcomes_are_kept_apart(org, account, negotiation, brought_in):
    row = services.record_collection_contact(
        account, step="commitment", negotiation=negotiation, by=org.rep
    )
    assert (row.negotiation, row.outcome) == (negotiation, brought_in)


def test_a_collection_contact_needs_one_of_the_four_outcomes(org, account):
    with pytest.raises(ValidationError) as refused:
        services.record_collection_contact(account, step="commitment", negotiation="ar", by=org.rep)
    assert "four outcomes" in str(refused.value)


def test_debtor_type_is_editable_by_who_works_the_account(org, account):
    assert (
        services.set_debtor_type(account, "when_pressed", by=org.rep).debtor_type == "when_pressed"
    )
    with pytest.raises(ValidationError):
        services.set_debtor_type(account, "never", by=org.rep)


# --- the money invariant, over generated sequences of operations --------------

operation = st.one_of(
    st.tuples(st.just("invoice"), st.integers(1, 50_000)),
    st.tuples(st.just("pay"), st.integers(1, 80_000), st.booleans()),
    st.tuples(st.just("credit_note"), st.integers(0, 9), st.integers(1, 20_000)),
    st.tuples(st.just("write_off"), st.integers(0, 9), st.integers(1, 20_000), st.booleans()),
    st.tuples(
        st.just("reallocate"),
        st.integers(0, 9),
        st.lists(st.tuples(st.integers(0, 9), st.integers(1, 40_000)), max_size=3),
    ),
    st.tuples(st.just("apply_credit")),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=st.lists(operation, min_size=1, max_size=12))
def test_money_always_balances(org, ops):
    """invoiced − credited = paid + open + written off; payments = allocated + unapplied."""
    from django.db import transaction

    with transaction.atomic():
        account = AccountFactory(owner=org.rep)
        contract = contract_for(account, org.rep, amount="1000000")
        day = date(2026, 1, 1)
        for op in ops:
            day += timedelta(days=3)
            invoices = list(Invoice.objects.filter(account=account).order_by("pk"))
            payments = list(Payment.objects.filter(account=account).order_by("pk"))
            try:
                if op[0] == "invoice":
                    services.issue_invoice(contract, amount=D(op[1]), issued_on=day, by=org.finance)
                elif op[0] == "pay":
                    payment_for(account, org.finance, str(op[1]), received_on=day, allocate=op[2])
                elif op[0] == "credit_note" and invoices:
                    inv = invoices[op[1] % len(invoices)]
                    services.issue_credit_note(
                        inv, amount=D(op[2]), reason="折让", issued_on=day, by=org.finance
                    )
                elif op[0] == "write_off" and invoices:
                    inv = invoices[op[1] % len(invoices)]
                    w = services.request_write_off(inv, amount=D(op[2]), reason="坏账", by=org.rep)
                    services.decide_write_off(w, approve=op[3], by=org.finance)
                elif op[0] == "reallocate" and payments and invoices:
                    p = payments[op[1] % len(payments)]
                    p.refresh_from_db()
                    lines = [(invoices[i % len(invoices)].pk, D(a)) for i, a in op[2]]
                    services.reallocate_payment(
                        p, lines, by=org.finance, expected_version=p.version
                    )
                elif op[0] == "apply_credit":
                    services.apply_unapplied_credit(account, by=org.finance)
            except ValidationError:
                pass  # refused: nothing may have changed, which the checks below verify
            _assert_books_balance(account)
        transaction.set_rollback(True)


def _assert_books_balance(account):  # type: ignore[no-untyped-def]
    invoices = Invoice.objects.filter(account=account)
    for inv in invoices:
        allocated = inv.allocations.aggregate(s=Sum("amount"))["s"] or 0
        credited = inv.credit_notes.aggregate(s=Sum("amount"))["s"] or 0
        written = inv.write_offs.filter(status="approved").aggregate(s=Sum("amount"))["s"] or 0
        assert inv.paid_amount == allocated and inv.credited_amount == credited
        assert inv.written_off_amount == written
        assert inv.amount == allocated + credited + written + inv.open_amount
        assert inv.open_amount >= 0
    for p in Payment.objects.filter(account=account):
        allocated = p.allocations.aggregate(s=Sum("amount"))["s"] or 0
        assert p.amount == allocated + p.unapplied_amount and p.unapplied_amount >= 0
    totals = invoices.aggregate(
        invoiced=Sum("amount"),
        paid=Sum("paid_amount"),
        credited=Sum("credited_amount"),
        open=Sum("open_amount"),
        written=Sum("written_off_amount"),
    )
    if totals["invoiced"] is not None:
        assert (
            totals["invoiced"] - totals["credited"]
            == totals["paid"] + totals["open"] + totals["written"]
        )
    received = Payment.objects.filter(account=account).aggregate(
        s=Sum("amount"), u=Sum("unapplied_amount")
    )
    if received["s"] is not None:
        assert received["s"] == (totals["paid"] or 0) + received["u"]


def test_a_contract_s_terms_are_corrected_and_a_default_plan_follows(org, account):
    contract = contract_for(account, org.rep, amount="100000")
    services.update_contract(
        contract,
        by=org.rep,
        expected_version=contract.version,
        amount=D("150000"),
        payment_terms_days=45,
        gross_margin_pct=D("18.5"),
    )
    contract.refresh_from_db()
    assert contract.amount == D("150000") and contract.gross_margin_pct == D("18.5")
    [line] = contract.installments.all()
    assert line.amount == D("150000") and line.due_date == date(2026, 1, 10) + timedelta(days=45)
    with pytest.raises(ConflictError):
        services.update_contract(contract, by=org.rep, expected_version=1, name="改名")
    with pytest.raises(ValidationError, match="0 to 100"):
        services.update_contract(
            contract, by=org.rep, expected_version=None, gross_margin_pct=D("101")
        )
    with pytest.raises(PermissionDenied):
        services.update_contract(contract, by=org.north_rep, expected_version=None, name="偷改")


def test_a_drawn_up_plan_stays_and_bounds_the_contract(org, account):
    contract = contract_for(
        account,
        org.rep,
        installments=[services.PlannedInstallment(D("60000"), date(2026, 2, 1), "delivery")],
    )
    services.update_contract(contract, by=org.rep, expected_version=None, amount=D("80000"))
    [line] = contract.installments.all()
    assert line.amount == D("60000") and line.due_date == date(2026, 2, 1)
    with pytest.raises(ValidationError, match=r"payment plan adds up to 60,000\.00"):
        services.update_contract(contract, by=org.rep, expected_version=None, amount=D("50000"))
