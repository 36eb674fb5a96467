"""The audit rows of an activity's changes and of a plan action's link to it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kam.accounts.models import AccountPlan, PlanAction, PlanObjective
from kam.activities import services
from kam.activities.models import ActivityStatus
from kam.core.models import AuditEvent
from tests.factories import AccountFactory, ActivityFactory

pytestmark = pytest.mark.django_db


def test_a_changed_plan_records_what_changed_and_the_action_it_now_serves(org):
    activity = ActivityFactory(account=AccountFactory(owner=org.rep), location="")
    plan = AccountPlan.objects.create(account=activity.account, year=timezone.localdate().year)
    objective = PlanObjective.objects.create(plan=plan, text="进入核心网")
    action = PlanAction.objects.create(
        objective=objective, text="高层拜访", owner=org.rep, due_date=timezone.localdate()
    )
    services.update_activity(
        activity,
        by=org.rep,
        expected_version=activity.version,
        plan_action=action,
        location="客户工厂",
    )
    linked, changed = AuditEvent.objects.order_by("-pk")[:2][::-1]
    assert (linked.object_type, linked.changes) == (
        "accounts.planaction",
        {"activity_id": [None, activity.pk]},
    )
    assert (changed.object_type, changed.changes) == (
        "activities.activity",
        {"location": ["", "客户工厂"]},
    )


def test_a_cancellation_records_the_status_change(org):
    activity = ActivityFactory(account=AccountFactory(owner=org.rep))
    services.cancel_activity(activity, by=org.rep, expected_version=activity.version)
    event = AuditEvent.objects.latest("pk")
    assert event.action == AuditEvent.Action.UPDATE
    assert event.changes == {"status": [ActivityStatus.PLANNED, ActivityStatus.CANCELLED]}


def test_someone_who_may_not_edit_sees_the_refusal_on_the_form(org):
    activity = ActivityFactory(account=AccountFactory(owner=org.rep))
    with pytest.raises(ValidationError, match="may not change activities of this account"):
        services.cancel_activity(activity, by=org.finance, expected_version=activity.version)
