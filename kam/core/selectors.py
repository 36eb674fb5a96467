"""Reads of the core: a record's history and the audit trail's search."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet

from kam.core.models import AuditEvent
from kam.core.params import query_date


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
