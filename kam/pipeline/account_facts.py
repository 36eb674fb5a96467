"""The pipeline's answers to the account pages' questions about deals and sales.

Accounts sits below the pipeline and declares these questions as providers
(:mod:`kam.accounts.selectors.facts`); :class:`~kam.pipeline.apps.PipelineConfig`
plugs these functions in.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from kam.core.money import MoneyField
from kam.pipeline.models import Opportunity, SmallSale, Status


def open_deal_figures() -> dict[str, Any]:
    """The number and amount of each account's open deals, as account annotations.

    Correlated subqueries, not a join grouped over every account: the database works
    them out for the page's rows only (unless the list is sorted by the amount).
    """
    open_deals = (
        Opportunity.objects.filter(account=OuterRef("pk"), status=Status.OPEN)
        .order_by()
        .values("account")
    )
    return {
        "open_opportunities": Coalesce(Subquery(open_deals.annotate(n=Count("*")).values("n")), 0),
        "open_amount": Subquery(
            open_deals.annotate(total=Sum("amount")).values("total"),
            output_field=MoneyField(),
        ),
    }


def sales_records(since: date, until: date) -> list[QuerySet[Any]]:
    """The deals won (closed in [since, until]) and the off-funnel sales made then."""
    return [
        Opportunity.objects.filter(status=Status.WON, closed_on__gte=since, closed_on__lte=until),
        SmallSale.objects.filter(sold_on__gte=since, sold_on__lte=until),
    ]


def sales_by_year(account_id: int, years: set[int]) -> dict[int, Decimal]:
    """One account's won deals plus off-funnel sales per calendar year of ``years``."""
    revenue: dict[int, Decimal] = defaultdict(Decimal)
    won = (
        Opportunity.objects.filter(
            account_id=account_id, status=Status.WON, closed_on__year__in=years
        )
        .values_list("closed_on__year")
        .annotate(total=Sum("amount"))
    )
    for year, total in won:
        revenue[year] += total or Decimal(0)
    small = (
        SmallSale.objects.filter(account_id=account_id, sold_on__year__in=years)
        .values_list("sold_on__year")
        .annotate(total=Sum("amount"))
    )
    for year, total in small:
        revenue[year] += total or Decimal(0)
    return dict(revenue)
