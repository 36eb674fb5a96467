"""The call plan lists the deal's decision factors with the strategy to shape each (issue 23 §4)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kam.pipeline import services as pipeline_services

pytestmark = pytest.mark.django_db


def english(user):  # type: ignore[no-untyped-def]
    user.language = "en"
    user.save()
    return user


@pytest.fixture
def factors(deal, org):  # type: ignore[no-untyped-def]
    shaped = pipeline_services.add_decision_factor(
        deal.opportunity,
        name="割接窗口",
        priority=1,
        standing="behind",
        set_by="consultant",
        strategy="a_to_a_plus_1",
        strategy_actions="请王工把零中断割接写进评分表",
        by=org.rep,
    )
    bare = pipeline_services.add_decision_factor(
        deal.opportunity, name="本地服务团队", priority=1, standing="behind", by=org.rep
    )
    return shaped, bare


def test_the_plan_lists_each_factor_with_its_strategy_and_flags_the_bare_one(
    deal, org, login, factors
):
    page = (
        login(english(org.rep)).get(reverse("coach:plan", args=[deal.activity.pk])).content.decode()
    )
    sheet = page[page.index('data-testid="sheet-factors"') :]
    sheet = sheet[: sheet.index("</dd>")]
    assert "割接窗口" in sheet and "set by An outside consultant" in sheet
    assert "A→A+1 (add a criterion we win): " in sheet and "零中断割接" in sheet
    assert "本地服务团队" in sheet and "⚠ no strategy" in sheet
    flag = page[page.index('data-testid="factors-without-strategy"') :]
    flag = flag[: flag.index("</p>")]
    assert "A decisive factor where we trail has no strategy" in flag
    assert "本地服务团队" in flag and "割接窗口" not in flag
    assert "Reset the priorities: change the order of importance" in page


def test_the_plan_in_chinese_and_without_a_flag_once_every_factor_has_a_strategy(
    deal, org, login, factors
):
    _, bare = factors
    pipeline_services.update_decision_factor(
        bare, by=org.rep, strategy="be_first", strategy_actions="下周先约技术部交流"
    )
    page = login(org.rep).get(reverse("coach:plan", args=[deal.activity.pk])).content.decode()
    assert "争做第一（率先制定标准）" in page and "下周先约技术部交流" in page
    assert "客户外部咨询小组" in page
    assert 'data-testid="factors-without-strategy"' not in page


def test_the_api_answers_the_factors_and_the_flag(deal, org, api, factors):
    body = api(org.rep).get(f"/api/v1/coach/call-plans/{deal.activity.pk}/").json()
    by_name = {f["name"]: f for f in body["decision_factors"]}
    assert by_name["割接窗口"]["strategy"] == "a_to_a_plus_1"
    assert by_name["割接窗口"]["actions"] == "请王工把零中断割接写进评分表"
    assert by_name["本地服务团队"]["needs_strategy"] is True
    assert body["factors_without_strategy"] == ["本地服务团队"]
