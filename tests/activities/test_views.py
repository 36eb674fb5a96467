"""The activity pages: plan with 5W, change, cancel, record the outcome, list, stalled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kam.accounts.models import AccountPlan, PlanAction, PlanObjective
from kam.activities import services
from kam.activities.models import Activity, ActivityStatus, Kind, Outcome
from tests.factories import AccountFactory, ActivityFactory, ContactFactory
from tests.pipeline.factories import new_opportunity

pytestmark = pytest.mark.django_db


def when(days: float) -> str:
    return timezone.localtime(timezone.now() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def plan_data(account, **fields):  # type: ignore[no-untyped-def]
    data = {
        "account": account.pk,
        "kind": Kind.SOLUTION_DEMO,
        "starts_at": when(3),
        "duration_minutes": 90,
        "location": "客户总部三楼会议室",
        "purpose": "推进项目",
        "owner": account.owner.pk,
        "objective": "客户同意安排技术负责人参加下周的方案演示",
    }
    data.update(fields)
    return data


def test_blank_plan_asks_for_the_account_first(org, login):
    AccountFactory(owner=org.rep, name="上海移动")
    AccountFactory(owner=org.north_rep, name="北京联通")
    page = login(org.rep).get(reverse("activities:plan")).content.decode()
    assert "上海移动" in page and "北京联通" not in page


def test_plan_from_an_opportunity_with_5w_and_plan_action(org, login):
    account = AccountFactory(owner=org.rep)
    contact = ContactFactory(account=account, name="王总")
    ContactFactory(account=AccountFactory(owner=org.rep), name="别家的人")
    opportunity = new_opportunity(account)
    plan = AccountPlan.objects.create(account=account, year=timezone.localdate().year)
    objective = PlanObjective.objects.create(plan=plan, text="进入核心网")
    action = PlanAction.objects.create(
        objective=objective, text="高层拜访", owner=org.rep, due_date=timezone.localdate()
    )
    client = login(org.rep)
    form_page = client.get(reverse("activities:plan"), {"opportunity": opportunity.pk})
    page = form_page.content.decode()
    assert "王总" in page and "别家的人" not in page
    assert "客户同意" in page or "The customer agrees" in page  # the objective's examples
    response = client.post(
        reverse("activities:plan"),
        plan_data(
            account,
            opportunity=opportunity.pk,
            contacts=[contact.pk],
            staff=[org.rep2.pk],
            plan_action=action.pk,
        ),
    )
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert activity.opportunity == opportunity and activity.kind == Kind.SOLUTION_DEMO
    assert list(activity.contacts.all()) == [contact]
    assert list(activity.staff.all()) == [org.rep2]
    action.refresh_from_db()
    assert action.activity == activity
    detail = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert "客户同意安排技术负责人参加下周的方案演示" in detail and "王总" in detail


@pytest.mark.parametrize("objective", ["", "拜访客户", "介绍我们的新产品和方案"])
def test_plan_form_refuses_a_blank_or_vague_objective(org, login, objective):
    account = AccountFactory(owner=org.rep)
    response = login(org.rep).post(
        reverse("activities:plan"), plan_data(account, objective=objective)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["objective"]
    assert not Activity.objects.exists()


def test_another_teams_account_or_activity_is_not_found(org, login):
    account = AccountFactory(owner=org.north_rep)
    activity = ActivityFactory(account=account)
    client = login(org.rep)
    assert client.get(reverse("activities:plan"), {"account": account.pk}).status_code == 404
    assert client.post(reverse("activities:plan"), plan_data(account)).status_code == 404
    assert client.get(reverse("activities:detail", args=[activity.pk])).status_code == 404
    assert client.get(reverse("activities:edit", args=[activity.pk])).status_code == 404


def test_finance_reads_but_cannot_plan(org, login):
    account = AccountFactory(owner=org.rep)
    activity = ActivityFactory(account=account)
    client = login(org.finance)
    assert client.get(reverse("activities:detail", args=[activity.pk])).status_code == 200
    assert client.post(reverse("activities:plan"), plan_data(account)).status_code == 403
    assert client.post(reverse("activities:cancel", args=[activity.pk])).status_code == 403


def test_edit_with_a_stale_version_is_a_conflict(org, login):
    activity = services.plan_activity(
        account=AccountFactory(owner=org.rep),
        kind=Kind.SALES_VISIT,
        owner=org.rep,
        starts_at=timezone.now() + timedelta(days=2),
        objective="客户同意安排技术负责人参加方案演示",
        by=org.rep,
    )
    seen = activity.version
    services.update_activity(
        activity, by=org.east_manager, expected_version=seen, location="客户工厂"
    )
    data = plan_data(activity.account, location="客户总部", version=seen)
    response = login(org.rep).post(reverse("activities:edit", args=[activity.pk]), data)
    assert response.status_code == 200
    assert "此记录已被他人修改" in response.content.decode()
    activity.refresh_from_db()
    assert activity.location == "客户工厂"
    # Resubmitting the form (now carrying the current version) applies the change.
    data["version"] = response.context["form"]["version"].value()
    login(org.rep).post(reverse("activities:edit", args=[activity.pk]), data)
    activity.refresh_from_db()
    assert activity.location == "客户总部"


def test_cancel(org, login):
    activity = ActivityFactory(account=AccountFactory(owner=org.rep))
    login(org.rep).post(
        reverse("activities:cancel", args=[activity.pk]), {"version": activity.version}
    )
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.CANCELLED


def test_record_the_outcome(org, login):
    activity = ActivityFactory(
        account=AccountFactory(owner=org.rep), starts_at=timezone.now() - timedelta(hours=3)
    )
    client = login(org.rep)
    page = client.get(reverse("activities:outcome", args=[activity.pk])).content.decode()
    assert "延续" in page  # the help text: polite praise is a continuation
    url = reverse("activities:outcome", args=[activity.pk])
    refused = client.post(url, {"outcome": Outcome.ADVANCE, "version": activity.version})
    assert refused.context["form"].errors["outcome_note"]
    client.post(
        url,
        {
            "outcome": Outcome.ADVANCE,
            "outcome_note": "客户同意下周试用",
            "version": activity.version,
        },
    )
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.DONE and activity.outcome == Outcome.ADVANCE
    assert activity.outcome_note == "客户同意下周试用"


def test_list_filters(org, login):
    account = AccountFactory(owner=org.rep, name="上海移动")
    other = AccountFactory(owner=org.rep, name="上海电信")
    demo = ActivityFactory(account=account, kind=Kind.SOLUTION_DEMO)
    ActivityFactory(account=other, kind=Kind.SALES_VISIT)
    past = ActivityFactory(
        account=account,
        kind=Kind.SALES_VISIT,
        starts_at=timezone.now() - timedelta(days=20),
        status=ActivityStatus.DONE,
        outcome=Outcome.CONTINUATION,
    )
    ActivityFactory(account=AccountFactory(owner=org.north_rep))
    client = login(org.rep)

    def rows(**params):  # type: ignore[no-untyped-def]
        response = client.get(reverse("activities:list"), params)
        return {a.pk for a in response.context["listing"].rows}

    assert len(rows()) == 3
    assert rows(kind=Kind.SOLUTION_DEMO) == {demo.pk}
    assert rows(outcome=Outcome.CONTINUATION) == {past.pk}
    assert rows(account=account.pk) == {demo.pk, past.pk}
    assert rows(q="电信") == {a.pk for a in Activity.objects.filter(account=other)}
    today = timezone.localdate()
    assert rows(date_to=(today - timedelta(days=1)).isoformat()) == {past.pk}
    assert demo.pk in rows(date_from=today.isoformat(), owner=org.rep.pk)
    assert rows(owner=org.rep2.pk) == set()


@pytest.mark.parametrize("who", ["rep", "east_manager", "director"])
def test_list_queries_do_not_grow_with_activities_and_the_newest_come_first(
    org, login, who, django_assert_max_num_queries
):
    account = AccountFactory(owner=org.rep)
    ActivityFactory(account=account)
    client = login(getattr(org, who))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("activities:list"))
    for days in range(60):
        ActivityFactory(account=account, starts_at=timezone.now() - timedelta(days=days))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("activities:list"))
    rows = list(response.context["listing"].rows)
    assert len(rows) == 50
    assert [a.starts_at for a in rows] == sorted((a.starts_at for a in rows), reverse=True)
