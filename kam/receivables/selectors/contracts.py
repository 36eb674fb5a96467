"""Contracts as the pages read them, and the deals read as cash (DOMAIN.md §6,
complete sale)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, DecimalField, F, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from kam.accounts.visibility import scope_to_visible_accounts
from kam.core.models import User
from kam.pipeline.models import Opportunity, Status
from kam.receivables import calculations
from kam.receivables.models import ZERO, Contract, Invoice

if TYPE_CHECKING:  # django-stubs-ext is a development dependency
    pass
from kam.receivables.selectors.aging import group_label
from kam.receivables.selectors.scope import MONEY, visible_contracts, visible_invoices


def contract_detail(user: User, pk: int) -> Contract:
    """One contract the user may see (``Contract.DoesNotExist`` otherwise)."""
    return visible_contracts(user).select_related("account", "owner", "opportunity").get(pk=pk)


def _collected() -> Subquery:
    paid = (
        Invoice.objects.filter(contract=OuterRef("pk"))
        .values("contract")
        .annotate(s=Sum("paid_amount"))
        .values("s")
    )
    return Subquery(paid, output_field=MONEY)


def contract_list(user: User) -> QuerySet[Contract]:
    """Every visible contract with what its invoices collected (the export reads them all)."""
    return (
        visible_contracts(user)
        .select_related("account", "owner")
        .annotate(collected=Coalesce(_collected(), ZERO))
    )


def contract_page(user: User) -> QuerySet[Contract]:
    """The contract list as a page reads it: sorted and cut before anything else is read,
    account and owner prefetched for the page's rows; :func:`collected_by_contract` adds
    what was collected."""
    return visible_contracts(user).prefetch_related("account", "owner")


def collected_by_contract(contract_ids: list[int]) -> dict[int, Decimal]:
    """What the invoices of each contract collected, one query."""
    rows = (
        Invoice.objects.filter(contract_id__in=contract_ids)
        .values("contract_id")
        .annotate(s=Sum("paid_amount"))
        .order_by()
        .values_list("contract_id", "s")
    )
    return {pk: ZERO for pk in contract_ids} | {pk: s or ZERO for pk, s in rows}


def won_opportunities_without_contract(user: User) -> QuerySet[Opportunity]:
    """Won deals of visible accounts still waiting to become a contract."""
    return (
        scope_to_visible_accounts(Opportunity.objects.filter(status=Status.WON), user)
        .filter(contract__isnull=True)
        .select_related("account")
        .order_by("-closed_on", "-pk")
    )


def complete_sale_for(contract: Contract) -> calculations.CompleteSale:
    """The contract read as cash (§6): collected is what its invoices were paid."""
    collected = Invoice.objects.filter(contract=contract).aggregate(s=Sum("paid_amount"))["s"]
    return calculations.complete_sale(contract.amount, contract.gross_margin_pct, collected or ZERO)


@dataclass(frozen=True)
class RepCompleteSales:
    owner_id: int | None
    name: str
    contracts: int
    amount: Decimal
    cost: Decimal
    collected: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.collected

    @property
    def cash_position(self) -> Decimal:
        return self.collected - self.cost


def complete_sales_by_rep(user: User) -> list[RepCompleteSales]:
    """Per rep: bookings, cost, collected and cash position of their contracts (three queries).

    Grouped on the owner column alone, each over an index holding the columns it sums;
    cost is Σ amount − Σ(amount × margin) ÷ 100, the same figure as Σ of each contract's
    cost. Collected groups invoices by their owner, the contract's (copied at issue).
    """
    contracts = (
        visible_contracts(user)
        .values("owner_id")
        .annotate(
            n=Count("*"),
            amount_sum=Sum("amount"),
            margin_sum=Sum(
                F("amount") * F("gross_margin_pct"),
                output_field=DecimalField(max_digits=24, decimal_places=4),
            ),
        )
        .order_by()
    )
    collected = dict(
        visible_invoices(user)
        .values("owner_id")
        .annotate(s=Sum("paid_amount"))
        .order_by()
        .values_list("owner_id", "s")
    )
    rows = list(contracts)
    names = {
        u["pk"]: u
        for u in User.objects.filter(pk__in=[r["owner_id"] for r in rows if r["owner_id"]]).values(
            "pk",
            owner__last_name=F("last_name"),
            owner__first_name=F("first_name"),
            owner__username=F("username"),
        )
    }
    empty = {"owner__last_name": "", "owner__first_name": "", "owner__username": ""}
    result = []
    for r in rows:
        amount = r["amount_sum"] or ZERO
        cost = amount - (r["margin_sum"] or ZERO) / calculations.HUNDRED
        result.append(
            RepCompleteSales(
                owner_id=r["owner_id"],
                name=group_label("rep", names.get(r["owner_id"], empty)),
                contracts=r["n"],
                amount=amount,
                cost=cost.quantize(calculations.CENT),
                collected=collected.get(r["owner_id"]) or ZERO,
            )
        )
    return sorted(result, key=lambda r: (-r.collected, r.name))
