"""The API: the same pre-filled plan, refusals and permissions as the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kam.coach.models import CallPlan, ObjectionResponse, PlaybookEntry
from kam.pipeline.models import Objection

pytestmark = pytest.mark.django_db

GOOD = "客户同意安排技术负责人下周二参加方案演示"
PLAN = "/api/v1/coach/call-plans/{}/"


def test_the_schema_lists_the_coachs_endpoints(api):
    paths = api().get("/api/v1/schema/?format=json").json()["paths"]
    for path in (
        "/api/v1/coach/call-plans/",
        "/api/v1/coach/call-plans/{activity}/",
        "/api/v1/coach/call-plans/{activity}/objective-met/",
        "/api/v1/coach/playbook/",
        "/api/v1/coach/playbook/{id}/",
        "/api/v1/coach/objection-responses/",
        "/api/v1/coach/objective-check/",
    ):
        assert path in paths, path


def test_the_pre_filled_plan_in_english(deal, org, api):
    body = api(org.rep).get(PLAN.format(deal.activity.pk), HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["plan"] is None
    assert body["prefill"]["objective"] == "介绍产品给客户"
    assert body["objective_check"]["accepted"] is False
    assert body["objective_check"]["refusal"] == "our_action"
    gatekeeper = body["people"][0]
    assert gatekeeper["roles"] == ["Technical gatekeeper"]
    assert gatekeeper["concerns"][0]["questions"][0] == "Does it meet our technical specifications?"
    assert gatekeeper["style_label"] == "A · Analytical"
    assert "Bring facts and quantify them." in gatekeeper["style_advice"]["checklist"]
    assert "phone" not in gatekeeper and "13900001111" not in str(body)
    assert body["has_coach"] is False and body["win_a_coach"]
    assert body["open_objections"][0]["playbook"]["kind"] == "no_money"
    assert "trust" in body["open_objections"][0]["playbook"]["root_cause"]


def test_the_pre_filled_plan_in_chinese(deal, org, api):
    body = api(org.rep).get(PLAN.format(deal.activity.pk), HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert body["people"][0]["roles"] == ["技术把关者"]
    assert body["objective_check"]["reason"].startswith("这是我们在拜访中要做的事")
    assert body["win_a_coach"][0] == "在客户方找最希望这个项目成功的人。"


def test_saving_refuses_a_weak_objective_then_accepts_a_good_one(deal, org, api):
    client = api(org.rep)
    refused = client.put(
        PLAN.format(deal.activity.pk),
        {"objective": "Present our solution to the customer"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 400
    assert "not what the customer will do" in str(refused.json())
    saved = client.put(PLAN.format(deal.activity.pk), {"objective": GOOD}, format="json")
    assert saved.status_code == 200
    plan = CallPlan.objects.get()
    assert plan.objective == GOOD
    # The pre-filled values the rep did not send are kept (the expected objection).
    assert plan.expected_objections == ["no_money"]
    stale = client.put(
        PLAN.format(deal.activity.pk), {"power_statement": "x", "version": 0}, format="json"
    )
    assert stale.status_code == 409
    listed = client.get("/api/v1/coach/call-plans/").json()
    assert [row["activity"] for row in listed["results"]] == [deal.activity.pk]


def test_another_teams_rep_neither_reads_nor_writes(deal, org, api):
    client = api(org.north_rep)
    assert client.get(PLAN.format(deal.activity.pk)).status_code == 404
    assert (
        client.put(PLAN.format(deal.activity.pk), {"objective": GOOD}, format="json").status_code
        == 404
    )
    assert client.get("/api/v1/coach/call-plans/").json()["results"] == []
    logged = client.post(
        "/api/v1/coach/objection-responses/",
        {"objection": deal.objection.pk, "response": "x"},
        format="json",
    )
    assert logged.status_code == 400
    assert not ObjectionResponse.objects.exists()


def test_objective_met_after_the_call(deal, org, api):
    client = api(org.rep)
    client.put(
        PLAN.format(deal.activity.pk),
        {"objective": GOOD, "fallback_objective": "客户本周内提供需求文档"},
        format="json",
    )
    url = PLAN.format(deal.activity.pk) + "objective-met/"
    early = client.post(url, {"objective_met": "main"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert early.status_code == 400 and "once the call has taken place" in str(early.json())
    deal.activity.starts_at = timezone.now() - timedelta(hours=1)
    deal.activity.save()
    done = client.post(url, {"objective_met": "fallback"}, format="json")
    assert done.status_code == 200 and done.json()["plan"]["objective_met"] == "fallback"


def test_playbook_is_read_by_reps_and_changed_by_managers(org, api):
    entry = PlaybookEntry.objects.get(kind="no_good")
    rows = api(org.rep).get("/api/v1/coach/playbook/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert len(rows) == 8 and rows[3]["kind_label"] == "不好"
    assert rows[3]["surface_en"] and rows[3]["surface_zh"]
    url = f"/api/v1/coach/playbook/{entry.pk}/"
    assert api(org.rep).patch(url, {"response_en": "x"}, format="json").status_code == 403
    changed = api(org.east_manager).patch(
        url, {"response_en": "Ask which criterion.", "version": entry.version}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["response_en"] == "Ask which criterion."


def test_logging_the_response_used(deal, org, api):
    entry = PlaybookEntry.objects.get(kind="no_money")
    made = api(org.rep).post(
        "/api/v1/coach/objection-responses/",
        {"objection": deal.objection.pk, "entry": entry.pk, "activity": deal.activity.pk},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert made.status_code == 201
    assert made.json()["response"] == entry.response_zh
    assert Objection.objects.get(pk=deal.objection.pk).response == entry.response_zh


def test_the_objective_check_endpoint(org, api):
    client = api(org.rep)
    bad = client.post(
        "/api/v1/coach/objective-check/", {"objective": "了解客户需求和预算情况"}, format="json"
    ).json()
    assert bad["accepted"] is False and bad["refusal"] == "our_action"
    good = client.post("/api/v1/coach/objective-check/", {"objective": GOOD}, format="json").json()
    assert good == {"accepted": True, "refusal": None, "reason": ""}
