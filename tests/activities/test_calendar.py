"""Stalled deals, the calendar grid per user and team, and the private ICS feed."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kam.activities import selectors, services
from kam.activities.models import ActivityStatus, Kind, Outcome
from kam.core.models import User
from kam.pipeline.models import Opportunity, PipelineSettings, StageChange
from tests.factories import AccountFactory, ActivityFactory
from tests.pipeline.factories import new_opportunity

pytestmark = pytest.mark.django_db


def outcome(opportunity, result, days_ago):  # type: ignore[no-untyped-def]
    return ActivityFactory(
        account=opportunity.account,
        opportunity=opportunity,
        starts_at=timezone.now() - timedelta(days=days_ago),
        status=ActivityStatus.DONE,
        outcome=result,
    )


def age(opportunity, days):  # type: ignore[no-untyped-def]
    then = timezone.now() - timedelta(days=days)
    Opportunity.objects.filter(pk=opportunity.pk).update(created_at=then)
    StageChange.objects.filter(opportunity=opportunity).update(changed_at=then)
    services.refresh_deal_progress([opportunity.pk])


def test_stalled_deals(org):
    account = AccountFactory(owner=org.rep)
    talking = new_opportunity(account, name="只谈不动")
    outcome(talking, Outcome.CONTINUATION, 2)
    outcome(talking, Outcome.CONTINUATION, 5)
    moving = new_opportunity(account, name="在推进")
    outcome(moving, Outcome.CONTINUATION, 2)
    outcome(moving, Outcome.ADVANCE, 5)
    quiet = new_opportunity(account, name="久无进展")
    age(quiet, 40)
    advanced = new_opportunity(account, name="老但刚推进")
    age(advanced, 40)
    outcome(advanced, Outcome.ADVANCE, 3)
    hidden = new_opportunity(AccountFactory(owner=org.north_rep), name="别组的")
    outcome(hidden, Outcome.CONTINUATION, 2)
    outcome(hidden, Outcome.CONTINUATION, 3)

    stalled = {d.opportunity.name: d for d in selectors.stalled_opportunities(org.rep)}
    assert set(stalled) == {"只谈不动", "久无进展"}
    assert "continuations" in stalled["只谈不动"].reason
    assert "40 days" in stalled["久无进展"].reason

    PipelineSettings.objects.update_or_create(pk=1, defaults={"stall_days": 60})
    assert {d.opportunity.name for d in selectors.stalled_opportunities(org.rep)} == {"只谈不动"}
    assert "别组的" in {d.opportunity.name for d in selectors.stalled_opportunities(org.director)}


def test_stalled_queries_do_not_grow_with_deals(org, django_assert_max_num_queries):
    account = AccountFactory(owner=org.rep)
    for n in range(6):
        deal = new_opportunity(account, name=f"商机{n}")
        outcome(deal, Outcome.CONTINUATION, 1)
        outcome(deal, Outcome.CONTINUATION, 2)
    fresh = type(org.east_manager).objects.get(pk=org.east_manager.pk)
    # settings (read, created once), the managed teams (2), the deals with their outcomes (1)
    with django_assert_max_num_queries(7):
        assert len(selectors.stalled_opportunities(fresh)) == 6


def test_stalled_page_lists_what_the_user_sees(org, login):
    deal = new_opportunity(AccountFactory(owner=org.rep), name="只谈不动")
    outcome(deal, Outcome.CONTINUATION, 2)
    outcome(deal, Outcome.CONTINUATION, 5)
    assert "只谈不动" in login(org.east_manager).get(reverse("activities:stalled")).content.decode()
    assert (
        "只谈不动"
        not in login(org.north_manager).get(reverse("activities:stalled")).content.decode()
    )


def test_calendar_per_user_and_per_team(org, login):
    mine = ActivityFactory(account=AccountFactory(owner=org.rep, name="上海移动"))
    colleague = ActivityFactory(account=AccountFactory(owner=org.rep2, name="上海电信"))
    ActivityFactory(
        account=AccountFactory(owner=org.rep, name="已取消的客户"), status=ActivityStatus.CANCELLED
    )
    day = timezone.localdate(mine.starts_at).isoformat()

    def shown(user, **params):  # type: ignore[no-untyped-def]
        response = login(user).get(reverse("activities:calendar"), {"date": day, **params})
        return {a.pk for week in response.context["weeks"] for d in week for a in d.activities}

    assert shown(org.rep) == {mine.pk}
    assert shown(org.rep, span="week") == {mine.pk}
    assert shown(org.rep, person="team") == {mine.pk}  # a rep's team is just themself
    assert shown(org.rep, person=org.rep2.pk) == set()
    assert shown(org.east_manager, person="team") == {mine.pk, colleague.pk}
    assert shown(org.east_manager, person=org.rep2.pk) == {colleague.pk}
    assert shown(org.north_manager, person="team") == set()


def test_one_persons_calendar_holds_what_they_led_and_attended_in_the_window(org):
    """One person's calendar is read as a union of two index lookups, a team's as an OR:
    both must hold the same activities (led or attended, in the window, not cancelled)."""
    now = timezone.now()
    account = AccountFactory(owner=org.rep, name="华东电网")
    led = ActivityFactory(account=account, owner=org.rep, starts_at=now)
    attended = ActivityFactory(account=account, owner=org.rep2, starts_at=now)
    attended.staff.add(org.rep)
    both = ActivityFactory(account=account, owner=org.rep, starts_at=now)
    both.staff.add(org.rep)  # led and attended: listed once
    neither = ActivityFactory(account=account, owner=org.rep2, starts_at=now)
    ActivityFactory(account=account, owner=org.rep, starts_at=now - timedelta(days=40))
    late = ActivityFactory(account=account, owner=org.rep2, starts_at=now + timedelta(days=40))
    late.staff.add(org.rep)
    ActivityFactory(account=account, owner=org.rep, starts_at=now, status=ActivityStatus.CANCELLED)
    window = {"start": now - timedelta(days=7), "end": now + timedelta(days=7)}
    expected = [led.pk, attended.pk, both.pk]

    def listed(**people):  # type: ignore[no-untyped-def]
        rows = selectors.calendar_activities(org.east_manager, **window, **people)
        return sorted(a.pk for a in rows)

    assert listed(people=User.objects.filter(pk=org.rep.pk)) == sorted(expected)
    # The manager's own calendar (the default person) has none of them.
    assert listed() == []
    # The team's, through the OR: the rep's three and what rep2 led, each once.
    team = listed(people=User.objects.filter(pk__in=[org.rep.pk, org.rep2.pk]))
    assert team == sorted([*expected, neither.pk])


def test_ics_feed_content_and_revocation(org, client, login):
    account = AccountFactory(owner=org.rep, name="上海移动")
    start = timezone.now().replace(microsecond=0) + timedelta(days=2)
    activity = services.plan_activity(
        account=account,
        kind=Kind.SOLUTION_DEMO,
        owner=org.rep,
        starts_at=start,
        objective="客户同意安排技术负责人参加方案演示，并确认试点范围和时间表" * 2,
        location="浦东, 世纪大道100号",
        duration_minutes=90,
        by=org.rep,
    )
    ActivityFactory(account=AccountFactory(owner=org.rep2), objective="别人的活动目标")
    login(org.rep).post(reverse("activities:calendar_feed"), {"action": "issue"})
    token = org.rep.calendar_feed.token
    page = login(org.rep).get(reverse("activities:calendar_feed")).content.decode()
    assert token in page
    client.logout()

    response = client.get(reverse("activities:ics", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    unfolded = body.replace("\r\n ", "")
    assert f"UID:activity-{activity.pk}@kam" in unfolded
    utc = start.astimezone(UTC)
    assert f"DTSTART:{utc:%Y%m%dT%H%M%SZ}" in unfolded
    assert f"DTEND:{utc + timedelta(minutes=90):%Y%m%dT%H%M%SZ}" in unfolded
    assert "DTSTAMP:" in unfolded and "SUMMARY:" in unfolded and "上海移动" in unfolded
    assert "LOCATION:浦东\\, 世纪大道100号" in unfolded
    assert "客户同意安排技术负责人参加方案演示" in unfolded
    assert "别人的活动目标" not in unfolded

    login(org.rep).post(reverse("activities:calendar_feed"), {"action": "revoke"})
    client.logout()
    assert client.get(reverse("activities:ics", args=[token])).status_code == 404
    assert client.get(reverse("activities:ics", args=["guess"])).status_code == 404


def test_a_new_link_retires_the_old_one(org, client):
    old = services.issue_calendar_token(org.rep).token
    new = services.issue_calendar_token(org.rep).token
    assert client.get(reverse("activities:ics", args=[old])).status_code == 404
    assert client.get(reverse("activities:ics", args=[new])).status_code == 200


def test_a_busy_month_costs_the_same_queries_and_shows_labels_and_owners(
    org, login, django_assert_max_num_queries
):
    account = AccountFactory(owner=org.rep, name="上海移动")
    first = ActivityFactory(account=account, kind=Kind.SOLUTION_DEMO)
    day = timezone.localdate(first.starts_at).isoformat()
    client = login(org.east_manager)
    params = {"date": day, "person": "team"}
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("activities:calendar"), params)
    for _ in range(30):
        ActivityFactory(account=account, starts_at=first.starts_at, outcome=Outcome.ADVANCE)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("activities:calendar"), params).content.decode()
    assert page.count("上海移动") == 31
    assert str(Kind.SOLUTION_DEMO.label) in page and str(Outcome.ADVANCE.label) in page
    assert f"({org.rep})" in page
