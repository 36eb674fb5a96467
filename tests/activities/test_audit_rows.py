"""The audit rows of an activity's changes and of a plan action's link to it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kam.accounts.models import AccountPlan, PlanAction, PlanObjective
from kam.activities import services
from kam.activities.models import ActivityStatus, Kind, Outcome
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


def test_a_planned_activity_is_recorded_with_its_5w_and_objective(org):
    account = AccountFactory(owner=org.rep)
    start = timezone.now().replace(microsecond=0) + timedelta(days=2)
    activity = services.plan_activity(
        account=account,
        kind=Kind.SOLUTION_DEMO,
        owner=org.rep,
        starts_at=start,
        objective="客户同意安排技术负责人参加方案演示",
        location="浦东",
        purpose="推进试点",
        duration_minutes=90,
        by=org.rep,
    )
    created = AuditEvent.objects.latest("pk")
    assert (created.action, created.object_id) == (AuditEvent.Action.CREATE, str(activity.pk))
    assert created.changes["kind"] == Kind.SOLUTION_DEMO
    assert created.changes["starts_at"] == start.isoformat()
    assert (created.changes["location"], created.changes["purpose"]) == ("浦东", "推进试点")
    assert created.changes["duration_minutes"] == 90
    assert created.changes["account_id"] == account.pk


def test_an_outcome_records_the_status_the_outcome_and_the_time_spent(org):
    activity = ActivityFactory(
        account=AccountFactory(owner=org.rep), starts_at=timezone.now() - timedelta(hours=3)
    )
    services.record_outcome(
        activity,
        outcome=Outcome.ADVANCE,
        note="客户同意试点",
        by=org.rep,
        expected_version=activity.version,
        duration_minutes=45,
        expenses=Decimal("120.50"),
    )
    event = AuditEvent.objects.latest("pk")
    assert event.changes["status"] == [ActivityStatus.PLANNED, ActivityStatus.DONE]
    assert event.changes["outcome"][1] == Outcome.ADVANCE
    assert event.changes["outcome_note"] == ["", "客户同意试点"]
    assert event.changes["duration_minutes"][1] == 45
    assert event.changes["expenses"][1] == "120.50"
    assert event.changes["outcome_recorded_at"][0] is None


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
