"""Reads for the home page; each starts from the visibility rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from kam.accounts.visibility import scope_to_visible_accounts, visible_accounts
from kam.activities.models import Activity, ActivityStatus
from kam.core.models import User
from kam.pipeline.models import Opportunity, Status


@dataclass(frozen=True)
class HomeSummary:
    accounts: int
    open_opportunities: int
    open_amount: Decimal
    upcoming_activities: list[Activity]


def home_summary(user: User) -> HomeSummary:
    """What the signed-in user sees first: their book and the week ahead."""
    now = timezone.now()
    accounts = visible_accounts(user)
    if user.role == "rep":
        accounts = accounts.filter(owner=user)
    open_opps = scope_to_visible_accounts(Opportunity.objects.filter(status=Status.OPEN), user)
    if user.role == "rep":
        open_opps = open_opps.filter(owner=user)
    totals = open_opps.aggregate(n=Count("pk"), amount=Sum("amount"))
    upcoming = (
        scope_to_visible_accounts(Activity.objects.all(), user)
        .filter(
            owner=user,
            status=ActivityStatus.PLANNED,
            starts_at__gte=now,
            starts_at__lt=now + timedelta(days=7),
        )
        .select_related("account", "opportunity")
        .order_by("starts_at")[:10]
    )
    return HomeSummary(
        accounts=accounts.count(),
        open_opportunities=totals["n"] or 0,
        open_amount=totals["amount"] or Decimal(0),
        upcoming_activities=list(upcoming),
    )
