"""What a funnel board card shows a manager reviewing the deals (DOMAIN.md §3, §5).

Besides the deal's own owner, amount and close date: how many red flags it raises
(§2.3), its latest twenty-question score and the gates it fails, or that it is due for a
new evaluation (§3.3), and the next activity
planned for it (§4). Red flags belong to the decision chain and activities to their own
area, both above the pipeline: each answers through a :class:`Provider` declared here,
for all the cards of a board at once, so the number of queries never grows with the
number of cards. Without an answer a card shows none of that fact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from kam.core.providers import Provider
from kam.pipeline import calculations, screening
from kam.pipeline.models import Opportunity
from kam.pipeline.services.screening import screen_rules


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
    screen: screening.Screen | None = None
    next_activity: NextActivity | None = None

    @property
    def evaluation_total(self) -> int | None:
        return self.screen.total if self.screen is not None else None

    @property
    def evaluation_max(self) -> int:
        """The most points the twenty questions give, for "12 / 40"."""
        return calculations.TOTAL_MAX


def cards(deals: Iterable[Opportunity]) -> list[Card]:
    """The cards of ``deals`` (already visible), in their order: a bounded number of reads
    for all of them, whatever their number. The funnel screen (§3.3) is read off the
    deals themselves (kept by :func:`kam.pipeline.services.screening.refresh_screening`)."""
    deals = list(deals)
    ids = [deal.pk for deal in deals]
    if not ids:
        return []
    flags = red_flag_counts(ids)
    activities = next_activities(ids)
    rules = screen_rules()
    now = timezone.now()
    return [
        Card(
            deal=deal,
            red_flags=flags.get(deal.pk),
            screen=screening.screen_of(deal, rules, now),
            next_activity=activities.get(deal.pk),
        )
        for deal in deals
    ]
