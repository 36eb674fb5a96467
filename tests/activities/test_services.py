"""Activities are planned with an objective the customer acts on, and judged by outcomes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kam.activities import services
from kam.activities.calculations import objective_problem
from kam.activities.models import Activity, ActivityStatus, Kind, Outcome
from kam.core.concurrency import ConflictError
from tests.factories import AccountFactory, ContactFactory
from tests.pipeline.factories import new_opportunity

pytestmark = pytest.mark.django_db


def plan(account, **fields):  # type: ignore[no-untyped-def]
    params = {
        "kind": Kind.SALES_VISIT,
        "owner": account.owner,
        "starts_at": timezone.now() + timedelta(days=2),
        "objective": "客户同意安排技术负责人参加方案演示",
        "by": account.owner,
    }
    params.update(fields)
    return services.plan_activity(account=account, **params)


def test_plan_with_5w_participants_duration_and_expenses(org):
    account = AccountFactory(owner=org.rep)
    contact = ContactFactory(account=account)
    opportunity = new_opportunity(account)
    activity = plan(
        account,
        opportunity=opportunity,
        location="客户总部",
        purpose="推进项目",
        contacts=[contact],
        staff=[org.rep2],
        duration_minutes=90,
        expenses=Decimal("320.50"),
    )
    assert activity.status == ActivityStatus.PLANNED
    assert list(activity.contacts.all()) == [contact]
    assert list(activity.staff.all()) == [org.rep2]
    assert activity.duration_minutes == 90 and activity.expenses == Decimal("320.50")


@pytest.mark.parametrize(
    "objective", ["", "   ", "拜访客户", "跟进", "visit", "介绍我们的新产品和方案"]
)
def test_blank_or_vague_objective_is_refused(org, objective):
    account = AccountFactory(owner=org.rep)
    with pytest.raises(ValidationError) as excinfo:
        plan(account, objective=objective)
    assert "objective" in excinfo.value.message_dict
    assert not Activity.objects.exists()


def test_objective_rule_accepts_customer_actions():
    assert objective_problem("The customer agrees to a demo next week") is None
    assert objective_problem("客户同意引荐分管副总进行高层会谈") is None
    assert objective_problem("介绍方案后客户同意安排试点") is None


def test_contacts_and_opportunity_must_belong_to_the_account(org):
    account = AccountFactory(owner=org.rep)
    other = AccountFactory(owner=org.rep)
    with pytest.raises(ValidationError):
        plan(account, contacts=[ContactFactory(account=other)])
    with pytest.raises(ValidationError):
        plan(account, opportunity=new_opportunity(other))


def test_outcome_afterwards(org):
    account = AccountFactory(owner=org.rep)
    activity = plan(account, starts_at=timezone.now() - timedelta(hours=2))
    with pytest.raises(ValidationError):
        services.record_outcome(
            activity,
            outcome=Outcome.ADVANCE,
            note="",
            by=org.rep,
            expected_version=activity.version,
        )
    done = services.record_outcome(
        activity,
        outcome=Outcome.ADVANCE,
        note="客户同意下周二安排演示",
        by=org.rep,
        expected_version=activity.version,
        duration_minutes=60,
    )
    assert done.status == ActivityStatus.DONE and done.outcome_recorded_at
    assert done.duration_minutes == 60


def test_no_outcome_before_the_activity_happened(org):
    activity = plan(AccountFactory(owner=org.rep))
    with pytest.raises(ValidationError):
        services.record_outcome(
            activity,
            outcome=Outcome.CONTINUATION,
            note="",
            by=org.rep,
            expected_version=activity.version,
        )


def test_stale_outcome_is_a_conflict(org):
    activity = plan(AccountFactory(owner=org.rep), starts_at=timezone.now() - timedelta(hours=1))
    stale = Activity.objects.get(pk=activity.pk)
    services.record_outcome(
        activity,
        outcome=Outcome.CONTINUATION,
        note="",
        by=org.rep,
        expected_version=activity.version,
    )
    with pytest.raises(ConflictError):
        services.record_outcome(
            stale, outcome=Outcome.NO_SALE, note="", by=org.rep, expected_version=stale.version
        )


def test_finance_cannot_plan(org):
    account = AccountFactory(owner=org.rep)
    with pytest.raises(ValidationError):
        plan(account, by=org.finance)


def test_calendar_token_is_revocable(org):
    feed = services.issue_calendar_token(org.rep)
    first = feed.token
    assert services.issue_calendar_token(org.rep).token != first
    services.revoke_calendar_token(org.rep)
    from kam.activities.models import CalendarFeed

    assert not CalendarFeed.objects.filter(user=org.rep).exists()
