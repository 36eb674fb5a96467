"""Demo decision chains: an organisation chart per account, a buying circle per deal.

People are created with the accounts (:func:`load`). Buying circles need the deals
and the activities of the later areas, so :func:`load_circles` is a step of its own,
listed after them in ``kam.core.demo.AREAS``.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.db import transaction

from kam.core.demo import DemoContext
from kam.pipeline.models import CompetitionStatus, Opportunity, Status
from kam.stakeholders.models import (
    Assessment,
    BuyingRole,
    Contact,
    ContactChange,
    Influence,
    InfluenceLine,
    InnovationAttitude,
    Level,
    PaymentApprovalStep,
    PersonalInfo,
    PolicyWatch,
    PurchaseRole,
    Relationship,
    Stakeholder,
    Style,
    Support,
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = [
    "建国",
    "丽华",
    "志强",
    "秀英",
    "海波",
    "晓燕",
    "伟",
    "静",
    "磊",
    "洋",
    "军",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "霞",
    "平",
    "刚",
    "桂英",
    "文",
    "斌",
    "颖",
    "晨",
]

# (title, department, level) from the top of a customer's organisation down.
CHART = [
    ("总经理", "总经理办公室", Level.DECISION),
    ("副总经理", "总经理办公室", Level.DECISION),
    ("信息中心主任", "信息中心", Level.MANAGEMENT),
    ("采购部经理", "采购部", Level.MANAGEMENT),
    ("财务总监", "财务部", Level.MANAGEMENT),
    ("网络运维主管", "信息中心", Level.OPERATIONAL),
    ("高级工程师", "信息中心", Level.OPERATIONAL),
    ("采购专员", "采购部", Level.OPERATIONAL),
]
REPORTS_TO = {1: 0, 2: 1, 3: 1, 4: 0, 5: 2, 6: 2, 7: 3}


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def load(ctx: DemoContext) -> None:
    rng = ctx.rng
    total = 0
    by_account: dict[int, list[Contact]] = {}
    for account in ctx.extra["accounts"]:
        size = rng.randint(4, len(CHART))
        people = [
            Contact(
                account=account,
                name=person_name(rng),
                title=title,
                department=dept,
                level=level,
                phone=f"1{rng.randint(3000000000, 9899999999)}",
                email=f"c{account.pk}.{i}@customer.example",
            )
            for i, (title, dept, level) in enumerate(CHART[:size])
        ]
        Contact.objects.bulk_create(people)
        for i, person in enumerate(people):
            boss = REPORTS_TO.get(i)
            if boss is not None and boss < len(people):
                person.reports_to = people[boss]
        Contact.objects.bulk_update(people, ["reports_to"])
        by_account[account.pk] = people
        total += len(people)
    ctx.extra["contacts_by_account"] = by_account
    ctx.log(f"people at customers: {total}")


# Positions in CHART, by what they usually are in a deal.
GM, VP, IT_HEAD, PURCHASING, CFO, OPS, ENGINEER, BUYER = range(8)

WINS = {
    BuyingRole.DECISION_MAKER: ("在集团年度考核中拿到信息化创新奖", "三年总拥有成本下降15%"),
    BuyingRole.TECHNICAL_GATEKEEPER: ("方案稳定，不因故障被问责", "网络可用率达到99.99%"),
    BuyingRole.USER: ("运维工作量减少，少加班", "故障处理时间缩短一半"),
    BuyingRole.COACH: ("被认可为项目的推动者", "项目按期上线"),
    "purchasing": ("采购流程合规、价格有依据", "采购成本低于预算"),
}
POLICIES = [
    ("国产化替代比例要求提高", "新采购设备的国产化比例须达到70%，影响我方方案的选型"),
    ("数据安全法配套细则发布", "核心数据须本地存储，需确认方案的合规性"),
    ("地方专项补贴申报窗口", "符合条件的项目可申请30%补贴，影响客户预算和时间"),
]
HOBBIES = ["羽毛球", "钓鱼", "摄影", "徒步", "书法", "高尔夫", "围棋", "马拉松"]


def load_circles(ctx: DemoContext) -> None:
    """Buying circles, assessments, influence lines, approval chains and policy notes.

    Most deals are well covered; several are not, so the red flags have
    something worth fixing: no coach, a technical gatekeeper nobody found, an
    influential opponent, a decision maker who does not trust us late in the
    deal, a new face not met, a buyer who moved.
    """
    with transaction.atomic():
        _load_circles(ctx)


def _load_circles(ctx: DemoContext) -> None:
    rng = ctx.rng
    today = ctx.today
    by_account: dict[int, list[Contact]] = ctx.extra.get("contacts_by_account", {})
    deals: list[Opportunity] = list(
        Opportunity.objects.filter(pk__in=[o.pk for o in ctx.extra.get("opportunities", [])])
        .select_related("stage")
        .order_by("pk")
    )
    members: list[Stakeholder] = []
    judged: list[tuple[int, str, str]] = []  # (index in members, support, influence)
    staff_coach = 0
    for deal in deals:
        people = by_account.get(deal.account_id, [])
        if not people:
            continue
        late = deal.stage.win_rate >= 50
        weak = deal.status == Status.OPEN and rng.random() < 0.35
        gaps = (
            set(rng.sample(["coach", "gatekeeper", "opponent", "distrust", "new"], k=2))
            if weak
            else set()
        )
        decider = people[GM] if rng.random() < 0.6 or len(people) <= VP else people[VP]
        gatekeeper = people[IT_HEAD] if len(people) > IT_HEAD else None
        user = people[OPS] if len(people) > OPS else people[min(IT_HEAD, len(people) - 1)]
        coach = people[ENGINEER] if len(people) > ENGINEER else None
        purchasing = people[PURCHASING] if len(people) > PURCHASING else None
        circle: dict[int, dict[str, Any]] = {}

        _put(
            circle,
            decider,
            BuyingRole.DECISION_MAKER,
            PurchaseRole.FINAL_APPROVAL,
            BuyingRole.DECISION_MAKER,
        )
        if "gatekeeper" not in gaps:
            _put(
                circle,
                gatekeeper,
                BuyingRole.TECHNICAL_GATEKEEPER,
                PurchaseRole.SOLUTION_EVALUATION,
                BuyingRole.TECHNICAL_GATEKEEPER,
            )
        _put(circle, user, BuyingRole.USER, PurchaseRole.END_USER, BuyingRole.USER)
        _put(circle, purchasing, "", PurchaseRole.DECISION_MAKING, "purchasing")
        if "coach" not in gaps and coach is not None and coach.pk not in circle:
            _put(circle, coach, BuyingRole.COACH, "", BuyingRole.COACH)
        start = len(members)
        for entry in circle.values():
            win, result = WINS[entry["wins"]]
            members.append(
                Stakeholder(
                    opportunity=deal,
                    contact=entry["contact"],
                    is_decision_maker=BuyingRole.DECISION_MAKER in entry["roles"],
                    is_user=BuyingRole.USER in entry["roles"],
                    is_technical_gatekeeper=BuyingRole.TECHNICAL_GATEKEEPER in entry["roles"],
                    is_coach=BuyingRole.COACH in entry["roles"],
                    purchase_role=entry["purchase_role"],
                    personal_win=win,
                    business_result=result,
                    added_on=today - timedelta(days=rng.randint(45, 200)),
                )
            )
            top = entry["contact"] is decider
            relationship = (
                Relationship.TRUSTING
                if top and late and "distrust" not in gaps
                else rng.choice(
                    [Relationship.ACQUAINTED, Relationship.DATING, Relationship.TRUSTING]
                )
            )
            if top and "distrust" in gaps:
                relationship = Relationship.DATING
            members[-1].relationship = relationship
            support: str = Support.SUPPORTER if rng.random() < 0.6 else Support.NEUTRAL
            influence = Influence.HIGH if top else rng.choice(list(Influence.values))
            if "opponent" in gaps and entry["contact"] is purchasing:
                support, influence = Support.OPPONENT, Influence.HIGH
            judged.append((len(members) - 1, support, influence))
        if "coach" not in gaps and not any(BuyingRole.COACH in e["roles"] for e in circle.values()):
            # No engineer to coach us: one of our own people, or a partner, does.
            staff_coach += 1
            ours = rng.random() < 0.5
            members.append(
                Stakeholder(
                    opportunity=deal,
                    staff=deal.owner if ours else None,
                    outside_name="" if ours else "集成商项目经理",
                    is_coach=True,
                    personal_win="客户认可我方团队",
                    business_result="项目按期上线",
                    added_on=today - timedelta(days=90),
                )
            )
        if "new" in gaps:
            newcomer = next((p for p in people if p.pk not in circle and p is not coach), None)
            if newcomer is not None:
                members.append(
                    Stakeholder(
                        opportunity=deal,
                        contact=newcomer,
                        is_user=True,
                        purchase_role=PurchaseRole.END_USER,
                        added_on=today - timedelta(days=rng.randint(2, 12)),
                    )
                )
        if deal.status == Status.OPEN and len(members) > start:
            deal.competition_status = (
                CompetitionStatus.UNKNOWN
                if weak and rng.random() < 0.5
                else rng.choice([CompetitionStatus.PRESENT, CompetitionStatus.NONE])
            )
    for index, support, influence in judged:
        members[index].support = support
        members[index].influence = influence
    Stakeholder.objects.bulk_create(members)
    Opportunity.objects.bulk_update(deals, ["competition_status"])
    assessments = _assessments(ctx, members, dict((i, (s, f)) for i, s, f in judged))
    Assessment.objects.bulk_create(assessments)
    lines, steps = _account_structure(ctx, by_account)
    moved = _moves(ctx, by_account)
    ctx.log(
        f"buying circles: {len(members)} members in {len(deals)} deals "
        f"({staff_coach} coached from outside the customer), {len(assessments)} assessments, "
        f"{lines} influence lines, {steps} payment approval steps, {moved} moves"
    )


def _put(
    circle: dict[int, dict[str, Any]],
    person: Contact | None,
    role: str,
    purchase_role: str,
    wins: str,
) -> None:
    if person is None:
        return
    entry = circle.setdefault(person.pk, {"contact": person, "roles": set(), "wins": wins})
    if role:
        entry["roles"].add(role)
    entry.setdefault("purchase_role", purchase_role)


def _assessments(
    ctx: DemoContext, members: list[Stakeholder], judged: dict[int, tuple[str, str]]
) -> list[Assessment]:
    """One to three dated judgements per person, climbing to today's: a trend to show."""
    rng = ctx.rng
    ladder = list(Relationship.values)
    rows = []
    for index, member in enumerate(members):
        if index not in judged:
            continue
        support, influence = judged[index]
        current = ladder.index(member.relationship)
        count = rng.randint(1, 3)
        for step in range(count):
            level = ladder[max(0, current - (count - 1 - step))]
            rows.append(
                Assessment(
                    stakeholder=member,
                    assessed_on=ctx.today - timedelta(days=(count - 1 - step) * 30 + 3),
                    innovation=rng.choice(list(InnovationAttitude.values)),
                    support=support,
                    relationship=level,
                    relationship_target=Relationship.ALLIED
                    if member.is_decision_maker
                    else Relationship.TRUSTING,
                    style=rng.choice(list(Style.values)),
                    influence=influence,
                )
            )
    # Keep the circle's current values in step with the latest assessment.
    targets = {}
    for row in rows:
        targets[row.stakeholder.pk] = row.relationship_target
    for member in members:
        member.relationship_target = targets.get(member.pk, "")
    Stakeholder.objects.bulk_update(members, ["relationship_target"])
    return rows


