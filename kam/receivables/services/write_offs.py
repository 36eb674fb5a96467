"""Bad debt written off (DOMAIN.md §6): asked for by anyone who works the collection,
counted once finance or a director approves."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core import changes
from kam.core.models import Interface, User
from kam.receivables import permissions
from kam.receivables.models import ZERO, Invoice, WriteOff
from kam.receivables.services.allocation import refresh_invoices_totals
from kam.receivables.services.checks import checked_amount, require


def request_write_off(
    invoice: Invoice, *, amount: Decimal, reason: str, by: User, via: str = Interface.WEB
) -> WriteOff:
    """Ask to write off bad debt; it counts once finance or a director approves."""
    require(permissions.can_work_collections(by, invoice.account))
    amount = checked_amount(amount)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the write-off.")})
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        pending = (
            locked.write_offs.filter(status=WriteOff.Status.PENDING).aggregate(s=Sum("amount"))["s"]
            or ZERO
        )
        if amount + pending > locked.open_amount:
            raise ValidationError(
                {
                    "amount": _("Only %(left)s of the invoice can still be written off.")
                    % {"left": f"{locked.open_amount - pending:,.2f}"}
                }
            )
        write_off = WriteOff(invoice=locked, amount=amount, reason=reason.strip(), requested_by=by)
        changes.create(write_off, by=by, via=via, clean=None)
    return write_off


def decide_write_off(
    write_off: WriteOff, *, approve: bool, by: User, via: str = Interface.WEB
) -> WriteOff:
    """Finance or a director approves or rejects a write-off; never the person who asked."""
    require(permissions.approves_write_offs(by))
    if write_off.requested_by_id == by.pk:
        raise ValidationError(_("A write-off needs the approval of someone other than who asked."))
    with transaction.atomic():
        locked = WriteOff.objects.select_for_update().get(pk=write_off.pk)
        if locked.status != WriteOff.Status.PENDING:
            raise ValidationError(_("This write-off has already been decided."))
        invoice = Invoice.objects.select_for_update().get(pk=locked.invoice_id)
        if approve and locked.amount > invoice.open_amount:
            raise ValidationError(
                _("The invoice has only %(open)s open now; ask again for a smaller amount.")
                % {"open": f"{invoice.open_amount:,.2f}"}
            )
        decided = {
            "status": WriteOff.Status.APPROVED if approve else WriteOff.Status.REJECTED,
            "decided_by": by,
            "decided_at": timezone.now(),
        }
        changes.update(locked, decided, by=by, via=via, clean=None)
        if approve:
            refresh_invoices_totals([invoice])
    return locked
