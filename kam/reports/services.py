"""The one write of the dashboards: logging that personal information was shown."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from kam.core import audit
from kam.core.models import AuditEvent, Interface, User
from kam.reports.selectors import SpecialDay, local_start


@transaction.atomic
def log_special_days_shown(
    days: Iterable[SpecialDay], *, by: User, via: str = Interface.WEB
) -> int:
    """A birthday on the dashboard is personal information seen (§7), so it is logged.

    Once per person, viewer and day: opening the dashboard again the same day
    shows nothing new, and a log entry per page load would drown the real reads.
    Returns the number of events written.
    """
    shown = {str(d.contact.pk): d.contact for d in days}
    if not shown:
        return 0
    already = set(
        AuditEvent.objects.filter(
            actor=by,
            action=AuditEvent.Action.VIEW_SENSITIVE,
            object_type="stakeholders.contact",
            object_id__in=list(shown),
            at__gte=local_start(timezone.localdate()),
        ).values_list("object_id", flat=True)
    )
    written = 0
    for pk, contact in shown.items():
        if pk in already:
            continue
        audit.record(
            AuditEvent.Action.VIEW_SENSITIVE,
            contact,
            by=by,
            via=via,
            changes={"fields": ["birthday"], "where": "dashboard"},
        )
        written += 1
    return written
