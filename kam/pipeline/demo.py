"""Demo opportunities in every stage, plus closed history."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from kam.core.demo import DemoContext
from kam.pipeline.models import Opportunity, Stage, StageModel, Status

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
    ctx.log(f"opportunities: {len(opportunities)}")
