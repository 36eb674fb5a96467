"""Demo team performance: time, colleagues and expenses on the completed activities,
each rep assessed by their manager over the year, this year's resource plan per
strategy, and a year of loyalty surveys at the key accounts, two of them slipping."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from kam.accounts.models import Account, Strategy, StrategyAllocation, Tier
from kam.activities.models import Activity, ActivityStatus
from kam.core.demo import DemoContext
from kam.core.models import User
from kam.performance import calculations
from kam.performance.models import (
    SkillAssessment,
    SkillDimension,
    SurveyInvitation,
    SurveyResponse,
)
from kam.performance.services import INTENT_QUESTIONS, SUPPLIER_QUESTIONS, token_hash
from kam.stakeholders.models import Contact

NOTES = [
    "客户认可度提升明显，下一步加强高层关系。",
    "服务响应及时，但内部协调资源偏慢，建议提前申请售前支持。",
    "结果达成良好，需更多使用方案演示等销售资源。",
    "重点客户拜访计划需更有针对性，目标要落到客户行动上。",
]
COMMENTS = [
    "交付及时，服务团队专业。",
    "希望报价更有竞争力。",
    "最近响应速度变慢，希望改进。",
    "",
    "方案很好，期待更多交流。",
]
# Planned time, people and money per strategy this year (§1.4).
ALLOCATIONS = {
    Strategy.ACQUIRE: (Decimal(300), 6, Decimal(120000)),
    Strategy.RETAIN: (Decimal(400), 8, Decimal(150000)),
    Strategy.MAINTAIN: (Decimal(120), 4, Decimal(30000)),
    Strategy.INTRUDE: (Decimal(150), 4, Decimal(60000)),
    Strategy.LET_GO: (Decimal(20), 1, Decimal(3000)),
}


def _activities(ctx: DemoContext) -> None:
    rng = ctx.rng
    done = list(Activity.objects.filter(status=ActivityStatus.DONE).order_by("pk"))
    colleagues: dict[int | None, list[int]] = {}
    for rep in ctx.reps:
        colleagues.setdefault(rep.team_id, []).append(rep.pk)
    links = []
    for activity in done:
        activity.duration_minutes = rng.choice([45, 60, 90, 120, 180, 240])
        activity.expenses = Decimal(rng.choice([0, 0, 200, 450, 800, 1500, 3200]))
        team = [pk for pk in colleagues.get(activity.owner.team_id, []) if pk != activity.owner_id]
        for pk in rng.sample(team, k=min(len(team), rng.randint(0, 2))):
            links.append(Activity.staff.through(activity_id=activity.pk, user_id=pk))
    Activity.objects.bulk_update(done, ["duration_minutes", "expenses"], batch_size=500)
    Activity.staff.through.objects.bulk_create(links, ignore_conflicts=True)
    ctx.log(f"activity time and expenses: {len(done)}, colleagues: {len(links)}")


def _assessments(ctx: DemoContext) -> None:
    rng = ctx.rng
    managers: dict[int | None, User | None] = {t.pk: t.manager for t in ctx.teams.values()}
    rows = []
    for rep in ctx.reps:
        assessor = managers.get(rep.team_id) or ctx.users["director"]
        base = {d.value: rng.randint(1, 2) for d in SkillDimension}
        for months_ago in (10, 6, 2):
            rows.append(
                SkillAssessment(
                    rep=rep,
                    assessed_by=assessor,
                    assessed_on=ctx.today - timedelta(days=30 * months_ago + rng.randint(0, 10)),
                    note=rng.choice(NOTES),
                    **base,
                )
            )
            # Most reps grow a level somewhere between two conversations.
            grow = rng.choice(list(base))
            base = {**base, grow: min(base[grow] + rng.choice([0, 1]), 3)}
    SkillAssessment.objects.bulk_create(rows)
    ctx.log(f"skill assessments: {len(rows)}")


def _ratings(rng, level: int) -> dict[str, int]:
    def one() -> int:
        return max(1, min(5, level + rng.choice([-1, 0, 0, 1])))

    answers = {q: one() for q in SUPPLIER_QUESTIONS}
    answers.update({q: one() for q in INTENT_QUESTIONS})
    answers["open_to_ideas"] = one()
    return answers


def _surveys(ctx: DemoContext) -> None:
    rng = ctx.rng
    tz = timezone.get_current_timezone()
    accounts = list(Account.objects.filter(tier__in=[Tier.KEY, Tier.IMPORTANT]).order_by("pk"))
    key = [a for a in accounts if a.tier == Tier.KEY]
    slipping = {a.pk for a in key[:2]}
    people: dict[int, list[Contact]] = {}
    for person in Contact.objects.filter(account__in=accounts).order_by("pk"):
        people.setdefault(person.account_id, []).append(person)
    invitations, answers = [], []
    for account in accounts[:24]:
        level = rng.choice([3, 4, 4, 5])
        for quarters_ago in (3, 2, 1, 0):
            if account.pk in slipping and quarters_ago == 0:
                level = 2
            day = ctx.today - timedelta(days=91 * quarters_ago + rng.randint(1, 20))
            for _n in range(rng.randint(1, 2)):
                contact: Contact | None = (
                    rng.choice(people[account.pk]) if people.get(account.pk) else None
                )
                sent = datetime.combine(day - timedelta(days=3), time(10), tzinfo=tz)
                invitations.append(
                    SurveyInvitation(
                        account=account,
                        contact=contact,
                        token_hash=token_hash(f"demo-{rng.getrandbits(128):032x}"),
                        language="zh-hans",
                        expires_at=sent + timedelta(days=30),
                        answered_at=datetime.combine(day, time(15), tzinfo=tz),
                        created_by=account.owner,
                    )
                )
                answers.append((account, day, _ratings(rng, level)))
    # Links still waiting for an answer, and one that expired unanswered.
    for account in key[:4]:
        sent = datetime.combine(ctx.today - timedelta(days=2), time(9), tzinfo=tz)
        invitations.append(
            SurveyInvitation(
                account=account,
                token_hash=token_hash(f"demo-{rng.getrandbits(128):032x}"),
                expires_at=sent + timedelta(days=30 if account != key[0] else -1),
                created_by=account.owner,
            )
        )
    made = SurveyInvitation.objects.bulk_create(invitations)
    SurveyResponse.objects.bulk_create(
        SurveyResponse(
            invitation=invitation,
            account=account,
            answered_on=day,
            comment=rng.choice(COMMENTS),
            supplier_score=calculations.score_0_100([given[q] for q in SUPPLIER_QUESTIONS]),
            loyalty_score=calculations.score_0_100([given[q] for q in INTENT_QUESTIONS]),
            **given,
        )
        for invitation, (account, day, given) in zip(made, answers, strict=False)
    )
    ctx.log(f"survey links: {len(made)}, answers: {len(answers)}")


def load(ctx: DemoContext) -> None:
    _activities(ctx)
    _assessments(ctx)
    planned = set(
        StrategyAllocation.objects.filter(year=ctx.today.year).values_list("strategy", flat=True)
    )
    StrategyAllocation.objects.bulk_create(
        StrategyAllocation(
            year=ctx.today.year,
            strategy=strategy,
            planned_hours=hours,
            planned_people=people,
            planned_budget=budget,
        )
        for strategy, (hours, people, budget) in ALLOCATIONS.items()
        if strategy not in planned
    )
    _surveys(ctx)
