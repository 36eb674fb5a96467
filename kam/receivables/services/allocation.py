"""Payments spread over invoices (DOMAIN.md §6), and each invoice's running totals kept
in step with its ledger rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.models import Account
from kam.core import changes
from kam.core.concurrency import ConflictError, save_versioned
from kam.core.models import Interface, User
from kam.receivables import calculations, permissions
from kam.receivables.models import ZERO, Allocation, Invoice, Payment, WriteOff
from kam.receivables.services.checks import checked_amount, require
from kam.receivables.services.collection import settle_promises
from kam.receivables.services.habits import refresh_payment_habits


def refresh_invoice_totals(invoice: Invoice) -> bool:
    """Recompute the running totals of a locked invoice from its ledger rows; returns
    whether its paid-on day moved (call :func:`refresh_invoices_totals`, which keeps the
    payment habits)."""
    paid = invoice.allocations.aggregate(s=Sum("amount"), last=Max("payment__received_on"))
    credited = invoice.credit_notes.aggregate(s=Sum("amount"))["s"] or ZERO
    written_off = (
        invoice.write_offs.filter(status=WriteOff.Status.APPROVED).aggregate(s=Sum("amount"))["s"]
        or ZERO
    )
    invoice.paid_amount = paid["s"] or ZERO
    invoice.credited_amount = credited
    invoice.written_off_amount = written_off
    invoice.open_amount = invoice.amount - invoice.paid_amount - credited - written_off
    if invoice.open_amount < 0:
        raise ValidationError(_("That would settle more than the invoice asks for."))
    paid_on = invoice.paid_on
    invoice.paid_on = paid["last"] if invoice.open_amount == 0 and invoice.paid_amount > 0 else None
    invoice.save(
        update_fields=[
            "paid_amount",
            "credited_amount",
            "written_off_amount",
            "open_amount",
            "paid_on",
        ]
    )
    return invoice.paid_on != paid_on


def refresh_invoices_totals(invoices: Iterable[Invoice]) -> None:
    """:func:`refresh_invoice_totals` of each, then the payment habits of the accounts
    whose invoices became paid (or no longer): their habitual delay counts them
    differently. Once per account, however many of its invoices one payment settles."""
    moved = {invoice.account_id for invoice in invoices if refresh_invoice_totals(invoice)}
    if moved:
        refresh_payment_habits(moved)


def spread_unapplied_credit(
    account: Account, *, by: User | None, via: str, payments: Iterable[int] | None = None
) -> None:
    """Spread unapplied credit over the account's open invoices, oldest due first."""
    credit = Payment.objects.select_for_update().filter(account=account, unapplied_amount__gt=0)
    if payments is not None:
        credit = credit.filter(pk__in=list(payments))
    credit_rows = list(credit.order_by("received_on", "pk"))
    if not credit_rows:
        return
    invoices = list(
        Invoice.objects.select_for_update()
        .filter(account=account, open_amount__gt=0)
        .order_by("due_date", "pk")
    )
    open_left = {i.pk: i.open_amount for i in invoices}
    touched: set[int] = set()
    for payment in credit_rows:
        lines, rest = calculations.allocate_oldest_first(
            payment.unapplied_amount, [(i.pk, open_left[i.pk]) for i in invoices]
        )
        for invoice_id, part in lines:
            existing = Allocation.objects.filter(payment=payment, invoice_id=invoice_id).first()
            if existing:
                existing.amount += part
                existing.save(update_fields=["amount"])
            else:
                Allocation.objects.create(
                    payment=payment, invoice_id=invoice_id, amount=part, created_by=by
                )
            open_left[invoice_id] -= part
            touched.add(invoice_id)
        if lines:
            payment.unapplied_amount = rest
            save_versioned(payment, None, ["unapplied_amount"])
    refresh_invoices_totals(invoice for invoice in invoices if invoice.pk in touched)


def apply_unapplied_credit(account: Account, *, by: User, via: str = Interface.WEB) -> None:
    """Use the account's unapplied credit on its open invoices, oldest first."""
    require(permissions.handles_money(by))
    with transaction.atomic():
        spread_unapplied_credit(account, by=by, via=via)
        settle_promises(account, today=timezone.localdate())


def reallocate_payment(
    payment: Payment,
    lines: Sequence[tuple[int, Decimal]],
    *,
    by: User,
    expected_version: int | None,
    via: str = Interface.WEB,
) -> Payment:
    """Replace a payment's allocations with ``lines`` of (invoice id, amount).

    Refused, with nothing changed, when the lines do not add up: a negative or
    zero amount, an invoice of another account, more than an invoice still
    owes, or more than the payment. Two people allocating one payment at once:
    the second gets a conflict, never a double spend (the payment row is locked
    and its version checked).
    """
    require(permissions.handles_money(by))
    wanted: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for invoice_id, amount in lines:
        wanted[int(invoice_id)] += checked_amount(amount)
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if expected_version is not None and locked.version != expected_version:
            raise ConflictError(payment, {"version": locked.version})
        total = sum(wanted.values(), ZERO)
        if total > locked.amount:
            raise ValidationError(
                _("The allocations add up to %(total)s, more than the payment of %(amount)s.")
                % {"total": f"{total:,.2f}", "amount": f"{locked.amount:,.2f}"}
            )
        current = {a.invoice_id: a for a in locked.allocations.all()}
        invoice_ids = set(wanted) | set(current)
        invoices = {
            i.pk: i
            for i in Invoice.objects.select_for_update().filter(pk__in=invoice_ids).order_by("pk")
        }
        for invoice_id, amount in wanted.items():
            invoice = invoices.get(invoice_id)
            if invoice is None or invoice.account_id != locked.account_id:
                raise ValidationError(_("An invoice of another account cannot take this payment."))
            mine = current[invoice_id].amount if invoice_id in current else ZERO
            if amount > invoice.open_amount + mine:
                raise ValidationError(
                    _("Invoice %(number)s owes only %(open)s.")
                    % {"number": invoice.number, "open": f"{invoice.open_amount + mine:,.2f}"}
                )
        before = {str(k): str(v.amount) for k, v in current.items()}
        with changes.tracked(locked, by=by, via=via, always=True) as changed:
            locked.allocations.all().delete()
            Allocation.objects.bulk_create(
                Allocation(payment=locked, invoice_id=invoice_id, amount=amount, created_by=by)
                for invoice_id, amount in wanted.items()
            )
            refresh_invoices_totals(invoices.values())
            locked.unapplied_amount = locked.amount - total
            save_versioned(locked, locked.version, ["unapplied_amount"])
            # The allocations are rows of their own: the payment's event keeps them, by invoice.
            changed["allocations"] = [before, {str(k): str(v) for k, v in wanted.items()}]
        settle_promises(locked.account, today=timezone.localdate())
    return locked
