"""Demo call plans: each rep's next planned visit on a deal, prepared as a rep would."""

from __future__ import annotations

from kam.activities.models import Activity, ActivityStatus
from kam.coach.models import CallPlan
from kam.core.demo import DemoContext
from kam.pipeline.models import Objection

OBJECTIVES = [
    "客户同意安排技术负责人下周二参加方案演示",
    "客户同意在本周五前提供现网拓扑和容量数据",
    "客户同意下周内引荐分管副总进行高层会谈",
]
FALLBACKS = ["客户同意两周内安排一次技术交流", "客户同意本周内提供需求文档"]


def load(ctx: DemoContext) -> None:
    rng = ctx.rng
    plans: list[CallPlan] = []
    for rep in ctx.reps:
        activity = (
            Activity.objects.filter(
                owner=rep, status=ActivityStatus.PLANNED, opportunity__isnull=False
            )
            .order_by("starts_at", "pk")
            .first()
        )
        if activity is None or activity.opportunity_id is None:
            continue
        open_kinds = sorted(
            set(
                Objection.objects.filter(
                    opportunity_id=activity.opportunity_id, resolved=False
                ).values_list("kind", flat=True)
            )
        )
        plans.append(
            CallPlan(
                activity=activity,
                author=rep,
                objective=rng.choice(OBJECTIVES),
                fallback_objective=rng.choice(FALLBACKS),
                situation_questions="目前核心网的容量和利用率大概是多少？",
                problem_questions="高峰期扩容时最头疼的是什么？",
                implication_questions="如果明年流量再翻一番，割接的风险由谁来承担？",
                need_payoff_questions="如果扩容不再需要停机，对你们的考核意味着什么？",
                fab="平滑扩容（特征）→ 无需停机割接（优点）→ 全年业务零中断（收益）",
                power_statement="不是卖设备，而是让每一次扩容都不再惊动用户。",
                opener_fact="今年全省移动流量同比增长超过三成。",
                opener_assessment="我们看到同类运营商在高峰期扩容时压力最大。",
                opener_question="你们今年扩容的节奏是怎么安排的？",
                trust_plan="带上省内同类项目的验收报告，请我方首席专家一同参会。",
                expected_objections=open_kinds,
            )
        )
    CallPlan.objects.bulk_create(plans)
    ctx.log(f"call plans: {len(plans)}")
