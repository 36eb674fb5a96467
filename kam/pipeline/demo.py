"""Demo opportunities in every stage, plus closed history."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from kam.core.demo import DemoContext
from kam.pipeline import calculations
from kam.pipeline.models import (
    DecisionFactor,
    Evaluation,
    Objection,
    Opportunity,
    OpportunityCompetitor,
    Stage,
    StageChange,
    StageModel,
    Status,
)
from kam.pipeline.services.screening import refresh_screening

PRODUCTS = [
    "核心网扩容",
    "数据中心交换机",
    "5G专网",
    "智能运维平台",
    "视频会议系统",
    "光传输设备",
    "网络安全加固",
    "园区无线网络",
    "云计算平台",
    "灾备中心建设",
]


def load(ctx: DemoContext) -> None:
    rng = ctx.rng
    model = StageModel.objects.get(is_default=True)
    stages = list(Stage.objects.filter(model=model).order_by("order"))
    opportunities: list[Opportunity] = []
    for account in ctx.extra["accounts"]:
        if rng.random() > 0.7:
            continue
        for _ in range(rng.randint(1, 3)):
            status = rng.choices(
                [Status.OPEN, Status.WON, Status.LOST, Status.NO_DECISION], weights=[60, 22, 15, 3]
            )[0]
            amount = Decimal(rng.randrange(10, 800)) * Decimal(10000)
            if status == Status.OPEN:
                stage = rng.choices(stages, weights=[5, 4, 3, 2, 2, 2])[0]
                close = ctx.today + timedelta(days=rng.randint(7, 200))
                closed_on = None
            else:
                stage = stages[-1] if status == Status.WON else rng.choice(stages[:5])
                closed_on = ctx.today - timedelta(days=rng.randint(1, 700))
                close = closed_on
            opportunities.append(
                Opportunity(
                    account=account,
                    name=f"{account.name[:12]}{rng.choice(PRODUCTS)}项目",
                    amount=amount,
                    stage=stage,
                    status=status,
                    owner=account.owner,
                    expected_close_date=close,
                    closed_on=closed_on,
                )
            )
    ctx.extra["opportunities"] = Opportunity.objects.bulk_create(opportunities)
    changes = _stage_history(ctx, ctx.extra["opportunities"], stages)
    ctx.log(f"opportunities: {len(opportunities)} ({changes} stage changes)")


def _stage_history(ctx: DemoContext, opportunities: list[Opportunity], stages: list[Stage]) -> int:
    """Each deal walked up the funnel to where it stands (or closed), a few weeks a stage."""
    tz = timezone.get_current_timezone()
    rows = []
    for opportunity in opportunities:
        reached = [s for s in stages if s.order <= opportunity.stage.order]
        end = opportunity.closed_on or ctx.today
        day = end - timedelta(days=ctx.rng.randint(15, 40) * len(reached))
        previous = None
        for stage in reached:
            rows.append(
                StageChange(
                    opportunity=opportunity,
                    from_stage=previous,
                    to_stage=stage,
                    changed_at=datetime.combine(day, time(10), tzinfo=tz),
                    changed_by=opportunity.owner,
                    win_rate=stage.win_rate,
                )
            )
            opportunity.stage_entered_at = rows[-1].changed_at
            previous = stage
            day = min(end, day + timedelta(days=ctx.rng.randint(10, 40)))
        if opportunity.status != Status.OPEN:
            rows.append(
                StageChange(
                    opportunity=opportunity,
                    from_stage=previous,
                    to_stage=previous,
                    status=opportunity.status,
                    changed_at=datetime.combine(end, time(17), tzinfo=tz),
                    changed_by=opportunity.owner,
                    win_rate=previous.win_rate if previous else None,
                )
            )
    StageChange.objects.bulk_create(rows)
    Opportunity.objects.bulk_update(opportunities, ["stage_entered_at"], batch_size=500)
    return len(rows)


# --- the record of each deal: qualification, background, the twenty questions, factors,
# competitors, objections and the outcome's reason ------------------------

BUSINESS_STATUS = [
    "业务快速扩张，现有系统容量不足",
    "正推进数字化转型，年内要完成一期建设",
    "去年发生两次重大故障，管理层要求提升可靠性",
    "集团统一采购，要求各子公司标准化",
    "新园区年底投产，配套网络需同步建成",
]
NEEDS = [
    "承载未来三年业务增长，支持平滑扩容",
    "核心业务7×24小时不间断，故障恢复在30分钟内",
    "统一运维，减少人工巡检",
    "满足等保三级和行业监管要求",
    "降低总体拥有成本，五年内回收投资",
]
DRIVERS = [
    "监管检查期限在明年一季度",
    "老设备明年停止维保",
    "董事会已批准年度信息化预算",
    "竞争对手已完成同类改造，业务部门压力大",
]
FACTORS = [
    ("方案成熟度与成功案例", "technical"),
    ("总体拥有成本", "business"),
    ("本地服务响应时间", "business"),
    ("与现网设备的兼容性", "technical"),
    ("交付周期", "business"),
    ("厂商品牌与长期支持", "business"),
    ("安全合规认证", "technical"),
]
COMPETITORS = [
    ("华为", "品牌强，产品线全，价格有弹性", "定制响应慢，客户担心被锁定"),
    ("新华三", "政企渠道深，现网占有率高", "高端型号案例少"),
    ("中兴通讯", "运营商背景，报价低", "行业应用经验不足"),
    ("思科", "技术口碑好，外企客户认可", "价格高，国产化要求下受限"),
    ("锐捷网络", "园区场景性价比高", "大型项目交付能力待验证"),
]
OBJECTIONS = [
    (
        "no_money",
        "今年预算已经用完了，明年再说吧。",
        "提出分期付款方案，首期在本年度预算内。",
        True,
    ),
    (
        "no_hurry",
        "现在的系统还能用，不着急换。",
        "用故障记录算出停机损失，请技术把关者确认风险。",
        False,
    ),
    (
        "no_difference",
        "你们和其他家的方案看起来差不多。",
        "安排到同行业客户现场参观，展示运维平台的差异。",
        True,
    ),
    ("no_trust", "你们在我们行业的案例太少。", "邀请三家同行业客户的技术负责人做交流。", False),
    ("no_value", "这个投入和带来的效益不成正比。", "与财务一起做投资回报测算，三年回收。", True),
    ("no_need", "我们暂时没有扩容计划。", "挖掘业务部门的新需求，约见使用者。", False),
]
ELEMENTS = ["element_value", "element_need", "element_price", "element_trust", "element_experience"]
LOST_REASONS = [
    "价格比中标方高15%，客户最终选择低价方案",
    "决策者与竞争对手关系更深，我们接触太晚",
    "技术方案未能满足兼容性要求",
    "客户项目预算被削减，选择了分期建设的对手方案",
]
WON_REASONS = [
    "方案通过技术评审第一名，商务条款达成一致",
    "同行业案例打动了决策者，服务响应承诺领先",
    "总体拥有成本最低，教练提前透露了评分标准",
]


def load_details(ctx: DemoContext) -> None:
    """Give every demo deal the record a rep keeps on a real one, consistent with its stage."""
    rng = ctx.rng
    deals = list(
        Opportunity.objects.select_related("stage", "owner__team__manager")
        .order_by("pk")
        .prefetch_related("stage_changes")
    )
    evaluations: list[Evaluation] = []
    factors: list[DecisionFactor] = []
    competitors: list[OpportunityCompetitor] = []
    objections: list[Objection] = []
    for deal in deals:
        order = deal.stage.order
        won, lost = deal.status == Status.WON, deal.status in (Status.LOST, Status.NO_DECISION)
        # Past the second stage a deal is qualified, or a manager let it through (§3.2).
        qualified = order > 2 or rng.random() < 0.4 * order
        deal.has_need = qualified or rng.random() < 0.7
        deal.has_authority = qualified or rng.random() < 0.4
        deal.has_budget = qualified or rng.random() < 0.3
        deal.has_timeline = qualified or rng.random() < 0.5
        if order > 2 and rng.random() < 0.08:
            deal.has_budget = False
            deal.qualification_override_reason = "战略客户，预算在集团层面审批中，经理同意先推进"
            team = deal.owner.team if deal.owner else None
            deal.qualification_override_by = team.manager if team else None
        if order >= 2 or rng.random() < 0.5:
            deal.business_status = rng.choice(BUSINESS_STATUS)
            deal.application_needs = rng.choice(NEEDS)
            deal.implementation_drivers = rng.choice(DRIVERS)
            deal.goals = "建成后支撑未来三年的业务发展"
        if order >= 3:
            deal.decision_who = "总经理最终审批，信息中心主任牵头评估"
            deal.decision_departments = "信息中心、采购部、财务部"
            deal.decision_when = "预计在预计成交日期前一个月完成评标"
            deal.decision_how = "公开招标，技术分60%、商务分40%"
            for element in ELEMENTS:
                setattr(deal, element, rng.choice(["ahead", "ahead", "even", "behind", "unknown"]))
        if won:
            deal.close_reason = rng.choice(WON_REASONS)
        elif lost:
            deal.close_reason = rng.choice(LOST_REASONS)
            if deal.status == Status.LOST:
                deal.winning_competitor = rng.choice(COMPETITORS)[0]
        # The twenty questions, re-done as the deal moved: won deals scored better.
        changes = [c for c in deal.stage_changes.all() if c.status == Status.OPEN]
        strength = 0.55 + 0.08 * order + (0.15 if won else -0.15 if lost else 0)
        for change in changes[1:][-3:] if len(changes) > 1 else changes[:1]:
            if order < 2 and rng.random() < 0.5:
                break
            answers = {
                str(n): {"answer": _answer(rng, strength), "note": ""}
                for n in calculations.QUESTION_NUMBERS
            }
            card = calculations.score_evaluation({int(k): v["answer"] for k, v in answers.items()})
            evaluations.append(
                Evaluation(
                    opportunity=deal,
                    evaluated_at=change.changed_at + timedelta(days=rng.randint(1, 5)),
                    evaluated_by=deal.owner,
                    answers=answers,
                    project_score=card.project,
                    ours_score=card.ours,
                    win_score=card.win,
                    worth_score=card.worth,
                    total_score=card.total,
                )
            )
            strength += 0.03
        if order >= 2:
            for name, kind in rng.sample(FACTORS, rng.randint(2, 4)):
                factors.append(
                    DecisionFactor(
                        opportunity=deal,
                        name=name,
                        factor_type=kind,
                        scope="customer" if rng.random() < 0.8 else "personal",
                        priority=rng.choice([1, 1, 2, 2, 3]),
                        standing=rng.choice(["ahead", "even", "behind", "unknown"]),
                        missed_by_customer=rng.random() < 0.1,
                    )
                )
        if deal.competition_status == "present" or deal.winning_competitor:
            picks = rng.sample(COMPETITORS, rng.randint(1, 2))
            if deal.winning_competitor and all(p[0] != deal.winning_competitor for p in picks):
                picks.append(next(c for c in COMPETITORS if c[0] == deal.winning_competitor))
            for name, strengths, weaknesses in picks:
                competitors.append(
                    OpportunityCompetitor(
                        opportunity=deal,
                        name=name,
                        strengths=strengths,
                        weaknesses=weaknesses,
                        standing=rng.choice(["ahead", "even", "behind"]),
                    )
                )
        if order >= 2 and rng.random() < 0.45:
            for kind, said, response, resolved in rng.sample(OBJECTIONS, rng.randint(1, 2)):
                objections.append(
                    Objection(
                        opportunity=deal,
                        kind=kind,
                        said=said,
                        response=response,
                        resolved=resolved or won,
                        raised_on=timezone.localdate(changes[-1].changed_at)
                        if changes
                        else ctx.today,
                        created_by=deal.owner,
                    )
                )
    Opportunity.objects.bulk_update(
        deals,
        [
            "has_need",
            "has_authority",
            "has_budget",
            "has_timeline",
            "qualification_override_reason",
            "qualification_override_by",
            "business_status",
            "application_needs",
            "implementation_drivers",
            "goals",
            "decision_who",
            "decision_departments",
            "decision_when",
            "decision_how",
            "close_reason",
            "winning_competitor",
            *ELEMENTS,
        ],
        batch_size=500,
    )
    Evaluation.objects.bulk_create(evaluations, batch_size=500)
    refresh_screening({e.opportunity_id for e in evaluations})
    DecisionFactor.objects.bulk_create(factors, batch_size=500)
    OpportunityCompetitor.objects.bulk_create(competitors, batch_size=500)
    Objection.objects.bulk_create(objections, batch_size=500)
    ctx.log(
        f"deal records: {len(evaluations)} evaluations, {len(factors)} decision factors, "
        f"{len(competitors)} competitors, {len(objections)} objections"
    )


def _answer(rng: random.Random, strength: float) -> str:
    roll = rng.random()
    if roll < strength * 0.8:
        return "yes"
    if roll < strength * 0.8 + 0.25:
        return "unsure"
    return "no"
