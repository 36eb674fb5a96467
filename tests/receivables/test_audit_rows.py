"""The audit rows of the ledger: every contract, line, invoice, note and payment with its
values, and each correction with what it changed."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from kam.core.models import AuditEvent
from kam.receivables import services
from kam.receivables.models import CollectionAlert, CreditStatus, DebtorType, WriteOff
from tests.factories import AccountFactory
from tests.receivables.factories import contract_for, invoice_for, payment_for

pytestmark = pytest.mark.django_db


def last_event(instance) -> AuditEvent:  # type: ignore[no-untyped-def]
    return AuditEvent.objects.filter(
        object_type=instance._meta.label_lower, object_id=str(instance.pk)
    ).latest("pk")


def test_a_contract_and_its_plan_are_recorded_with_their_values_then_corrected(org):
    account = AccountFactory(owner=org.rep)
    contract = contract_for(
        account,
        org.finance,
        amount="100000",
        name="设备采购合同",
        installments=[services.PlannedInstallment(Decimal(60000), date(2026, 3, 31))],
    )
    created = last_event(contract)
    assert (created.action, created.actor) == (AuditEvent.Action.CREATE, org.finance)
    assert created.changes["name"] == "设备采购合同"
    assert Decimal(created.changes["amount"]) == Decimal(100000)
    assert created.changes["account_id"] == account.pk
    assert created.changes["credit_status"] == CreditStatus.CLEAR

    line = services.add_installment(
        contract, amount=Decimal(40000), due_date=date(2026, 6, 30), by=org.finance, note="尾款"
    )
    added = last_event(line)
    assert added.action == AuditEvent.Action.CREATE
    assert (added.changes["contract_id"], added.changes["note"]) == (contract.pk, "尾款")
    assert Decimal(added.changes["left_to_invoice"]) == Decimal(40000)

    services.update_contract(
        contract, by=org.finance, expected_version=contract.version, name="设备采购合同（二期）"
    )
    assert last_event(contract).changes == {"name": ["设备采购合同", "设备采购合同（二期）"]}


def test_an_invoice_a_credit_note_and_a_payment_record_their_values(org):
    account = AccountFactory(owner=org.rep)
    contract = contract_for(account, org.finance)
    invoice = invoice_for(contract, org.finance, amount="60000")
    issued = last_event(invoice).changes
    assert (issued["contract_id"], Decimal(issued["amount"])) == (contract.pk, Decimal(60000))
    assert issued["due_date"] == "2026-02-14"

    note = services.issue_credit_note(
        invoice,
        amount=Decimal(1000),
        reason="少发一台",
        issued_on=date(2026, 1, 20),
        by=org.finance,
    )
    assert last_event(note).changes["reason"] == "少发一台"

    payment = payment_for(account, org.finance, "5000", bank_reference="BR-1", allocate=False)
    received = last_event(payment).changes
    assert (received["bank_reference"], Decimal(received["amount"])) == ("BR-1", Decimal(5000))

    services.reallocate_payment(
        payment, [(invoice.pk, Decimal(5000))], by=org.finance, expected_version=payment.version
    )
    allocated = last_event(payment).changes
    assert allocated["allocations"] == [{}, {str(invoice.pk): "5000.00"}]
    assert [Decimal(v) for v in allocated["unapplied_amount"]] == [Decimal(5000), Decimal(0)]


def test_a_released_hold_and_a_debtor_type_record_the_fields_they_set(org):
    account = AccountFactory(owner=org.rep)
    services.set_credit(
        account, by=org.finance, expected_version=None, credit_limit=Decimal(1), on_hold=False
    )
    contract = contract_for(account, org.finance)
    assert contract.credit_status == CreditStatus.HELD
    services.release_credit_hold(contract, by=org.finance)
    released = last_event(contract).changes
    assert released["credit_status"] == [CreditStatus.HELD, CreditStatus.RELEASED]
    assert released["credit_released_by_id"] == [None, org.finance.pk]

    credit = services.set_debtor_type(account, DebtorType.PAYS_WHEN_PRESSED, by=org.finance)
    assert last_event(credit).changes["debtor_type"] == ["", DebtorType.PAYS_WHEN_PRESSED]


def test_a_promise_a_conversation_and_a_resolved_alert_record_their_values(org):
    account = AccountFactory(owner=org.rep)
    contract_for(account, org.finance)
    today = date.today()
    row = services.record_collection_contact(
        account,
        step="commitment",
        negotiation="lose_win",
        note="答应月底付",
        promise=services.PromiseInput(
            amount=Decimal(50000), due_on=today - timedelta(days=1), promised_by_name="王会计"
        ),
        contacted_on=today - timedelta(days=10),
        by=org.rep,
    )
    promised = last_event(row.promise)
    assert (promised.action, promised.actor) == (AuditEvent.Action.CREATE, org.rep)
    assert Decimal(promised.changes["amount"]) == Decimal(50000)
    assert promised.changes["due_on"] == (today - timedelta(days=1)).isoformat()
    assert (promised.changes["account_id"], promised.changes["promised_by_name"]) == (
        account.pk,
        "王会计",
    )
    talked = last_event(row).changes
    assert (talked["step"], talked["negotiation"], talked["note"]) == (
        "commitment",
        "lose_win",
        "答应月底付",
    )
    assert talked["promise_id"] == row.promise.pk

    # Its date has passed unpaid: it broke at once, and the owner resolves the alert.
    alert = CollectionAlert.objects.get(promise=row.promise)
    services.resolve_alert(alert, by=org.rep)
    resolved = last_event(alert)
    assert resolved.action == AuditEvent.Action.UPDATE
    assert list(resolved.changes) == ["resolved_at"]
    assert resolved.changes["resolved_at"] == [None, alert.resolved_at.isoformat()]
    services.resolve_alert(alert, by=org.rep)
    assert last_event(alert).pk == resolved.pk  # already resolved: nothing new recorded


def test_a_write_off_records_what_was_asked_and_who_decided(org):
    account = AccountFactory(owner=org.rep)
    invoice = invoice_for(contract_for(account, org.finance), org.finance, amount="60000")
    write_off = services.request_write_off(
        invoice, amount=Decimal(1000), reason="客户破产", by=org.rep
    )
    asked = last_event(write_off)
    assert (asked.action, asked.actor) == (AuditEvent.Action.CREATE, org.rep)
    assert (asked.changes["invoice_id"], asked.changes["reason"]) == (invoice.pk, "客户破产")
    assert Decimal(asked.changes["amount"]) == Decimal(1000)
    assert asked.changes["status"] == WriteOff.Status.PENDING

    decided = services.decide_write_off(write_off, approve=False, by=org.director)
    changed = last_event(write_off).changes
    assert changed["status"] == [WriteOff.Status.PENDING, WriteOff.Status.REJECTED]
    assert changed["decided_by_id"] == [None, org.director.pk]
    assert changed["decided_at"] == [None, decided.decided_at.isoformat()]
