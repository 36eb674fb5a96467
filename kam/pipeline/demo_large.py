"""Large tenant: 200,000 opportunities over three years (open, won, lost) with history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date as date_type
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kam.core.demo_large import LargeContext, bulk_insert
from kam.pipeline.demo import PRODUCTS
from kam.pipeline.models import Opportunity, Stage, StageChange, StageModel, Status


def load(ctx: LargeContext) -> None:
    rng = ctx.rng
    tz = timezone.get_current_timezone()
    stages = list(
        Stage.objects.filter(model=StageModel.objects.get(is_default=True)).order_by("order")
    )
    account_ids = ctx.extra["account_ids"]
    owners = ctx.extra["account_owner"]
    days = 365 * ctx.size.years
    meta: list[tuple[int, int, str, date_type]] = []  # stage index, owner, status, anchor day

    def rows() -> Iterator[dict[str, Any]]:
        for n in range(ctx.size.opportunities):
            k = rng.randrange(len(account_ids))
            status = rng.choices(
                [Status.OPEN, Status.WON, Status.LOST, Status.NO_DECISION], weights=[30, 35, 30, 5]
            )[0]
            if status == Status.OPEN:
                index = rng.choices(range(len(stages)), weights=[5, 4, 3, 2, 2, 2])[0]
                close = ctx.today + timedelta(days=rng.randint(1, 270))
                closed_on = None
                anchor = ctx.today
            else:
                index = len(stages) - 1 if status == Status.WON else rng.randrange(len(stages) - 1)
                closed_on = ctx.today - timedelta(days=rng.randint(1, days))
                close = closed_on
                anchor = closed_on
            meta.append((index, owners[k], status, anchor))
            yield {
                "account_id": account_ids[k],
                "owner_id": owners[k],
                "name": f"{rng.choice(PRODUCTS)}项目-{n + 1:06d}",
                "amount": Decimal(rng.randrange(5, 2000)) * Decimal(10000),
                "stage_id": stages[index].pk,
                "status": status,
                "expected_close_date": close,
                "closed_on": closed_on,
            }

    ids = bulk_insert(Opportunity, rows(), log=ctx.log, label="opportunities")

    def history() -> Iterator[dict[str, Any]]:
        for pk, (index, owner, status, anchor) in zip(ids, meta, strict=True):
            day = anchor - timedelta(days=20 * (index + 1))
            previous = None
            for stage in stages[: index + 1]:
                yield {
                    "opportunity_id": pk,
                    "from_stage_id": previous,
                    "to_stage_id": stage.pk,
                    "changed_at": datetime.combine(day, time(10), tzinfo=tz),
                    "changed_by_id": owner,
                }
                previous = stage.pk
                day += timedelta(days=20)
            if status != Status.OPEN:
                yield {
                    "opportunity_id": pk,
                    "from_stage_id": previous,
                    "to_stage_id": previous,
                    "status": status,
                    "changed_at": datetime.combine(anchor, time(17), tzinfo=tz),
                    "changed_by_id": owner,
                }

    bulk_insert(StageChange, history(), log=ctx.log, label="stage changes")
    ctx.extra["opportunity_ids"] = ids
    ctx.extra["opportunity_meta"] = meta