def _account_structure(ctx: DemoContext, by_account: dict[int, list[Contact]]) -> tuple[int, int]:
    """Influence lines, payment approval chains, policy notes and some personal information."""
    rng = ctx.rng
    lines: list[InfluenceLine] = []
    steps: list[PaymentApprovalStep] = []
    watches: list[PolicyWatch] = []
    infos: list[PersonalInfo] = []
    for account_id, people in by_account.items():
        n = len(people)
        if n > CFO and rng.random() < 0.6:
            lines.append(
                InfluenceLine(
                    account_id=account_id,
                    source=people[CFO],
                    target=people[GM],
                    strength=InfluenceLine.Strength.STRONG,
                    note="总经理的多年老部下，财务意见分量很重",
                )
            )
        if n > ENGINEER and rng.random() < 0.5:
            lines.append(
                InfluenceLine(
                    account_id=account_id,
                    source=people[ENGINEER],
                    target=people[IT_HEAD],
                    strength=InfluenceLine.Strength.MEDIUM,
                    note="技术方案基本由他起草",
                )
            )
        chain = [i for i in (BUYER, PURCHASING, CFO, GM) if i < n]
        if len(chain) >= 3:
            notes = {
                BUYER: "单据齐全",
                PURCHASING: "验收报告",
                CFO: "发票与合同一致",
                GM: "项目效益",
            }
            steps += [
                PaymentApprovalStep(
                    account_id=account_id, contact=people[i], position=p, note=notes[i]
                )
                for p, i in enumerate(chain, start=1)
            ]
        if rng.random() < 0.12:
            title, note = rng.choice(POLICIES)
            watches.append(
                PolicyWatch(
                    account_id=account_id,
                    title=title,
                    note=note,
                    review_on=ctx.today + timedelta(days=rng.randint(-30, 45)),
                )
            )
        infos.append(
            PersonalInfo(
                contact=people[GM],
                hobbies=rng.choice(HOBBIES),
                birthday=ctx.today.replace(year=1970 + rng.randint(0, 15))
                - timedelta(days=rng.randint(0, 364)),
                proud_moments="主导了公司的数字化转型",
            )
        )
    InfluenceLine.objects.bulk_create(lines)
    PaymentApprovalStep.objects.bulk_create(steps)
    PolicyWatch.objects.bulk_create(watches)
    PersonalInfo.objects.bulk_create(infos)
    return len(lines), len(steps)


def _moves(ctx: DemoContext, by_account: dict[int, list[Contact]]) -> int:
    """A few people changed position last week: nobody followed up yet."""
    rng = ctx.rng
    changes = []
    moved = []
    for people in by_account.values():
        if len(people) > IT_HEAD and rng.random() < 0.06:
            person = people[IT_HEAD]
            changes.append(
                ContactChange(
                    contact=person,
                    field=ContactChange.Field.TITLE,
                    old_value=person.title,
                    new_value="首席信息官",
                    effective_on=ctx.today - timedelta(days=rng.randint(1, 6)),
                )
            )
            person.title = "首席信息官"
            moved.append(person)
    Contact.objects.bulk_update(moved, ["title"])
    ContactChange.objects.bulk_create(changes)
    return len(changes)
