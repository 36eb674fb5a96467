"""Invoices and credit notes (DOMAIN.md §6): what the customer owes, and what reduces it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kam.core import changes
from kam.core.models import Interface, User
from kam.receivables import permissions
from kam.receivables.models import Contract, CreditNote, CreditStatus, Installment, Invoice
from kam.receivables.services.allocation import refresh_invoices_totals, spread_unapplied_credit
from kam.receivables.services.checks import checked_amount, next_number, require
from kam.receivables.services.contracts import refresh_left_to_invoice


def issue_invoice(
    contract: Contract,
    *,
    amount: Decimal,
    issued_on: date,
    by: User,
    due_date: date | None = None,
    installment: Installment | None = None,
    number: str = "",
    via: str = Interface.WEB,
) -> Invoice:
    """Invoice (part of) a contract; any unapplied credit of the account settles it at once."""
    require(permissions.handles_money(by))
    amount = checked_amount(amount)
    if installment is not None and installment.contract_id != contract.pk:
        raise ValidationError({"installment": _("That installment belongs to another contract.")})
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        if contract.credit_status == CreditStatus.HELD:
            raise ValidationError(
                _("The contract is on credit hold: finance must release it before invoicing.")
            )
        if amount > contract.uninvoiced_amount:
            raise ValidationError(
                {
                    "amount": _("Only %(left)s of the contract is still to be invoiced.")
                    % {"left": f"{contract.uninvoiced_amount:,.2f}"}
                }
            )
        due = due_date or (
            installment.due_date
            if installment is not None
            else issued_on + timedelta(days=contract.payment_terms_days)
        )
        if due < issued_on:
            raise ValidationError(
                {"due_date": _("An invoice cannot fall due before it is issued.")}
            )
        invoice = Invoice(
            contract=contract,
            installment=installment,
            account_id=contract.account_id,
            owner_id=contract.owner_id,
            number=number.strip() or next_number("FP", Invoice, issued_on),
            issued_on=issued_on,
            due_date=due,
            due_day=due.toordinal(),
            amount=amount,
            open_amount=amount,
        )
        changes.create(invoice, by=by, via=via, clean=None)
        contract.invoiced_amount += amount
        contract.save(update_fields=["invoiced_amount"])
        refresh_left_to_invoice(contract)
        spread_unapplied_credit(contract.account, by=by, via=via)
    invoice.refresh_from_db()
    return invoice


def issue_credit_note(
    invoice: Invoice,
    *,
    amount: Decimal,
    reason: str,
    issued_on: date,
    by: User,
    number: str = "",
    via: str = Interface.WEB,
) -> CreditNote:
    """Reduce what an invoice asks for (never below what is already settled)."""
    require(permissions.handles_money(by))
    amount = checked_amount(amount)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the credit note.")})
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if amount > locked.open_amount:
            raise ValidationError(
                {
                    "amount": _("The invoice has only %(open)s open.")
                    % {"open": f"{locked.open_amount:,.2f}"}
                }
            )
        note = CreditNote(
            invoice=locked,
            number=number.strip() or next_number("HZ", CreditNote, issued_on),
            issued_on=issued_on,
            amount=amount,
            reason=reason.strip(),
            created_by=by,
        )
        changes.create(note, by=by, via=via, clean=None)
        refresh_invoices_totals([locked])
    return note
