"""The pages: what a rep sees before the call, while preparing it and after it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kam.activities.models import ActivityStatus
from kam.coach import services
from kam.coach.models import CallPlan, ObjectionResponse, PlaybookEntry

pytestmark = pytest.mark.django_db

GOOD = "客户同意安排技术负责人下周二参加方案演示"


def english(user):  # type: ignore[no-untyped-def]
    user.language = "en"
    user.save()
    return user


def test_the_activity_page_warns_before_the_visit_and_links_the_preparation(deal, org, login):
    page = (
        login(org.rep).get(reverse("activities:detail", args=[deal.activity.pk])).content.decode()
    )
    assert "拜访准备" in page
    assert reverse("coach:plan", args=[deal.activity.pk]) in page
    assert 'data-testid="objective-warning"' in page
    assert "拜访前请先改好目标" in page


def test_the_activity_page_in_english(deal, org, login):
    page = (
        login(english(org.rep))
        .get(reverse("activities:detail", args=[deal.activity.pk]))
        .content.decode()
    )
    assert "Prepare the call" in page
    assert "Fix the objective before the visit." in page
    assert "not what the customer will do" in page


def test_a_good_objective_gets_no_warning(deal, org, login):
    deal.activity.objective = GOOD
    deal.activity.save()
    page = (
        login(org.rep).get(reverse("activities:detail", args=[deal.activity.pk])).content.decode()
    )
    assert 'data-testid="objective-warning"' not in page


def test_the_pre_filled_plan_in_chinese(deal, org, login):
    page = login(org.rep).get(reverse("coach:plan", args=[deal.activity.pk])).content.decode()
    assert "由KAM预填" in page  # pre-filled, not saved yet
    assert "王工" in page and "技术把关者" in page and "A · 分析型" in page
    assert "是否满足我们的技术指标？" in page  # the gatekeeper's typical question
    assert "带上事实，并且量化。" in page  # the analytical style's advice
    assert "这个商机还没有向导" in page  # no coach yet → how to win one
    assert "核心网容量三年内翻倍" in page  # FAB tied to the stated need
    assert "没钱" in page and "信任" in page  # the open objection with its playbook answer
    assert "13900001111" not in page  # no personal information


def test_the_pre_filled_plan_in_english(deal, org, login):
    page = (
        login(english(org.rep)).get(reverse("coach:plan", args=[deal.activity.pk])).content.decode()
    )
    assert "Pre-filled by KAM, not saved yet" in page
    assert "Technical gatekeeper" in page and "A · Analytical" in page
    assert "Does it meet our technical specifications?" in page
    assert "Bring facts and quantify them." in page
    assert "This deal has no coach yet." in page
    assert "Usually no trust" in page


def test_saving_a_weak_objective_shows_the_refusal(deal, org, login):
    response = login(org.rep).post(
        reverse("coach:plan", args=[deal.activity.pk]), {"objective": "了解客户需求和预算情况"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="error-objective"' in page
    assert "这是我们在拜访中要做的事，不是客户要做的事" in page
    assert not CallPlan.objects.exists()


def test_saving_a_good_plan(deal, org, login):
    client = login(org.rep)
    response = client.post(
        reverse("coach:plan", args=[deal.activity.pk]),
        {
            "objective": GOOD,
            "power_statement": "让割接零中断",
            "expected_objections": ["no_money", "no_value"],
        },
    )
    assert response.status_code == 302
    plan = CallPlan.objects.get()
    assert plan.objective == GOOD and plan.expected_objections == ["no_money", "no_value"]
    page = client.get(reverse("coach:plan", args=[deal.activity.pk])).content.decode()
    assert "由KAM预填" not in page and "让割接零中断" in page
    detail = client.get(reverse("activities:detail", args=[deal.activity.pk])).content.decode()
    assert "计划已就绪" in detail


def test_another_teams_rep_gets_404(deal, org, login):
    client = login(org.north_rep)
    assert client.get(reverse("coach:plan", args=[deal.activity.pk])).status_code == 404
    assert (
        client.post(reverse("coach:plan", args=[deal.activity.pk]), {"objective": GOOD}).status_code
        == 404
    )


def test_finance_reads_the_plan_but_cannot_save(deal, org, login):
    client = login(org.finance)
    page = client.get(reverse("coach:plan", args=[deal.activity.pk])).content.decode()
    assert 'data-testid="plan-form"' not in page
    assert (
        client.post(reverse("coach:plan", args=[deal.activity.pk]), {"objective": GOOD}).status_code
        == 403
    )


def test_the_outcome_form_shows_the_plan_and_asks_which_objective_was_met(deal, org, login):
    plan = services.save_call_plan(
        deal.activity, by=org.rep, objective=GOOD, fallback_objective="客户本周内提供需求文档"
    )
    deal.activity.starts_at = timezone.now() - timedelta(hours=2)
    deal.activity.save()
    client = login(org.rep)
    page = client.get(reverse("activities:outcome", args=[deal.activity.pk])).content.decode()
    assert 'data-testid="plan-beside-outcome"' in page
    assert GOOD in page and "客户本周内提供需求文档" in page
    assert "客户的行动达成了哪个目标？" in page
    response = client.post(
        reverse("coach:objective_met", args=[deal.activity.pk]),
        {"objective_met": "fallback", "version": plan.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "已记录" in response.content.decode()
    plan.refresh_from_db()
    assert plan.objective_met == "fallback"


def test_logging_the_answer_used_from_the_plan_page(deal, org, login):
    entry = PlaybookEntry.objects.get(kind="no_money")
    client = login(org.rep)
    response = client.post(
        reverse("coach:response_used", args=[deal.activity.pk, deal.objection.pk]),
        {"entry": entry.pk},
    )
    assert response.status_code == 302
    used = ObjectionResponse.objects.get()
    assert used.response == entry.response_zh and used.activity == deal.activity
    page = client.get(reverse("coach:plan", args=[deal.activity.pk])).content.decode()
    assert 'data-testid="response-logged"' in page


def test_the_playbook_is_read_by_reps_and_edited_by_managers(org, login):
    entry = PlaybookEntry.objects.get(kind="no_hurry")
    rep = login(org.rep)
    page = rep.get(reverse("coach:playbook")).content.decode()
    assert "异议手册" in page and "不急" in page and "没看到价值" in page
    assert 'data-testid="edit-no_hurry"' not in page
    assert rep.get(reverse("coach:playbook_edit", args=[entry.pk])).status_code == 403
    assert rep.post(reverse("coach:playbook_edit", args=[entry.pk]), {}).status_code == 403
    manager = login(org.east_manager)
    assert 'data-testid="edit-no_hurry"' in manager.get(reverse("coach:playbook")).content.decode()
    data = {f: getattr(entry, f) for f in services.PLAYBOOK_FIELDS}
    data.update(response_en="Count the cost of waiting.", version=entry.version)
    assert manager.post(reverse("coach:playbook_edit", args=[entry.pk]), data).status_code == 302
    entry.refresh_from_db()
    assert entry.response_en == "Count the cost of waiting."


def test_a_done_visit_cannot_be_prepared_any_more(deal, org, login):
    deal.activity.status = ActivityStatus.DONE
    deal.activity.save()
    page = login(org.rep).get(reverse("coach:plan", args=[deal.activity.pk])).content.decode()
    assert 'data-testid="plan-form"' not in page
