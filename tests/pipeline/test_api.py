"""Opportunities through the API: same visibility, same rules, 409 on a stale version."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kam.pipeline.models import Evaluation, Opportunity, StageChange, Status
from kam.pipeline.selectors import field_history
from tests.factories import AccountFactory
from tests.pipeline.factories import new_opportunity, qualify, stage

pytestmark = pytest.mark.django_db

URL = "/api/v1/opportunities/"


@pytest.fixture
def deal(org):  # type: ignore[no-untyped-def]
    return new_opportunity(AccountFactory(owner=org.rep), name="API项目")


def test_list_and_retrieve_follow_visibility(org, api, deal):
    new_opportunity(AccountFactory(owner=org.north_rep), name="北方项目")
    body = api(org.rep).get(URL).json()
    assert [row["name"] for row in body["results"]] == ["API项目"]
    row = api(org.rep).get(f"{URL}{deal.pk}/").json()
    assert row["stage_key"] == "interest" and row["version"] == deal.version
    assert api(org.north_rep).get(f"{URL}{deal.pk}/").status_code == 404
    assert api(org.north_rep).patch(f"{URL}{deal.pk}/", {"version": 1}).status_code == 404
    assert api(org.north_rep).post(f"{URL}{deal.pk}/move/", {}).status_code == 404
    assert len(api(org.director).get(URL).json()["results"]) == 2


def test_create_through_the_service_and_refuse_bad_input(org, api):
    account = AccountFactory(owner=org.rep)
    client = api(org.rep)
    payload = {
        "account": account.pk,
        "name": "新建商机",
        "amount": "120000.00",
        "owner": org.rep.pk,
        "expected_close_date": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "team": [org.rep2.pk],
    }
    response = client.post(URL, payload, format="json")
    assert response.status_code == 201, response.json()
    opportunity = Opportunity.objects.get()
    assert StageChange.objects.filter(opportunity=opportunity).count() == 1
    assert list(opportunity.team.all()) == [org.rep2]
    bad = client.post(URL, {**payload, "amount": "-1"}, format="json")
    assert bad.status_code == 400
    assert "amount" in bad.json()["error"]["details"]
    foreign = AccountFactory(owner=org.north_rep)
    response = client.post(URL, {**payload, "account": foreign.pk}, format="json")
    assert response.status_code == 400 and Opportunity.objects.count() == 1


def test_update_needs_the_version_and_a_stale_one_is_409(org, api, deal):
    client = api(org.rep)
    url = f"{URL}{deal.pk}/"
    assert client.patch(url, {"amount": "1.00"}, format="json").status_code == 400
    ok = client.patch(url, {"amount": "700000.00", "version": deal.version}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == deal.version + 1
    assert "amount" in [c.field for c in field_history(deal)]
    stale = client.patch(url, {"amount": "1.00", "version": deal.version}, format="json")
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict"
    deal.refresh_from_db()
    assert deal.amount == Decimal("700000")


def test_move_applies_the_exit_criteria_and_qualification_rules(org, api, deal):
    client = api(org.rep)
    url = f"{URL}{deal.pk}/move/"
    refused = client.post(
        url, {"to_stage": stage("brewing").pk, "version": deal.version}, format="json"
    )
    assert refused.status_code == 400
    assert "请先确认所离开阶段的完成标准" in str(refused.json()["error"]["details"])
    moved = client.post(
        url,
        {
            "to_stage": stage("brewing").pk,
            "version": deal.version,
            "confirmed_exit_stages": [stage("interest").pk],
        },
        format="json",
    )
    assert moved.status_code == 200 and moved.json()["stage_key"] == "brewing"
    version = moved.json()["version"]
    unqualified = client.post(
        url,
        {
            "to_stage": stage("design").pk,
            "version": version,
            "confirmed_exit_stages": [stage("brewing").pk],
        },
        format="json",
    )
    assert unqualified.status_code == 400
    stale = client.post(
        url, {"to_stage": stage("interest").pk, "version": version - 1}, format="json"
    )
    assert stale.status_code == 409
    history = client.get(f"{URL}{deal.pk}/history/").json()
    assert [h["to_stage"] for h in history] == [stage("interest").pk, stage("brewing").pk]


def test_close_and_reopen(org, api, deal):
    client = api(org.rep)
    lost = client.post(
        f"{URL}{deal.pk}/close/",
        {"status": "lost", "reason": "价格", "winning_competitor": "中兴", "version": deal.version},
        format="json",
    )
    assert lost.status_code == 200 and lost.json()["status"] == Status.LOST
    reopened = client.post(
        f"{URL}{deal.pk}/reopen/",
        {"reason": "重新招标", "version": lost.json()["version"]},
        format="json",
    )
    assert reopened.status_code == 200 and reopened.json()["status"] == Status.OPEN


def test_evaluations_objections_competitors_and_factors(org, api, deal):
    client = api(org.rep)
    base = f"{URL}{deal.pk}"
    response = client.post(
        f"{base}/evaluations/",
        {"answers": {"1": "yes", "20": "unsure"}, "notes": {"1": "预算已批"}},
        format="json",
    )
    assert response.status_code == 201 and response.json()["total_score"] == 3
    assert (
        client.post(f"{base}/evaluations/", {"answers": {"21": "yes"}}, format="json").status_code
        == 400
    )
    assert Evaluation.objects.count() == 1
    assert client.get(f"{base}/evaluations/").json()[0]["recorded"]["1"]["note"] == "预算已批"
    objection = client.post(
        f"{base}/objections/", {"kind": "no_money", "said": "没预算"}, format="json"
    ).json()
    answered = client.patch(
        f"{base}/objections/{objection['id']}/",
        {"response": "分期付款", "resolved": True},
        format="json",
    )
    assert answered.status_code == 200 and answered.json()["resolved"] is True
    assert client.post(f"{base}/competitors/", {"name": "思科"}, format="json").status_code == 201
    assert client.get(f"{base}/competitors/").json()[0]["name"] == "思科"
    factor = client.post(
        f"{base}/decision-factors/", {"name": "交付", "priority": 1}, format="json"
    )
    assert factor.status_code == 201
    assert client.post(f"{base}/competitors/", {"name": " "}, format="json").status_code == 400


def test_finance_reads_but_cannot_write(org, api, deal):
    client = api(org.finance)
    assert client.get(f"{URL}{deal.pk}/").status_code == 200
    assert (
        client.post(
            f"{URL}{deal.pk}/objections/", {"kind": "no_money", "said": "x"}, format="json"
        ).status_code
        == 403
    )


def test_stage_models_are_readable_and_in_the_schema(org, api):
    models = api(org.rep).get("/api/v1/stage-models/").json()["results"]
    default = next(m for m in models if m["is_default"])
    assert [s["key"] for s in default["stages"]][:2] == ["interest", "brewing"]
    schema = api(org.rep).get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/opportunities/{id}/move/" in paths
    assert "/api/v1/stage-models/" in paths


def test_a_manager_override_through_the_api(org, api, deal):
    qualify(deal)
    deal.refresh_from_db()
    deal.has_budget = False
    Opportunity.objects.filter(pk=deal.pk).update(has_budget=False)
    response = api(org.east_manager).post(
        f"{URL}{deal.pk}/move/",
        {
            "to_stage": stage("design").pk,
            "version": deal.version,
            "confirmed_exit_stages": [stage("interest").pk, stage("brewing").pk],
            "override_reason": "战略客户",
        },
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["qualification_override_reason"] == "战略客户"
