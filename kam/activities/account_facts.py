"""The activities' answers to the account pages' questions about visits.

Accounts sits below the activities and declares these questions as providers
(:mod:`kam.accounts.selectors.facts`); :class:`~kam.activities.apps.ActivitiesConfig`
plugs these functions in.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Sum

from kam.accounts.selectors.facts import SegmentSpend
from kam.accounts.visibility import scope_to_visible_accounts
from kam.activities.models import Activity, ActivityStatus
from kam.core.models import User


def recent_activities(account_id: int, limit: int) -> list[Activity]:
    """The account's latest ``limit`` activities, newest first, with their owners."""
    return list(
        Activity.objects.filter(account_id=account_id)
        .select_related("owner")
        .order_by("-starts_at")[:limit]
    )


def segment_spend(user: User, year: int) -> dict[str, SegmentSpend]:
    """Per attack / defend segment, what the activities of ``year`` at the accounts
    ``user`` sees spent: how many, by how many people, minutes and expenses (§1.4)."""
    activities = (
        scope_to_visible_accounts(Activity.objects.all(), user)
        .filter(starts_at__year=year)
        .exclude(status=ActivityStatus.CANCELLED)
        .exclude(account__segment="")
    )
    rows = activities.values("account__segment").annotate(
        n=Count("*"),
        people=Count("owner", distinct=True),
        minutes=Sum("duration_minutes"),
        expenses=Sum("expenses"),
    )
    return {
        row["account__segment"]: SegmentSpend(
            activities=row["n"],
            people=row["people"],
            minutes=row["minutes"] or 0,
            expenses=row["expenses"] or Decimal(0),
        )
        for row in rows
    }


def account_spend(account_id: int, year: int) -> SegmentSpend:
    """What the activities of ``year`` (not cancelled) at one account spent: how many, by
    how many people, minutes and expenses; an account plan sets it against its allocation."""
    row = (
        Activity.objects.filter(account_id=account_id, starts_at__year=year)
        .exclude(status=ActivityStatus.CANCELLED)
        .aggregate(
            n=Count("*"),
            people=Count("owner", distinct=True),
            minutes=Sum("duration_minutes"),
            expenses=Sum("expenses"),
        )
    )
    return SegmentSpend(
        activities=row["n"],
        people=row["people"],
        minutes=row["minutes"] or 0,
        expenses=row["expenses"] or Decimal(0),
    )
