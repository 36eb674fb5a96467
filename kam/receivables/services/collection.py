"""Collections (DOMAIN.md §6): promises to pay, kept or broken, the alerts a broken one
raises and the conversations recorded along POWER."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.models import Account
from kam.core import changes
from kam.core.models import Interface, User
from kam.receivables import calculations, permissions
from kam.receivables.models import (
    NEGOTIATION_RESULT,
    ZERO,
    CollectionAlert,
    CollectionContact,
    Excuse,
    Invoice,
    NegotiationOutcome,
    Payment,
    PaymentPromise,
    PowerStep,
)
from kam.receivables.services.checks import checked_amount, require, same_account
from kam.stakeholders.models import Contact


def record_promise(
    account: Account,
    *,
    amount: Decimal,
    due_on: date,
    by: User,
    made_on: date | None = None,
    contact: Contact | None = None,
    promised_by_name: str = "",
    invoice: Invoice | None = None,
    via: str = Interface.WEB,
) -> PaymentPromise:
    """The customer promised to pay ``amount`` by ``due_on`` (POWER: End with commitment)."""
    require(permissions.can_work_collections(by, account))
    amount = checked_amount(amount)
    made_on = made_on or timezone.localdate()
    if due_on < made_on:
        raise ValidationError({"due_on": _("A promise to pay cannot be dated before it was made.")})
    same_account(account, contact, invoice)
    with transaction.atomic():
        promise = PaymentPromise(
            account=account,
            invoice=invoice,
            made_on=made_on,
            due_on=due_on,
            amount=amount,
            contact=contact,
            promised_by_name=promised_by_name.strip(),
            recorded_by=by,
        )
        changes.create(promise, by=by, via=via, clean=None)
        settle_promises(account, today=timezone.localdate())
    promise.refresh_from_db()
    return promise


def settle_promises(account: Account, *, today: date) -> int:
    """Mark the account's open promises kept or broken from its payments; alert on each broken one.

    Returns how many promises broke. Called whenever a payment or promise is
    recorded, and for promises falling due by :func:`settle_due_promises`.
    """
    promises = list(
        PaymentPromise.objects.filter(account=account, status=PaymentPromise.Status.OPEN)
    )
    if not promises:
        return 0
    start = min(p.made_on for p in promises)
    already_counted = (
        PaymentPromise.objects.filter(
            account=account, status=PaymentPromise.Status.KEPT, due_on__gte=start
        ).aggregate(s=Sum("amount"))["s"]
        or ZERO
    )
    payments = list(
        Payment.objects.filter(account=account, received_on__gte=start)
        .order_by("received_on", "pk")
        .values_list("received_on", "amount")
    )
    # Cash already counted for promises kept earlier cannot keep another one.
    trimmed: list[tuple[date, Decimal]] = []
    for day, amount in payments:
        used = min(already_counted, amount)
        already_counted -= used
        if amount - used > 0:
            trimmed.append((day, amount - used))
    decisions = calculations.settle_promises(
        [calculations.PromiseRow(p.pk, p.made_on, p.due_on, p.amount) for p in promises],
        trimmed,
        today,
    )
    broken = 0
    for promise in promises:
        status, settled_on = decisions[promise.pk]
        if status == PaymentPromise.Status.OPEN:
            continue
        promise.status = status
        promise.settled_on = settled_on
        promise.save(update_fields=["status", "settled_on"])
        if status == PaymentPromise.Status.BROKEN:
            broken += 1
            CollectionAlert.objects.get_or_create(
                promise=promise,
                defaults={"account": account, "user_id": account.owner_id, "raised_on": today},
            )
    return broken


def settle_due_promises(today: date) -> int:
    """Break every promise whose date has passed unpaid (React quickly): one query when none."""
    account_ids = (
        PaymentPromise.objects.filter(status=PaymentPromise.Status.OPEN, due_on__lt=today)
        .values_list("account_id", flat=True)
        .distinct()
    )
    broken = 0
    for account in Account.objects.filter(pk__in=list(account_ids)):
        with transaction.atomic():
            broken += settle_promises(account, today=today)
    return broken


def resolve_alert(alert: CollectionAlert, *, by: User, via: str = Interface.WEB) -> CollectionAlert:
    require(permissions.can_work_collections(by, alert.account))
    if alert.resolved_at is None:
        changes.update(alert, {"resolved_at": timezone.now()}, by=by, via=via, clean=None)
    return alert


@dataclass
class PromiseInput:
    amount: Decimal
    due_on: date
    contact: Contact | None = None
    promised_by_name: str = ""
    invoice: Invoice | None = field(default=None)


def record_collection_contact(
    account: Account,
    *,
    step: str,
    negotiation: str,
    by: User,
    contacted_on: date | None = None,
    contact: Contact | None = None,
    invoice: Invoice | None = None,
    excuse: Excuse | None = None,
    note: str = "",
    next_step: str = "",
    next_step_on: date | None = None,
    promise: PromiseInput | None = None,
    via: str = Interface.WEB,
) -> CollectionContact:
    """One collection conversation along POWER; a promise heard is recorded with it.

    ``negotiation`` is which of the four outcomes it was (§6); what it brought in
    (cash, cash + A/R, A/R) follows from it.
    """
    require(permissions.can_work_collections(by, account))
    if step not in PowerStep.values:
        raise ValidationError({"step": _("Choose the POWER step.")})
    if negotiation not in NegotiationOutcome.values:
        raise ValidationError({"negotiation": _("Choose which of the four outcomes it was.")})
    same_account(account, contact, invoice)
    contacted_on = contacted_on or timezone.localdate()
    if next_step_on is not None and next_step_on < contacted_on:
        raise ValidationError({"next_step_on": _("The next step cannot be before this contact.")})
    with transaction.atomic():
        made = None
        if promise is not None:
            made = record_promise(
                account,
                amount=promise.amount,
                due_on=promise.due_on,
                made_on=contacted_on,
                contact=promise.contact or contact,
                promised_by_name=promise.promised_by_name,
                invoice=promise.invoice or invoice,
                by=by,
                via=via,
            )
        row = CollectionContact(
            account=account,
            invoice=invoice,
            contact=contact,
            contacted_on=contacted_on,
            step=step,
            excuse=excuse,
            outcome=NEGOTIATION_RESULT[NegotiationOutcome(negotiation)],
            negotiation=negotiation,
            note=note,
            next_step=next_step,
            next_step_on=next_step_on,
            promise=made,
            recorded_by=by,
        )
        changes.create(row, by=by, via=via, clean=None)
    return row
