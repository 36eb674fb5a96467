"""What a user may see of receivables: every read starts here, from the one visibility
rule (finance and directors see every receivable, managers their subtree's, reps their
accounts')."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.db.models import DecimalField, ExpressionWrapper, F, IntegerField, QuerySet, Value
from django.utils import timezone

from kam.accounts.models import Account
from kam.accounts.visibility import scope_to_visible_accounts, visible_accounts
from kam.core.models import User
from kam.receivables.models import Contract, Invoice, Payment, PaymentPromise, WriteOff

if TYPE_CHECKING:  # django-stubs-ext is a development dependency
    from django_stubs_ext import WithAnnotations


#: The output field of a sum of amounts (room for the sum of many 16-digit amounts).
MONEY = DecimalField(max_digits=18, decimal_places=2)


def today_or_now(today: date | None) -> date:
    """The day a read is for: the one given, else today."""
    return today or timezone.localdate()


def visible_contracts(user: User) -> QuerySet[Contract]:
    return scope_to_visible_accounts(Contract.objects.all(), user)


def visible_invoices(user: User) -> QuerySet[Invoice]:
    return scope_to_visible_accounts(Invoice.objects.all(), user)


def visible_payments(user: User) -> QuerySet[Payment]:
    return scope_to_visible_accounts(Payment.objects.all(), user)


def visible_promises(user: User) -> QuerySet[PaymentPromise]:
    return scope_to_visible_accounts(PaymentPromise.objects.all(), user)


def visible_write_offs(user: User) -> QuerySet[WriteOff]:
    return scope_to_visible_accounts(WriteOff.objects.all(), user, "invoice__account")


def visible_account(user: User, pk: int) -> Account:
    return visible_accounts(user).get(pk=pk)


def open_invoices(user: User) -> QuerySet[Invoice]:
    """Invoices with something left to pay; ``open_amount > 0`` is the condition of the
    partial index ``recv_invoice_open_aging``, which holds every column aging reads."""
    return visible_invoices(user).filter(open_amount__gt=0)


class OverdueAnnotations(TypedDict):
    """What :func:`with_overdue` adds to each invoice."""

    days_overdue: int
    weight: Decimal


def with_overdue(
    invoices: QuerySet[Invoice], today: date
) -> QuerySet[WithAnnotations[Invoice, OverdueAnnotations]]:
    """Each invoice with its days overdue and its weight (open amount × days overdue)."""
    days = ExpressionWrapper(Value(today.toordinal()) - F("due_day"), output_field=IntegerField())
    return invoices.annotate(
        days_overdue=days,
        weight=ExpressionWrapper(F("open_amount") * days, output_field=MONEY),
    )
