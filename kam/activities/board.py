"""The next planned activity the funnel board's cards show (DOMAIN.md §4).

Answers :data:`kam.pipeline.cards.next_activities` (plugged in from
``kam.activities.apps``): one query for every card of a board.
"""

from __future__ import annotations

from datetime import datetime, time

from django.utils import timezone

from kam.activities.models import Activity, ActivityStatus, Kind
from kam.pipeline.cards import NextActivity


def next_activities(opportunity_ids: list[int]) -> dict[int, NextActivity]:
    """Each deal's soonest activity still planned from today on, by deal id (one query).

    Read off the (opportunity, status, starts_at) index; a deal has few planned.
    """
    since = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    found: dict[int, NextActivity] = {}
    planned = (
        Activity.objects.filter(
            opportunity_id__in=opportunity_ids,
            status=ActivityStatus.PLANNED,
            starts_at__gte=since,
        )
        .order_by("opportunity_id", "starts_at", "pk")
        .values_list("opportunity_id", "starts_at", "kind")
    )
    for opportunity_id, starts_at, kind in planned:
        if opportunity_id not in found:
            found[opportunity_id] = NextActivity(starts_at=starts_at, kind=str(Kind(kind).label))
    return found
