"""The decision chain in the API: same visibility and rules as the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kam.core.models import AuditEvent
from kam.stakeholders.models import (
    Assessment,
    Contact,
    InfluenceLine,
    PaymentApprovalStep,
    PersonalInfo,
    Stakeholder,
)
from tests.factories import AccountFactory, ActivityFactory, ContactFactory, OpportunityFactory
from tests.stakeholders.factories import StakeholderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(org):
    return AccountFactory(owner=org.rep)


def test_people_crud_is_version_checked_and_keeps_moves(org, account, api):
    client = api(org.rep)
    created = client.post(
        "/api/v1/contacts/",
        {"account": account.pk, "name": "冯主任", "title": "信息中心主任", "level": "management"},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["version"] == 1
    changed = client.patch(
        f"/api/v1/contacts/{pk}/",
        {"version": 1, "title": "首席信息官", "effective_on": "2026-10-01"},
        format="json",
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2
    assert changed.json()["changes"][0]["new_value"] == "首席信息官"
    stale = client.patch(f"/api/v1/contacts/{pk}/", {"version": 1, "title": "X"}, format="json")
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    missing = client.patch(f"/api/v1/contacts/{pk}/", {"title": "X"}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()["error"]["details"]
    assert Contact.objects.get(pk=pk).title == "首席信息官"
    listed = client.get(f"/api/v1/contacts/?account={account.pk}").json()
    assert [p["name"] for p in listed["results"]] == ["冯主任"]
    assert client.delete(f"/api/v1/contacts/{pk}/").status_code == 204
    assert not Contact.objects.filter(pk=pk).exists()


def test_a_person_with_history_is_not_deleted(org, account, api):
    person = ContactFactory(account=account)
    StakeholderFactory(contact=person, opportunity__account=account)
    response = api(org.rep).delete(f"/api/v1/contacts/{person.pk}/")
    assert response.status_code == 400 and Contact.objects.filter(pk=person.pk).exists()


def test_another_teams_ids_answer_404_and_cannot_be_used(org, account, api):
    person = ContactFactory(account=account)
    deal = OpportunityFactory(account=account)
    member = StakeholderFactory(opportunity=deal, contact=person)
    line = InfluenceLine.objects.create(
        account=account, source=person, target=ContactFactory(account=account)
    )
    north = api(org.north_rep)
    for url in (
        f"/api/v1/contacts/{person.pk}/",
        f"/api/v1/contacts/{person.pk}/personal/",
        f"/api/v1/buying-circle/{member.pk}/",
        f"/api/v1/influence-lines/{line.pk}/",
        f"/api/v1/red-flags/{deal.pk}/",
        f"/api/v1/payment-approval-chains/{account.pk}/",
    ):
        assert north.get(url).status_code == 404, url
    assert north.get("/api/v1/contacts/").json()["count"] == 0
    assert north.get("/api/v1/red-flags/").json()["count"] == 0
    assert (
        north.patch(
            f"/api/v1/contacts/{person.pk}/", {"version": 1, "title": "X"}, format="json"
        ).status_code
        == 404
    )
    refused = north.post(
        "/api/v1/buying-circle/",
        {"opportunity": deal.pk, "contact": person.pk, "roles": ["coach"]},
        format="json",
    )
    assert refused.status_code == 400
    assert (
        north.post(
            "/api/v1/contacts/", {"account": account.pk, "name": "X"}, format="json"
        ).status_code
        == 400
    )
    assert north.delete(f"/api/v1/buying-circle/{member.pk}/").status_code == 404
    assert Stakeholder.objects.count() == 1 and Contact.objects.count() == 2


def test_finance_reads_people_but_not_their_private_life_and_changes_nothing(org, account, api):
    person = ContactFactory(account=account)
    PersonalInfo.objects.create(contact=person, hobbies="钓鱼")
    finance = api(org.finance)
    body = finance.get(f"/api/v1/contacts/{person.pk}/").json()
    assert body["name"] == person.name and "hobbies" not in body
    assert finance.get(f"/api/v1/contacts/{person.pk}/personal/").status_code == 404
    assert finance.get(f"/api/v1/contacts/{person.pk}/personal/export/").status_code == 404
    assert finance.post(f"/api/v1/contacts/{person.pk}/personal/erase/").status_code == 404
    assert (
        finance.patch(
            f"/api/v1/contacts/{person.pk}/", {"version": 1, "title": "X"}, format="json"
        ).status_code
        == 403
    )
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_SENSITIVE).exists()


def test_personal_information_reads_are_logged_writes_versioned_and_erasure_works(
    org, account, api
):
    person = ContactFactory(account=account, phone="13700000000")
    client = api(org.rep)
    empty = client.get(f"/api/v1/contacts/{person.pk}/personal/")
    assert empty.status_code == 200 and empty.json()["version"] == 0
    saved = client.patch(
        f"/api/v1/contacts/{person.pk}/personal/",
        {"version": 0, "hobbies": "围棋", "birthday": "1970-01-02"},
        format="json",
    )
    assert saved.status_code == 200 and saved.json()["hobbies"] == "围棋"
    stale = client.patch(
        f"/api/v1/contacts/{person.pk}/personal/", {"version": 0, "hobbies": "X"}, format="json"
    )
    assert stale.status_code == 409
    manager = api(org.east_manager).get(f"/api/v1/contacts/{person.pk}/personal/")
    assert manager.json()["hobbies"] == "围棋"
    views = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_SENSITIVE)
    assert [(v.actor, v.interface) for v in views.order_by("pk")] == [
        (org.rep, "api"),
        (org.east_manager, "api"),
    ]
    export = client.get(f"/api/v1/contacts/{person.pk}/personal/export/")
    assert export.json()["personal_info"]["hobbies"] == "围棋"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 1
    erased = client.post(f"/api/v1/contacts/{person.pk}/personal/erase/")
    assert erased.status_code == 200 and erased.json()["phone"] == ""
    assert erased.json()["name"] == person.name and erased.json()["erased_at"]
    assert not PersonalInfo.objects.exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ERASE, actor=org.rep).exists()


def test_buying_circle_roles_and_assessments(org, account, api):
    deal = OpportunityFactory(account=account)
    person = ContactFactory(account=account, name="褚总")
    client = api(org.rep)
    added = client.post(
        "/api/v1/buying-circle/",
        {
            "opportunity": deal.pk,
            "contact": person.pk,
            "roles": ["decision_maker", "user"],
            "purchase_role": "final_approval",
            "personal_win": "年度创新奖",
        },
        format="json",
    )
    assert added.status_code == 201, added.content
    member = added.json()
    assert sorted(member["roles"]) == ["decision_maker", "user"] and member["name"].startswith(
        "褚总"
    )
    coach = client.post(
        "/api/v1/buying-circle/",
        {"opportunity": deal.pk, "outside_name": "集成商老周", "roles": ["coach"]},
        format="json",
    )
    assert coach.status_code == 201 and coach.json()["roles"] == ["coach"]
    other = ContactFactory(account=AccountFactory(owner=org.rep))
    wrong = client.post(
        "/api/v1/buying-circle/",
        {"opportunity": deal.pk, "contact": other.pk, "roles": ["user"]},
        format="json",
    )
    assert wrong.status_code == 400 and "contact" in wrong.json()["error"]["details"]

    url = f"/api/v1/buying-circle/{member['id']}/"
    first = client.post(
        url + "assess/",
        {
            "version": 1,
            "relationship": "dating",
            "support": "supporter",
            "assessed_on": "2026-01-05",
        },
        format="json",
    )
    assert first.status_code == 201, first.content
    second = client.post(url + "assess/", {"version": 2, "relationship": "trusting"}, format="json")
    assert second.status_code == 201
    stale = client.post(url + "assess/", {"version": 2, "relationship": "allied"}, format="json")
    assert stale.status_code == 409
    bad = client.post(url + "assess/", {"version": 3, "relationship": "friends"}, format="json")
    assert bad.status_code == 400 and Assessment.objects.count() == 2
    shown = client.get(f"/api/v1/buying-circle/?opportunity={deal.pk}").json()["results"]
    mine = next(m for m in shown if m["id"] == member["id"])
    assert mine["relationship"] == "trusting"
    assert [a["relationship"] for a in mine["assessments"]] == ["dating", "trusting"]
    roles = client.patch(url, {"version": 3, "roles": ["decision_maker"]}, format="json")
    assert roles.status_code == 200 and roles.json()["roles"] == ["decision_maker"]
    assert client.patch(url, {"version": 3, "roles": []}, format="json").status_code == 409
    assert client.delete(url).status_code == 204


def test_influence_lines_are_drawn_and_removed_through_the_api(org, account, api):
    a, b = ContactFactory(account=account), ContactFactory(account=account)
    client = api(org.rep)
    drawn = client.post(
        "/api/v1/influence-lines/", {"source": a.pk, "target": b.pk, "strength": 3}, format="json"
    )
    assert drawn.status_code == 201 and drawn.json()["account"] == account.pk
    again = client.post("/api/v1/influence-lines/", {"source": a.pk, "target": b.pk}, format="json")
    assert again.status_code == 400
    other = ContactFactory(account=AccountFactory(owner=org.rep))
    across = client.post(
        "/api/v1/influence-lines/", {"source": a.pk, "target": other.pk}, format="json"
    )
    assert across.status_code == 400 and InfluenceLine.objects.count() == 1
    assert client.get(f"/api/v1/influence-lines/?account={account.pk}").json()["count"] == 1
    assert client.delete(f"/api/v1/influence-lines/{drawn.json()['id']}/").status_code == 204


def test_red_flags_per_opportunity_follow_the_data(org, account, api):
    deal = OpportunityFactory(account=account, name="数据中心项目")
    client = api(org.rep)
    flags = client.get(f"/api/v1/red-flags/{deal.pk}/").json()["red_flags"]
    codes = {f["code"] for f in flags}
    assert {"role_unidentified", "no_coach", "few_people"} <= codes
    assert all(f["message"] and f["next_action"] and f["severity"] for f in flags)
    for role in ("decision_maker", "user", "technical_gatekeeper", "coach"):
        person = ContactFactory(account=account)
        StakeholderFactory(opportunity=deal, contact=person, **{f"is_{role}": True})
        ActivityFactory(
            account=account,
            opportunity=deal,
            status="done",
            starts_at=timezone.now() - timedelta(days=5),
        ).contacts.set([person])
    after = {f["code"] for f in client.get(f"/api/v1/red-flags/{deal.pk}/").json()["red_flags"]}
    assert not after & {"role_unidentified", "no_coach", "few_people", "never_visited"}
    listed = client.get("/api/v1/red-flags/?mine=1").json()
    assert [d["name"] for d in listed["results"]] == ["数据中心项目"]


def test_the_payment_approval_chain_through_the_api(org, account, api):
    people = [ContactFactory(account=account, name=n) for n in ("小吴", "韩经理", "钱总监")]
    client = api(org.rep)
    url = f"/api/v1/payment-approval-chains/{account.pk}/"
    assert client.get(url).json()["steps"] == []
    put = client.put(
        url,
        {"steps": [{"contact": p.pk, "note": "单据"} for p in people], "expected": []},
        format="json",
    )
    assert put.status_code == 200, put.content
    assert [s["name"] for s in put.json()["steps"]] == ["小吴", "韩经理", "钱总监"]
    stale = client.put(url, {"steps": [{"contact": people[0].pk}], "expected": []}, format="json")
    assert stale.status_code == 409 and PaymentApprovalStep.objects.count() == 3
    stranger = ContactFactory(account=AccountFactory(owner=org.rep))
    wrong = client.put(url, {"steps": [{"contact": stranger.pk}]}, format="json")
    assert wrong.status_code == 400
    assert api(org.finance).get(url).status_code == 200
    assert (
        api(org.finance).put(url, {"steps": [{"contact": people[0].pk}]}, format="json").status_code
        == 403
    )


def test_the_openapi_schema_still_generates(org, api):
    response = api(org.rep).get("/api/v1/schema/")
    assert response.status_code == 200
    body = response.content.decode()
    for path in ("/api/v1/contacts/", "/api/v1/buying-circle/", "/api/v1/red-flags/"):
        assert path in body
