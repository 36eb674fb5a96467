"""The collector's reads (DOMAIN.md §6): the overdue list, each debtor's type, broken
promises to react to and the conversations so far."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet

from kam.accounts.models import Account
from kam.accounts.visibility import scope_to_visible_accounts
from kam.core.models import User
from kam.receivables import calculations
from kam.receivables.models import (
    AccountCredit,
    CollectionAlert,
    CollectionContact,
    DebtorType,
    Invoice,
    PaymentPromise,
    WriteOff,
)
from kam.receivables.selectors.scope import (
    OverdueAnnotations,
    open_invoices,
    today_or_now,
    with_overdue,
)

if TYPE_CHECKING:  # django-stubs-ext is a development dependency
    from django_stubs_ext import WithAnnotations


def overdue_invoices(
    user: User, today: date | None = None
) -> QuerySet[WithAnnotations[Invoice, OverdueAnnotations]]:
    """Open invoices past their due date, heaviest (amount × days overdue) first.

    The weight changes every day, so no index holds its order; the rows are few (open
    and overdue) and every column the ordering reads is in the partial index
    ``recv_invoice_open_aging``, so the sort runs over the index alone. Account and
    owner come by prefetch, for the page's rows only, rather than by a join the
    database would make for every overdue invoice before sorting.
    """
    today = today_or_now(today)
    invoices = open_invoices(user).filter(due_day__lt=today.toordinal())
    return (
        with_overdue(invoices, today).prefetch_related("account", "owner").order_by("-weight", "pk")
    )


@dataclass(frozen=True)
class DebtorTypeView:
    value: str | None
    suggested: bool

    @property
    def label(self) -> str:
        return str(DebtorType(self.value).label) if self.value else ""


def debtor_types(account_ids: list[int], today: date | None = None) -> dict[int, DebtorTypeView]:
    """The debtor type of each account: the one set by a person, else the one its history suggests.

    Four queries whatever the number of accounts (§6, 债务人的种类).
    """
    today = today_or_now(today)
    ids = list(set(account_ids))
    chosen = dict(
        AccountCredit.objects.filter(account_id__in=ids)
        .exclude(debtor_type="")
        .values_list("account_id", "debtor_type")
    )
    missing = [pk for pk in ids if pk not in chosen]
    paid: dict[int, list[int]] = defaultdict(list)
    overdue: dict[int, list[int]] = defaultdict(list)
    for account_id, due_date, paid_on, open_amount in Invoice.objects.filter(
        account_id__in=missing
    ).values_list("account_id", "due_date", "paid_on", "open_amount"):
        if paid_on is not None:
            paid[account_id].append((paid_on - due_date).days)
        elif open_amount > 0:
            overdue[account_id].append((today - due_date).days)
    broken = dict(
        PaymentPromise.objects.filter(account_id__in=missing, status=PaymentPromise.Status.BROKEN)
        .values("account_id")
        .annotate(n=Count("*"))
        .values_list("account_id", "n")
    )
    written_off = set(
        WriteOff.objects.filter(
            invoice__account_id__in=missing, status=WriteOff.Status.APPROVED
        ).values_list("invoice__account_id", flat=True)
    )
    result = {pk: DebtorTypeView(value, False) for pk, value in chosen.items()}
    for pk in missing:
        result[pk] = DebtorTypeView(
            calculations.suggest_debtor_type(
                paid[pk], overdue[pk], broken.get(pk, 0), pk in written_off
            ),
            True,
        )
    return result


def open_alerts(user: User) -> QuerySet[CollectionAlert]:
    """Broken promises not yet dealt with (POWER: react quickly)."""
    return (
        scope_to_visible_accounts(CollectionAlert.objects.filter(resolved_at__isnull=True), user)
        .select_related("account", "promise", "user")
        .order_by("-raised_on", "-pk")
    )


def collection_contacts(account: Account) -> QuerySet[CollectionContact]:
    return CollectionContact.objects.filter(account=account).select_related(
        "contact", "excuse", "invoice", "promise", "recorded_by"
    )
