"""Pure rules about activities (DOMAIN.md §4): is an objective a customer action?"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

MIN_OBJECTIVE_LENGTH = 6

# Objectives that name what *we* do, or nothing at all: §4 wants what the customer will do.
VAGUE_OBJECTIVES = {
    "拜访",
    "拜访客户",
    "沟通",
    "交流",
    "跟进",
    "了解情况",
    "了解需求",
    "建立关系",
    "维护关系",
    "介绍产品",
    "推进项目",
    "见面",
    "visit",
    "visit the customer",
    "follow up",
    "follow-up",
    "discuss",
    "meeting",
    "build rapport",
    "build relationship",
    "introduce our products",
    "present",
    "catch up",
    "check in",
}
OUR_ACTION_PREFIXES = (
    "拜访",
    "介绍",
    "了解",
    "沟通",
    "跟进",
    "交流",
    "汇报",
    "visit",
    "introduce",
    "present",
    "follow up",
    "discuss",
    "learn",
    "talk",
    "meet",
)
CUSTOMER_ACTION_MARKERS = (
    "客户",
    "对方",
    "同意",
    "确认",
    "安排",
    "提供",
    "签",
    "批准",
    "参加",
    "引荐",
    "发出",
    "启动",
    "customer",
    "client",
    "agree",
    "will ",
    "confirm",
    "sign",
    "arrange",
    "provide",
    "approve",
    "introduce us",
    "commit",
    "schedule",
)

EXAMPLES = [
    _("The customer agrees to a solution demo for its technical team next week."),
    _("The IT director introduces us to the deputy general manager."),
    _("The customer provides the current network topology and capacity data."),
    _("The customer confirms the pilot scope by Friday."),
    _("The customer sends a formal request for quotation."),
]


def objective_problem(text: str | None) -> str | None:
    """Why ``text`` is not a usable objective (§4), or None when it is one.

    An objective is the action the customer will take when the activity ends:
    specific, a result not an action of ours.
    """
    cleaned = " ".join((text or "").split())
    if not cleaned:
        return str(_("State the objective: what the customer will do when the activity ends."))
    lowered = cleaned.lower().rstrip("。.!！")
    if lowered in VAGUE_OBJECTIVES or len(cleaned) < MIN_OBJECTIVE_LENGTH:
        return str(
            _(
                "This objective is too vague. Say what the customer will do, e.g. "
                "“The customer agrees to a solution demo next week”."
            )
        )
    mentions_customer = any(marker in lowered for marker in CUSTOMER_ACTION_MARKERS)
    if lowered.startswith(OUR_ACTION_PREFIXES) and not mentions_customer:
        return str(
            _(
                "This describes what we will do. State the action the customer will take, "
                "e.g. “The customer agrees to …”."
            )
        )
    return None
