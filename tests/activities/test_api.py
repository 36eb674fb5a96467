"""Activities over the API: the UI's visibility, the services' rules, 409 on a stale version."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kam.activities.models import Activity, ActivityStatus, Kind, Outcome
from tests.factories import AccountFactory, ActivityFactory, ContactFactory
from tests.pipeline.factories import new_opportunity

pytestmark = pytest.mark.django_db

URL = "/api/v1/activities/"


def plan_payload(account, **fields):  # type: ignore[no-untyped-def]
    payload = {
        "account": account.pk,
        "kind": Kind.SALES_VISIT,
        "starts_at": (timezone.now() + timedelta(days=2)).isoformat(),
        "objective": "客户同意引荐分管副总进行高层会谈",
        "location": "客户总部",
    }
    payload.update(fields)
    return payload


def test_list_is_visibility_scoped_and_filterable(org, api):
    mine = ActivityFactory(account=AccountFactory(owner=org.rep), kind=Kind.SOLUTION_DEMO)
    ActivityFactory(account=AccountFactory(owner=org.rep), kind=Kind.SALES_VISIT)
    ActivityFactory(account=AccountFactory(owner=org.north_rep))
    client = api(org.rep)
    body = client.get(URL).json()
    assert body["count"] == 2
    filtered = client.get(URL, {"kind": Kind.SOLUTION_DEMO}).json()
    assert [row["id"] for row in filtered["results"]] == [mine.pk]


def test_another_teams_activity_is_not_found(org, api):
    theirs = ActivityFactory(account=AccountFactory(owner=org.north_rep))
    client = api(org.rep)
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert client.patch(f"{URL}{theirs.pk}/", {"version": 1}, format="json").status_code == 404
    outcome = {"outcome": Outcome.NO_SALE, "version": 1}
    assert client.post(f"{URL}{theirs.pk}/outcome/", outcome, format="json").status_code == 404
    assert client.post(URL, plan_payload(theirs.account), format="json").status_code == 400
    assert Activity.objects.count() == 1


def test_plan_through_the_api(org, api):
    account = AccountFactory(owner=org.rep)
    contact = ContactFactory(account=account)
    opportunity = new_opportunity(account)
    response = api(org.rep).post(
        URL,
        plan_payload(
            account, opportunity=opportunity.pk, contacts=[contact.pk], staff=[org.rep2.pk]
        ),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner"] == org.rep.pk and body["contacts"] == [contact.pk]
    assert body["opportunity"] == opportunity.pk and body["status"] == ActivityStatus.PLANNED


def test_a_vague_objective_is_refused(org, api):
    account = AccountFactory(owner=org.rep)
    response = api(org.rep).post(URL, plan_payload(account, objective="拜访客户"), format="json")
    assert response.status_code == 400
    assert "objective" in response.json()["error"]["details"]
    assert not Activity.objects.exists()


def test_update_needs_the_current_version(org, api):
    activity = ActivityFactory(account=AccountFactory(owner=org.rep))
    client = api(org.rep)
    url = f"{URL}{activity.pk}/"
    ok = client.patch(url, {"location": "客户工厂", "version": activity.version}, format="json")
    assert ok.status_code == 200 and ok.json()["location"] == "客户工厂"
    stale = client.patch(url, {"location": "别处", "version": activity.version}, format="json")
    assert stale.status_code == 409
    activity.refresh_from_db()
    assert activity.location == "客户工厂"


def test_outcome_and_cancel_actions(org, api):
    account = AccountFactory(owner=org.rep)
    past = ActivityFactory(account=account, starts_at=timezone.now() - timedelta(hours=2))
    client = api(org.rep)
    response = client.post(
        f"{URL}{past.pk}/outcome/",
        {"outcome": Outcome.ADVANCE, "note": "客户同意试用", "version": past.version},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["outcome"] == Outcome.ADVANCE
    assert response.json()["status"] == ActivityStatus.DONE
    planned = ActivityFactory(account=account)
    cancelled = client.post(f"{URL}{planned.pk}/cancel/", {"version": 1}, format="json")
    assert cancelled.json()["status"] == ActivityStatus.CANCELLED


def test_schema_still_builds(org, api):
    response = api(org.rep).get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/activities/{id}/outcome/" in response.content
