"""Demo activities: past visits with outcomes, planned ones with objectives."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from kam.activities.models import Activity, ActivityStatus, Kind, Outcome, Task, TaskSource
from kam.activities.services import refresh_deal_progress
from kam.core.demo import DemoContext
from kam.pipeline.models import Status

OBJECTIVES = [
    "客户同意安排技术负责人参加方案演示",
    "客户同意引荐分管副总进行高层会谈",
    "客户同意提供现网拓扑和容量数据",
    "客户同意在下周内确认试点范围",
    "客户同意发出正式的询价邀请",
    "客户同意启动合同评审流程",
]
# Keyed by str: a planned activity's outcome is "", which has no note.
OUTCOME_NOTES: dict[str, str] = {
    Outcome.ADVANCE: "客户已确认下周二安排技术演示",
    Outcome.CONTINUATION: "客户表示方案不错，但未答应下一步具体行动",
    Outcome.ORDER: "客户签署采购合同",
    Outcome.NO_SALE: "客户决定暂缓采购",
}


def load(ctx: DemoContext) -> None:
    rng = ctx.rng
    tz = timezone.get_current_timezone()
    contacts = ctx.extra["contacts_by_account"]
    activities: list[Activity] = []
    links: list[tuple[int, list]] = []
    for opportunity in ctx.extra["opportunities"]:
        if opportunity.status != Status.OPEN:
            continue
        people = contacts.get(opportunity.account_id, [])
        for n in range(rng.randint(1, 4)):
            past = n > 0 or rng.random() < 0.5
            day = ctx.today + timedelta(days=-rng.randint(3, 90) if past else rng.randint(0, 14))
            starts = datetime.combine(day, time(rng.choice([9, 10, 14, 15, 16])), tzinfo=tz)
            outcome = (
                rng.choices(
                    [Outcome.ADVANCE, Outcome.CONTINUATION, Outcome.NO_SALE], weights=[50, 40, 10]
                )[0]
                if past
                else ""
            )
            activities.append(
                Activity(
                    account_id=opportunity.account_id,
                    opportunity=opportunity,
                    kind=rng.choice(Kind.values),
                    owner=opportunity.owner,
                    starts_at=starts,
                    status=ActivityStatus.DONE if past else ActivityStatus.PLANNED,
                    location=f"客户{opportunity.account.city}办公室",
                    purpose="推进项目进程",
                    objective=rng.choice(OBJECTIVES),
                    outcome=outcome,
                    outcome_note=OUTCOME_NOTES.get(outcome, ""),
                )
            )
            links.append(
                (len(activities) - 1, rng.sample(people, k=min(len(people), rng.randint(1, 2))))
            )
    created = Activity.objects.bulk_create(activities)
    through = Activity.contacts.through
    through.objects.bulk_create(
        [through(activity_id=created[i].pk, contact_id=c.pk) for i, people in links for c in people]
    )
    # Written in bulk, so the stall rule's per-deal summary is filled in as the services would.
    refresh_deal_progress({a.opportunity_id for a in created})
    ctx.log(f"activities: {len(created)}")


TASK_TITLES = [
    "把技术方案发给客户技术负责人",
    "确认下次高层会谈的时间",
    "整理客户现网容量数据",
    "准备试点报价",
    "跟进询价邀请的发出时间",
]


def load_tasks(ctx: DemoContext) -> None:
    """A few tasks (待办) on open deals: overdue, today, later and done ones, some from the
    manager's funnel review. Drawn from the data only, never from ``ctx.rng``, so the other
    areas' demo data stay as they were."""
    users = ctx.users
    open_deals = [o for o in ctx.extra["opportunities"] if o.status == Status.OPEN]
    now = timezone.now()
    tasks: list[Task] = []
    for n, deal in enumerate(open_deals[::6]):
        manager = users.get("manager")
        from_review = n % 3 == 0 and manager is not None and manager.pk != deal.owner_id
        done = n % 4 == 3
        tasks.append(
            Task(
                title=TASK_TITLES[n % len(TASK_TITLES)],
                owner_id=deal.owner_id,
                created_by_id=manager.pk if from_review and manager else deal.owner_id,
                source=TaskSource.FUNNEL_REVIEW if from_review else TaskSource.MANUAL,
                account_id=deal.account_id,
                opportunity=deal,
                due_on=ctx.today + timedelta(days=n % 9 - 3),
                done_at=now if done else None,
                done_by_id=deal.owner_id if done else None,
            )
        )
    Task.objects.bulk_create(tasks)
    ctx.log(f"tasks: {len(tasks)}")
