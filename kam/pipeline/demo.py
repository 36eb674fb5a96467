"""Demo opportunities in every stage, plus closed history."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from kam.core.demo import DemoContext
from kam.pipeline.models import Opportunity, Stage, StageChange, StageModel, Status

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
