"""What a funnel board card shows a manager reviewing the deals (DOMAIN.md §3, §5).

Besides the deal's own owner, amount and close date: how many red flags it raises
(§2.3), the total of its latest twenty-question evaluation (§3.3) and the next activity
planned for it (§4). Red flags belong to the decision chain and activities to their own
area, both above the pipeline: each answers through a :class:`Provider` declared here,
for all the cards of a board at once, so the number of queries never grows with the
number of cards. Without an answer a card shows none of that fact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, Subquery

from kam.core.providers import Provider
from kam.pipeline import calculations
from kam.pipeline.models import Evaluation, Opportunity


@dataclass(frozen=True)
class NextActivity:
    """The soonest activity planned for a deal: when, and what kind (translated)."""

    starts_at: datetime
    kind: str


def _no_red_flags(opportunity_ids: list[int]) -> dict[int, int]:
    return {}


def _no_activities(opportunity_ids: list[int]) -> dict[int, NextActivity]:
    return {}


#: How many red flags each deal raises, by deal id; stakeholders answers
#: (``kam.stakeholders.apps``). A deal left out shows no count.
red_flag_counts: Provider[[list[int]], dict[int, int]] = Provider(
    "the red flags of the board's cards", _no_red_flags
)

#: The next planned activity of each deal, by deal id; activities answers
#: (``kam.activities.apps``). A deal left out has none planned.
next_activities: Provider[[list[int]], dict[int, NextActivity]] = Provider(
    "the next activity of the board's cards", _no_activities
)


@dataclass(frozen=True)
class Card:
    """One deal on the board with what the manager reviews on it."""

    deal: Opportunity
    red_flags: int | None = None
    evaluation_total: int | None = None
    next_activity: NextActivity | None = None

    @property
    def evaluation_max(self) -> int:
        """The most points the twenty questions give, for "12 / 40"."""
        return calculations.TOTAL_MAX


def latest_evaluation_totals(opportunity_ids: list[int]) -> dict[int, int]:
    """The total of each deal's newest twenty-question evaluation (one query)."""
    if not opportunity_ids:
        return {}
    newest = (
        Evaluation.objects.filter(opportunity=OuterRef("pk"))
        .order_by("-evaluated_at", "-pk")
        .values("total_score")[:1]
    )
    return {
        pk: total
        for pk, total in Opportunity.objects.filter(pk__in=opportunity_ids)
        .annotate(total=Subquery(newest))
        .values_list("pk", "total")
        if total is not None
    }


def cards(deals: Iterable[Opportunity]) -> list[Card]:
    """The cards of ``deals`` (already visible), in their order: three bounded reads
    for all of them, whatever their number."""
    deals = list(deals)
    ids = [deal.pk for deal in deals]
    if not ids:
        return []
    flags = red_flag_counts(ids)
    totals = latest_evaluation_totals(ids)
    activities = next_activities(ids)
    return [
        Card(
            deal=deal,
            red_flags=flags.get(deal.pk),
            evaluation_total=totals.get(deal.pk),
            next_activity=activities.get(deal.pk),
        )
        for deal in deals
    ]
