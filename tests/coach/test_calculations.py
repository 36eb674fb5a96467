"""The strict call-objective check (DOMAIN §4, COACHING §6.2): what the rep is told."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kam.activities.calculations import objective_problem
from kam.coach.calculations import OUR_ACTIONS, Refusal, check_call_objective


@pytest.mark.parametrize(
    "text",
    ["介绍产品给客户", "了解客户需求和预算情况", "Present our solution to the customer"],
)
def test_the_issues_weak_objectives_are_refused_as_our_own_actions(text):
    verdict = check_call_objective(text)
    assert not verdict.accepted
    assert verdict.refusal is Refusal.OUR_ACTION
    assert "not what the customer will do" in verdict.reason
    assert "客户同意安排技术负责人下周二参加方案演示" in verdict.reason


def test_the_activity_check_alone_lets_the_issues_examples_through():
    # Why the coach needs its own check: the activity's looser one accepts them.
    for text in (
        "介绍产品给客户",
        "了解客户需求和预算情况",
        "Present our solution to the customer",
    ):
        assert objective_problem(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "客户同意安排技术负责人下周二参加方案演示",
        "The customer agrees to a solution demo for its technical team next week.",
        "The customer confirms the pilot scope by Friday.",
        "王总同意在12月15日前引荐分管副总",
        "信息中心主任本周内提供现网拓扑和容量数据",
    ],
)
def test_concrete_measurable_customer_actions_are_accepted(text):
    verdict = check_call_objective(text)
    assert verdict.accepted, verdict.reason
    assert verdict.reason == ""


@pytest.mark.parametrize(
    ("text", "refusal", "words"),
    [
        ("", Refusal.VAGUE, "State the objective"),
        ("拜访客户", Refusal.VAGUE, "too vague"),
        ("客户对我们的方案很感兴趣", Refusal.NO_COMMITMENT, "feeling, not an action"),
        ("The customer is impressed by the demo", Refusal.NO_COMMITMENT, "continuation"),
        ("客户的项目往前走一步", Refusal.NO_COMMITMENT, "No action of the customer"),
        ("同意下周二安排方案演示", Refusal.NO_CUSTOMER, "who at the customer"),
        ("客户同意安排方案演示", Refusal.NOT_MEASURABLE, "measurable"),
        ("The customer agrees to a demo", Refusal.NOT_MEASURABLE, "by when"),
        ("The customer agrees to this proposal", Refusal.NOT_MEASURABLE, "by when"),
        ("The customer may agree to a trial", Refusal.NOT_MEASURABLE, "by when"),
    ],
)
def test_each_refusal_says_what_to_change(text, refusal, words):
    verdict = check_call_objective(text)
    assert verdict.refusal is refusal
    assert words in verdict.reason


@given(st.text(max_size=60))
def test_the_strict_check_is_never_looser_than_the_activitys(text):
    if check_call_objective(text).accepted:
        assert objective_problem(text) is None


@given(st.sampled_from(OUR_ACTIONS), st.text(max_size=40))
def test_an_objective_that_opens_with_our_action_is_never_accepted(opening, rest):
    assert not check_call_objective(opening + rest).accepted


@given(
    st.sampled_from(["客户", "张总", "技术负责人", "采购部经理"]),
    st.sampled_from(["同意", "确认", "安排", "承诺"]),
    st.sampled_from(["下周二", "12月8日前", "本周内", "当场"]),
    st.sampled_from(["参加方案演示", "试用两周", "引荐决策者", "提供需求文档"]),
)
def test_who_agrees_to_what_by_when_is_accepted(who, verb, when, what):
    text = f"{who}{verb}{when}{what}"
    assert check_call_objective(text).accepted, text
