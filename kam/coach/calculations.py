"""Pure rules of call preparation (DOMAIN.md §4, COACHING.md §6.2): is a call objective a
concrete, measurable action of the customer?

The activity's own check (:func:`kam.activities.calculations.objective_problem`) refuses
an empty or obviously vague objective. Preparing the call asks more: the objective must
name who at the customer does what, by when or how much, so that after the call the rep
can say whether it happened. Anything this check accepts the activity's check accepts too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

from kam.activities.calculations import objective_problem


class Refusal(StrEnum):
    """Why an objective is refused: a stable key for the API and the tests."""

    VAGUE = "vague"
    OUR_ACTION = "our_action"
    NO_COMMITMENT = "no_commitment"
    NO_CUSTOMER = "no_customer"
    NOT_MEASURABLE = "not_measurable"


@dataclass(frozen=True)
class Verdict:
    """The strict check's answer: accepted (``refusal`` None) or refused with a reason."""

    refusal: Refusal | None = None
    reason: str = ""

    @property
    def accepted(self) -> bool:
        return self.refusal is None


ACCEPTED = Verdict()

# An objective that opens with one of these says what *we* will do at the call.
OUR_ACTIONS = (
    "我们",
    "我方",
    "我",
    "向客户",
    "给客户",
    "跟客户",
    "和客户",
    "与客户",
    "为客户",
    "介绍",
    "了解",
    "演示",
    "展示",
    "汇报",
    "讲解",
    "说明",
    "推荐",
    "拜访",
    "沟通",
    "交流",
    "跟进",
    "探讨",
    "讨论",
    "收集",
    "摸清",
    "掌握",
    "争取",
    "推动",
    "推进",
    "建立",
    "维护",
    "加深",
    "提交",
    "递交",
    "送",
    "请",
    "we ",
    "we'll",
    "our ",
    "i ",
    "present",
    "introduce",
    "show",
    "demo",
    "explain",
    "learn",
    "understand",
    "find out",
    "discover",
    "discuss",
    "visit",
    "pitch",
    "tell",
    "meet",
    "talk",
    "build",
    "get to know",
    "follow up",
    "submit",
    "deliver",
    "try to",
    "convince",
    "persuade",
    "push",
)
# What a customer does that the rep can see: agreeing, arranging, attending, signing …
COMMITMENTS = (
    "同意",
    "答应",
    "承诺",
    "确认",
    "安排",
    "提供",
    "签",
    "批准",
    "审批",
    "参加",
    "出席",
    "引荐",
    "推荐我们",
    "介绍我们",
    "发出",
    "发来",
    "下发",
    "启动",
    "接受",
    "邀请",
    "预约",
    "约定",
    "开放",
    "试用",
    "测试",
    "立项",
    "拨付",
    "支付",
    "付款",
    "采购",
    "下单",
    "订购",
    "决定",
    "带我们",
    "陪同",
    "agree",
    "confirm",
    "arrange",
    "provide",
    "sign",
    "approve",
    "attend",
    "introduce us",
    "introduces us",
    "send",
    "commit",
    "schedule",
    "accept",
    "invite",
    "nominate",
    "share",
    "book",
    "grant",
    "release",
    "issue",
    "order",
    "pay",
    "start a trial",
    "starts a trial",
    "trial",
    "decide",
    "take us",
    "takes us",
    "set up",
    "sets up",
    "hand over",
    "hands over",
)
# A state of mind is not an action: polite interest is usually a continuation (§3.6).
FEELINGS = (
    "感兴趣",
    "满意",
    "认可",
    "认同",
    "好感",
    "印象",
    "了解我们",
    "理解",
    "重视",
    "interested",
    "satisfied",
    "happy",
    "likes",
    "like our",
    "understand",
    "aware",
    "impressed",
    "positive",
    "appreciate",
)
# Who at the customer acts: the customer, its people by title or role.
CUSTOMER_ACTORS = (
    "客户",
    "对方",
    "甲方",
    "用户",
    "总",
    "经理",
    "主任",
    "总监",
    "局长",
    "处长",
    "部长",
    "科长",
    "董事",
    "主管",
    "负责人",
    "工程师",
    "采购",
    "财务",
    "技术部",
    "信息中心",
    "委员会",
    "领导",
    "老板",
    "customer",
    "client",
    "buyer",
    "they ",
    "director",
    "manager",
    "head of",
    "chief",
    "cio",
    "cto",
    "ceo",
    "cfo",
    "board",
    "engineer",
    "procurement",
    "purchasing",
    "finance",
    "committee",
    "team",
    "department",
)
# Concrete and measurable: a date, a time, a deadline or a figure.
_DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_MEASURE = re.compile(
    r"\d|[一二两三四五六七八九十百千万]+(?:个|名|位|家|套|台|份|次|天|周|月|人|项)"
    r"|[上下本这]周|[上下本这]个?月|周[一二三四五六日末]|星期|礼拜|明天|后天|今天|当天|当场|会上|会后|"
    r"[月日号]前|之前|以前|年底|年内|月底|月内|季度|节前|节后|截止|届时|"
    r"\b(?:by|before|within|until)\s+\w+|"
    r"\b(?:next|this|coming)\s+(?:week|month|quarter|year|" + _DAYS + r")\b|"
    r"\b(?:tomorrow|today|tonight|end of (?:the )?(?:week|month|quarter|year))\b|"
    r"\bat the (?:\w+ )?(?:meeting|review|workshop|demo)\b|"
    r"\b(?:" + _DAYS + r"|january|february|march|april|june|july|august|september|"
    r"october|november|december|one|two|three|four|five|six|seven|eight|nine|ten)\b",
    re.IGNORECASE,
)


def _normal(text: str) -> str:
    return " ".join(text.split()).lower()


def _has(text: str, markers: tuple[str, ...]) -> bool:
    return any(marker in text for marker in markers)


def check_call_objective(text: str | None) -> Verdict:
    """Judge a call objective strictly (§4, COACHING §6.2): it names what the customer
    will do, concretely and measurably; the reason says what to change."""
    cleaned = _normal(text or "")
    base = objective_problem(cleaned)
    if base is not None:
        return Verdict(Refusal.VAGUE, base)
    if cleaned.startswith(OUR_ACTIONS):
        return Verdict(
            Refusal.OUR_ACTION,
            _(
                "This is what we will do at the call, not what the customer will do. "
                "Name the customer's action, e.g. “客户同意安排技术负责人下周二参加方案演示”."
            ),
        )
    if not _has(cleaned, COMMITMENTS):
        if _has(cleaned, FEELINGS):
            return Verdict(
                Refusal.NO_COMMITMENT,
                _(
                    "Interest or approval is a feeling, not an action: polite praise at the "
                    "end of a call is usually a continuation. Name what the customer will "
                    "do to show it (agree to a demo, a trial, a meeting with the decision "
                    "maker …)."
                ),
            )
        return Verdict(
            Refusal.NO_COMMITMENT,
            _(
                "No action of the customer is named. Say what they will agree to, arrange, "
                "provide, attend or sign."
            ),
        )
    if not _has(cleaned, CUSTOMER_ACTORS):
        return Verdict(
            Refusal.NO_CUSTOMER,
            _("Say who at the customer will act: the customer, or the person by title."),
        )
    if not _MEASURE.search(cleaned):
        return Verdict(
            Refusal.NOT_MEASURABLE,
            _(
                "Make it measurable: by when, how many or which meeting, so that after the "
                "call you can tell whether it happened."
            ),
        )
    return ACCEPTED
