"""Cash received (DOMAIN.md §6): recorded once, in the booking currency, spread over the
open invoices oldest first."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.models import Account
from kam.core import changes
from kam.core.models import Interface, User
from kam.receivables import permissions
from kam.receivables.models import BOOKING_CURRENCY, Payment
from kam.receivables.services.allocation import spread_unapplied_credit
from kam.receivables.services.checks import checked_amount, require
from kam.receivables.services.collection import settle_promises


class ProbableDuplicate(ValidationError):
    """The bank reference was seen before: confirm to record the payment anyway."""

    def __init__(self, existing: Payment) -> None:
        self.existing = existing
        super().__init__(
            {
                "bank_reference": _(
                    "Probable duplicate: a payment of %(amount)s received on %(date)s already "
                    "has this bank reference. Confirm to record it anyway."
                )
                % {"amount": f"{existing.amount:,.2f}", "date": existing.received_on.isoformat()}
            },
            code="duplicate",
        )


def find_duplicate(bank_reference: str, exclude: int | None = None) -> Payment | None:
    reference = bank_reference.strip()
    if not reference:
        return None
    payments = Payment.objects.filter(bank_reference=reference)
    if exclude is not None:
        payments = payments.exclude(pk=exclude)
    return payments.order_by("pk").first()


def record_payment(
    *,
    account: Account,
    amount: Decimal,
    received_on: date,
    by: User,
    currency: str = BOOKING_CURRENCY,
    exchange_rate: Decimal | None = None,
    method: str = "bank_transfer",
    bank_reference: str = "",
    note: str = "",
    allocate: bool = True,
    confirm_duplicate: bool = False,
    via: str = Interface.WEB,
) -> Payment:
    """Record cash received; spread it over open invoices oldest first; keep any rest as credit.

    A payment in another currency needs the exchange rate; the same bank
    reference twice is refused as a probable duplicate unless confirmed.
    """
    require(permissions.handles_money(by))
    original = checked_amount(amount)
    currency = (currency or BOOKING_CURRENCY).strip().upper()
    if currency != BOOKING_CURRENCY:
        if exchange_rate is None:
            raise ValidationError(
                {
                    "currency": _(
                        "This payment is in %(currency)s; receivables are kept in CNY. "
                        "Give the exchange rate to record it."
                    )
                    % {"currency": currency}
                }
            )
        rate = Decimal(str(exchange_rate))
        if rate <= 0:
            raise ValidationError({"exchange_rate": _("The exchange rate must be positive.")})
        booked = (original * rate).quantize(Decimal("0.01"))
    else:
        rate = None
        booked = original
    duplicate = find_duplicate(bank_reference)
    if duplicate is not None and not confirm_duplicate:
        raise ProbableDuplicate(duplicate)
    with transaction.atomic():
        payment = Payment(
            account=account,
            received_on=received_on,
            amount=booked,
            currency=currency,
            original_amount=original,
            exchange_rate=rate,
            method=method,
            bank_reference=bank_reference.strip(),
            unapplied_amount=booked,
            possible_duplicate_of=duplicate,
            note=note,
            recorded_by=by,
        )
        changes.create(payment, by=by, via=via, clean=None)
        if allocate:
            spread_unapplied_credit(account, by=by, via=via, payments=[payment.pk])
        settle_promises(account, today=timezone.localdate())
    payment.refresh_from_db()
    return payment
