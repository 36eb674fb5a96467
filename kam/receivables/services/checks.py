"""The checks every receivables service makes: a positive amount, the permission, one
account, the next document number."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from kam.accounts.models import Account


def checked_amount(value: object, field_name: str = "amount") -> Decimal:
    """``value`` as an amount rounded to the cent, refused unless it is a number above zero."""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except Exception:
        raise ValidationError({field_name: _("Enter an amount.")}) from None
    if amount <= 0:
        raise ValidationError({field_name: _("The amount must be greater than zero.")})
    return amount


def require(allowed: bool) -> None:
    """Refuse the change unless the permission check passed."""
    if not allowed:
        raise PermissionDenied(_("You may not do this."))


def same_account(account: Account, *others: object) -> None:
    """Refuse a contact or invoice of another account than the one the record is for."""
    for other in others:
        if other is not None and getattr(other, "account_id", None) != account.pk:
            raise ValidationError(_("That belongs to another account."))


def next_number(prefix: str, model: type[models.Model], day: date) -> str:
    """The next number of the year for a contract, invoice or credit note (``HT2026-00001``)."""
    count = model._default_manager.filter(number__startswith=f"{prefix}{day:%Y}").count()
    return f"{prefix}{day:%Y}-{count + 1:05d}"
