"""The collector's playbook (DOMAIN.md §6, COACHING.md §10): what an overdue invoice costs
and the facts a collection call is prepared from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.http import Http404

from kam.core.models import User
from kam.receivables import calculations
from kam.receivables.models import Excuse, Invoice, PaymentPromise
from kam.receivables.selectors.collection import DebtorTypeView, debtor_types
from kam.receivables.selectors.scope import today_or_now, visible_invoices, visible_promises
from kam.stakeholders.selectors import ApprovalStep, payment_approval_chain

# The company's cost of money, a year, when settings.KAM_FINANCING_RATE_PCT is not set; the
# sources give no rate (their example uses 6%). Pages let the user try another one.
DEFAULT_FINANCING_RATE_PCT = Decimal(6)


def financing_rate_pct() -> Decimal:
    """The annual interest rate the cost of a delay is counted at (the company's setting)."""
    return Decimal(str(getattr(settings, "KAM_FINANCING_RATE_PCT", DEFAULT_FINANCING_RATE_PCT)))


def cost_of_invoice(
    invoice: Invoice, days_overdue: int, rate_pct: Decimal | None = None
) -> calculations.CostOfDebt:
    """The open amount in extra sales at the contract's margin, and the delay's cost so far."""
    return calculations.cost_of_debt(
        invoice.open_amount,
        invoice.contract.gross_margin_pct,
        financing_rate_pct() if rate_pct is None else rate_pct,
        days_overdue,
    )


@dataclass(frozen=True)
class CollectionBrief:
    """Everything a collection call on one invoice is prepared from."""

    invoice: Invoice
    today: date
    days_overdue: int
    cost: calculations.CostOfDebt
    debtor: DebtorTypeView
    approval_chain: list[ApprovalStep]
    money_sent: Excuse | None
    open_promises: list[PaymentPromise]

    @property
    def account(self) -> object:
        return self.invoice.account


def collection_brief(
    user: User, invoice_pk: int, *, today: date | None = None, rate_pct: Decimal | None = None
) -> CollectionBrief:
    """The brief of one invoice the user may see (404 otherwise)."""
    today = today_or_now(today)
    invoice = (
        visible_invoices(user)
        .select_related("account", "contract", "account__owner")
        .filter(pk=invoice_pk)
        .first()
    )
    if invoice is None:
        raise Http404
    days = max((today - invoice.due_date).days, 0)
    return CollectionBrief(
        invoice=invoice,
        today=today,
        days_overdue=days,
        cost=cost_of_invoice(invoice, days, rate_pct),
        debtor=debtor_types([invoice.account_id], today)[invoice.account_id],
        approval_chain=payment_approval_chain(user, invoice.account_id),
        money_sent=Excuse.objects.filter(key="money_sent").first(),
        open_promises=list(
            visible_promises(user).filter(
                account_id=invoice.account_id, status=PaymentPromise.Status.OPEN
            )
        ),
    )
