"""Tasks over the API and in the calendar feed: the pages' visibility and rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kam.activities.models import Task
from kam.activities.todos import services
from kam.core.models import AuditEvent, Interface
from tests.factories import AccountFactory, ContactFactory
from tests.pipeline.factories import new_opportunity
from tests.receivables.factories import contract_for, invoice_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/tasks/"


def test_create_for_a_colleague_about_a_deal(org, api):
    account = AccountFactory(owner=org.rep)
    deal = new_opportunity(account)
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = api(org.east_manager).post(
        URL,
        {
            "title": "约技术负责人",
            "owner": org.rep.pk,
            "opportunity": deal.pk,
            "due_on": due,
            "source": "funnel_review",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["owner"], data["account"], data["opportunity"]) == (
        org.rep.pk,
        account.pk,
        deal.pk,
    )
    assert data["source"] == "funnel_review" and data["done"] is False
    assert data["created_by"] == org.east_manager.pk
    event = AuditEvent.objects.get(object_type="activities.task", object_id=str(data["id"]))
    assert event.interface == Interface.API


def test_a_colleague_outside_ones_teams_is_refused(org, api):
    response = api(org.rep).post(URL, {"title": "跟进", "owner": org.north_rep.pk}, format="json")
    assert response.status_code == 400
    assert (
        "owner" in response.json()["errors"]
        if "errors" in response.json()
        else "owner" in str(response.json())
    )
    assert not Task.objects.exists()


def test_link_an_invoice(org, api):
    account = AccountFactory(owner=org.rep)
    invoice = invoice_for(contract_for(account, org.rep), org.finance)
    response = api(org.rep).post(URL, {"title": "确认签收", "invoice": invoice.pk}, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["linked"] == {"kind": "invoice", "id": invoice.pk, "name": invoice.number}
    assert data["account"] == account.pk
    listed = api(org.rep).get(URL, {"invoice": invoice.pk}).json()
    assert [t["id"] for t in listed["results"]] == [data["id"]]
    hidden = invoice_for(
        contract_for(AccountFactory(owner=org.north_rep), org.north_rep), org.finance
    )
    refused = api(org.rep).post(URL, {"title": "看不到", "invoice": hidden.pk}, format="json")
    assert refused.status_code == 400


def test_list_filters_and_visibility(org, api):
    account = AccountFactory(owner=org.rep)
    deal = new_opportunity(account)
    today = timezone.localdate()
    late = services.create_task(
        title="逾期", owner=org.rep, by=org.rep, due_on=today - timedelta(1)
    )
    on_deal = services.create_task(title="商机的", owner=org.rep, by=org.rep, opportunity=deal)
    theirs = services.create_task(title="北方的", owner=org.north_rep, by=org.north_rep)
    done = services.create_task(
        title="完成的", owner=org.rep, by=org.rep, person=ContactFactory(account=account)
    )
    services.mark_done(done, by=org.rep)
    client = api(org.rep)

    def ids(**params):  # type: ignore[no-untyped-def]
        return sorted(t["id"] for t in client.get(URL, params).json()["results"])

    assert ids() == sorted([late.pk, on_deal.pk, done.pk])
    assert ids(due="overdue") == [late.pk]
    assert ids(done="true") == [done.pk]
    assert ids(done="false") == sorted([late.pk, on_deal.pk])
    assert ids(opportunity=deal.pk) == [on_deal.pk]
    assert ids(account=account.pk) == sorted([on_deal.pk, done.pk])
    assert ids(owner=org.rep.pk) == sorted([late.pk, on_deal.pk, done.pk])
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert client.post(f"{URL}{theirs.pk}/done/", {}, format="json").status_code == 404
    assert theirs.pk in [t["id"] for t in api(org.north_manager).get(URL).json()["results"]]


def test_update_done_and_undone(org, api):
    task = services.create_task(title="寄样品", owner=org.rep, by=org.rep)
    client = api(org.rep)
    ok = client.patch(f"{URL}{task.pk}/", {"title": "寄两套", "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["title"] == "寄两套"
    stale = client.patch(f"{URL}{task.pk}/", {"title": "再改", "version": 1}, format="json")
    assert stale.status_code == 409
    moved = client.patch(
        f"{URL}{task.pk}/", {"account": AccountFactory(owner=org.rep).pk}, format="json"
    )
    assert moved.status_code == 400
    done = client.post(f"{URL}{task.pk}/done/", {"version": 2}, format="json").json()
    assert done["done"] is True and done["done_by"] == org.rep.pk and done["done_at"]
    undone = client.post(f"{URL}{task.pk}/undone/", {}, format="json").json()
    assert undone["done"] is False and undone["done_at"] is None


def test_the_schema_describes_tasks(org, api):
    schema = api(org.rep).get("/api/v1/schema/?format=json").json()
    assert {"/api/v1/tasks/", "/api/v1/tasks/{id}/done/", "/api/v1/tasks/{id}/undone/"} <= set(
        schema["paths"]
    )
    names = {p["name"] for p in schema["paths"]["/api/v1/tasks/"]["get"]["parameters"]}
    assert {"owner", "account", "opportunity", "done", "due"} <= names


def test_tasks_in_the_calendar_feed(org, client, login):
    today = timezone.localdate()
    account = AccountFactory(owner=org.rep, name="上海移动")
    services.create_task(title="寄样品", owner=org.rep, by=org.rep, account=account, due_on=today)
    services.create_task(title="没有日期", owner=org.rep, by=org.rep)
    done = services.create_task(title="做完了", owner=org.rep, by=org.rep, due_on=today)
    services.mark_done(done, by=org.rep)
    services.create_task(title="同事的", owner=org.rep2, by=org.rep2, due_on=today)
    login(org.rep).post(reverse("activities:calendar_feed"), {"action": "issue"})
    org.rep.refresh_from_db()
    body = client.get(reverse("activities:ics", args=[org.rep.calendar_feed.token])).content
    text = body.decode().replace("\r\n ", "")
    assert f"DTSTART;VALUE=DATE:{today:%Y%m%d}" in text
    assert f"DTEND;VALUE=DATE:{today + timedelta(days=1):%Y%m%d}" in text
    assert "寄样品 · 上海移动" in text
    assert "没有日期" not in text and "做完了" not in text and "同事的" not in text
