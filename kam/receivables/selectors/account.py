"""Receivables seen from one account: its 360 page's panel, and the facts its
qualification reads (§1.2)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from kam.accounts import calculations as account_calculations
from kam.accounts.models import Account
from kam.accounts.selectors import ReceivablesFacts
from kam.core.models import User
from kam.receivables.models import AccountCredit, Contract, Invoice, PaymentPromise

if TYPE_CHECKING:  # django-stubs-ext is a development dependency
    pass
from kam.receivables.selectors.aging import AgingRow, bucket_sums
from kam.receivables.selectors.collection import overdue_invoices
from kam.receivables.selectors.scope import (
    open_invoices,
    today_or_now,
    visible_contracts,
    visible_promises,
)


@dataclass(frozen=True)
class AccountReceivables:
    """What the account owes and since when, its credit, and its heaviest open invoices."""

    aging: AgingRow
    credit_limit: Decimal | None
    exposure: Decimal
    on_hold: bool
    overdue: list[Any]
    contracts: int
    promises: list[PaymentPromise]


def account_receivables(
    user: User, account: Account, today: date | None = None
) -> AccountReceivables:
    """The receivables panel of one visible account (a fixed number of queries)."""
    from kam.receivables.services import credit_exposure

    today = today_or_now(today)
    invoices = open_invoices(user).filter(account=account)
    aging = AgingRow(account.pk, account.name, **invoices.aggregate(**bucket_sums(today)))
    credit = AccountCredit.objects.filter(account=account).first()
    return AccountReceivables(
        aging=aging,
        credit_limit=credit.credit_limit if credit else None,
        exposure=credit_exposure(account),
        on_hold=bool(credit and credit.on_hold),
        overdue=list(overdue_invoices(user, today).filter(account=account)[:5]),
        contracts=visible_contracts(user).filter(account=account).count(),
        promises=list(
            visible_promises(user)
            .filter(account=account, status=PaymentPromise.Status.OPEN)
            .order_by("due_on", "pk")[:5]
        ),
    )


# --- facts for the accounts' qualification (§1.2) ------------------------------------


def qualification_facts(ids: list[int], today: date) -> dict[int, ReceivablesFacts]:
    """Margin of the contracts signed, payment cycle of the invoices paid (or overdue),
    payment record of the invoices fallen due in the last 12 months and credit hold, per
    account, in four queries (§1.2 criteria 2 and 5): what the accounts' qualification
    reads through ``kam.accounts.selectors.receivables_facts``."""
    start, end, _ps, _pe = account_calculations.year_window(today)
    contracts: dict[int, list[tuple[Decimal, Decimal]]] = defaultdict(list)
    for account_id, amount, margin in Contract.objects.filter(
        account__in=ids, signed_on__gte=start, signed_on__lte=end
    ).values_list("account", "amount", "gross_margin_pct"):
        contracts[account_id].append((amount, margin))
    invoices: dict[int, list[tuple[date, date | None, Decimal]]] = defaultdict(list)
    for account_id, issued_on, paid_on, amount in Invoice.objects.filter(
        Q(paid_on__gte=start, paid_on__lte=end)
        | Q(paid_on__isnull=True, open_amount__gt=0, due_date__lt=today),
        account__in=ids,
    ).values_list("account", "issued_on", "paid_on", "amount"):
        invoices[account_id].append((issued_on, paid_on, amount))
    # The payment record: the invoices that fell due in the window, paid on time or not.
    fell_due: dict[int, list[tuple[date, date | None, Decimal]]] = defaultdict(list)
    for account_id, due_date, paid_on, amount in Invoice.objects.filter(
        account__in=ids, due_date__gte=start, due_date__lte=min(end, today)
    ).values_list("account", "due_date", "paid_on", "amount"):
        fell_due[account_id].append((due_date, paid_on, amount))
    on_hold = set(
        AccountCredit.objects.filter(account__in=ids, on_hold=True).values_list(
            "account_id", flat=True
        )
    )
    return {
        pk: ReceivablesFacts(
            margin_pct=account_calculations.weighted_margin(contracts.get(pk, [])),
            payment_days=account_calculations.payment_cycle_days(invoices.get(pk, []), today),
            on_time_pct=account_calculations.on_time_pct(fell_due.get(pk, []), today),
            on_credit_hold=pk in on_hold,
        )
        for pk in ids
    }
