"""Reads for the home page; each starts from the visibility rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from kam.accounts.visibility import scope_to_visible_accounts, visible_accounts
from kam.activities.models import Activity, ActivityStatus
from kam.core.models import AuditEvent, User
from kam.core.params import query_date
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
    totals = open_opps.aggregate(n=Count("*"), amount=Sum("amount"))
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


def history_for(instance: Any) -> QuerySet[AuditEvent]:
    """The audit events of one record, newest first (for its history panel).

    The caller has already checked that the user may see ``instance``.
    """
    return (
        AuditEvent.objects.filter(
            object_type=instance._meta.label_lower, object_id=str(instance.pk)
        )
        .select_related("actor")
        .order_by("-at", "-pk")
    )


@dataclass(frozen=True)
class AuditFilters:
    object_type: str = ""
    object_id: str = ""
    actor: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None

    @classmethod
    def from_params(cls, params: Any) -> AuditFilters:
        return cls(
            object_type=params.get("object_type", "").strip(),
            object_id=params.get("object_id", "").strip(),
            actor=params.get("actor", "").strip(),
            action=params.get("action", "").strip(),
            since=query_date(params, "since"),
            until=query_date(params, "until"),
        )


def audit_search(filters: AuditFilters) -> QuerySet[AuditEvent]:
    """The audit trail for administrators, filtered."""
    events = AuditEvent.objects.select_related("actor")
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.object_id:
        events = events.filter(object_id=filters.object_id)
    if filters.actor:
        events = events.filter(actor__username__iexact=filters.actor)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.since:
        events = events.filter(at__date__gte=filters.since)
    if filters.until:
        events = events.filter(at__date__lte=filters.until)
    return events
