"""Reads of activities; all start from account visibility."""

from __future__ import annotations

from django.db.models import QuerySet

from kam.accounts.visibility import scope_to_visible_accounts
from kam.activities.models import Activity
from kam.core.models import User


def activity_list(user: User, *, status: str = "") -> QuerySet[Activity]:
    activities = scope_to_visible_accounts(Activity.objects.all(), user).select_related(
        "account", "opportunity", "owner"
    )
    if status:
        activities = activities.filter(status=status)
    return activities
