"""The red flags the funnel board's cards count (DOMAIN.md §2.3).

Answers :data:`kam.pipeline.cards.red_flag_counts` (plugged in from
``kam.stakeholders.apps``): the red flags of every card of a board at once, in the
bounded number of queries of :func:`red_flags_for_opportunities`, whatever the
number of cards.
"""

from __future__ import annotations

from kam.pipeline.models import Opportunity
from kam.stakeholders.calculations import DECISION_FIELDS
from kam.stakeholders.red_flags import red_flags_for_opportunities


def red_flag_counts(opportunity_ids: list[int]) -> dict[int, int]:
    """How many red flags each deal of ``opportunity_ids`` raises today, by deal id."""
    deals = (
        Opportunity.objects.filter(pk__in=opportunity_ids)
        .select_related("stage")
        .only(
            "pk",
            "account_id",
            "competition_status",
            "stage__win_rate",
            "has_budget",
            *DECISION_FIELDS,
        )
    )
    return {pk: len(flags) for pk, flags in red_flags_for_opportunities(deals).items()}
