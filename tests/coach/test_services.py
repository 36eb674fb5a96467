"""Call preparation's rules: the pre-filled plan, the strict objective, the playbook."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kam.coach import selectors, services
from kam.coach.models import CallPlan, ObjectionResponse, PlaybookEntry
from kam.core.models import AuditEvent
from kam.pipeline.models import Objection

pytestmark = pytest.mark.django_db

GOOD = "客户同意安排技术负责人下周二参加方案演示"


def test_prefill_gives_each_person_their_roles_concerns_and_styles_advice(deal):
    prep = selectors.call_preparation(deal.activity)
    gatekeeper, user = prep.people
    assert gatekeeper.name == "王工" and gatekeeper.roles == ["Technical gatekeeper"]
    concern = gatekeeper.role_guides[0]
    assert "good specifications" in str(concern.work_concern)
    assert "Does it meet our technical specifications?" in [str(q) for q in concern.questions]
    assert gatekeeper.style == "A · Analytical"
    assert "Bring facts and quantify them." in [str(t) for t in gatekeeper.style_guide.checklist]
    assert gatekeeper.support == "Supporter"
    assert user.roles == ["User"] and user.style_guide is None
    assert "Easy to learn" in str(user.role_guides[0].personal_concern)


def test_prefill_without_a_coach_suggests_how_to_win_one_and_who(deal):
    prep = selectors.call_preparation(deal.activity)
    assert not prep.has_coach
    assert prep.coach_candidates == ["王工"]
    assert "王工" in prep.initial["coach_plan"]


def test_prefill_carries_the_objective_the_needs_and_the_open_objections(deal):
    prep = selectors.call_preparation(deal.activity)
    assert prep.initial["objective"] == "介绍产品给客户"
    assert not prep.verdict.accepted
    assert "核心网容量三年内翻倍" in prep.initial["fab"]
    assert "割接零中断" in prep.initial["fab"]
    assert prep.initial["expected_objections"] == ["no_money"]
    assert [e.kind for e in prep.expected] == ["no_money"]


def test_a_deal_with_a_coach_gets_no_advice_to_find_one(deal):
    deal.stake.is_coach = True
    deal.stake.save()
    prep = selectors.call_preparation(deal.activity)
    assert prep.has_coach and prep.initial["coach_plan"] == ""


def test_the_plan_never_carries_personal_information(deal):
    prep = selectors.call_preparation(deal.activity)
    assert "13900001111" not in repr(prep.people)


def test_saving_refuses_a_weak_objective_with_the_reason(deal, org):
    with pytest.raises(ValidationError) as refused:
        services.save_call_plan(deal.activity, by=org.rep, objective="介绍产品给客户")
    assert "not what the customer will do" in refused.value.message_dict["objective"][0]
    assert not CallPlan.objects.exists()


def test_saving_a_good_plan_records_it_and_judges_the_fallback(deal, org):
    with pytest.raises(ValidationError) as refused:
        services.save_call_plan(
            deal.activity, by=org.rep, objective=GOOD, fallback_objective="了解预算"
        )
    assert "fallback_objective" in refused.value.message_dict
    plan = services.save_call_plan(
        deal.activity,
        by=org.rep,
        objective=GOOD,
        fallback_objective="客户本周内提供需求文档",
        expected_objections=["no_trust", "no_money"],
    )
    assert plan.expected_objections == ["no_money", "no_trust"]
    assert AuditEvent.objects.filter(
        object_type="coach.callplan", action=AuditEvent.Action.CREATE
    ).exists()
    services.save_call_plan(deal.activity, by=org.rep, expected_version=1, power_statement="X")
    plan.refresh_from_db()
    assert plan.version == 2 and plan.power_statement == "X"


def test_another_teams_rep_cannot_prepare_the_call(deal, org):
    with pytest.raises(PermissionDenied):
        services.save_call_plan(deal.activity, by=org.north_rep, objective=GOOD)


def test_which_objective_was_met_only_after_the_call(deal, org):
    plan = services.save_call_plan(deal.activity, by=org.rep, objective=GOOD)
    with pytest.raises(ValidationError):
        services.record_objective_met(plan, met="main", by=org.rep)
    deal.activity.starts_at = timezone.now() - timedelta(hours=1)
    deal.activity.save()
    with pytest.raises(ValidationError) as refused:
        services.record_objective_met(plan, met="fallback", by=org.rep)
    assert "no fallback objective" in str(refused.value)
    services.record_objective_met(plan, met="main", by=org.rep)
    plan.refresh_from_db()
    assert plan.objective_met == "main" and plan.objective_met_at is not None


def test_only_managers_change_the_playbook(org):
    entry = PlaybookEntry.objects.get(kind="no_need")
    with pytest.raises(PermissionDenied):
        services.update_playbook_entry(entry, by=org.rep, response_zh="改")
    services.update_playbook_entry(entry, by=org.east_manager, response_zh="先问痛点")
    entry.refresh_from_db()
    assert entry.response_zh == "先问痛点" and entry.edited_by == org.east_manager


def test_the_playbook_ships_eight_bilingual_entries():
    entries = selectors.playbook()
    assert [e.kind for e in entries] == [
        "no_need",
        "no_hurry",
        "no_money",
        "no_good",
        "no_pain",
        "no_value",
        "no_trust",
        "no_difference",
    ]
    for e in entries:
        assert all(getattr(e, f) for f in services.PLAYBOOK_FIELDS)
    no_money = PlaybookEntry.objects.get(kind="no_money")
    assert "trust" in no_money.root_cause_en and "信任" in no_money.root_cause_zh


def test_the_response_used_is_logged_with_the_objection(deal, org):
    entry = PlaybookEntry.objects.get(kind="no_money")
    used = services.log_response(deal.objection, by=org.rep, entry=entry, activity=deal.activity)
    assert used.response == entry.response_en  # the user's language (English outside pages)
    objection = Objection.objects.get(pk=deal.objection.pk)
    assert objection.response == entry.response_en
    services.log_response(
        deal.objection, by=org.rep, response="先请专家做投资回报分析", resolved=True
    )
    objection.refresh_from_db()
    assert objection.response == "先请专家做投资回报分析" and objection.resolved
    assert ObjectionResponse.objects.filter(objection=objection).count() == 2
    with pytest.raises(PermissionDenied):
        services.log_response(deal.objection, by=org.north_rep, entry=entry)
