"""Large tenant: a year of weekly snapshots of the open pipeline, as the weekly job records them.

Rebuilt from each deal's generated history (``kam.pipeline.demo_large``): a deal
enters the first stage ``20 × (stages reached)`` days before its anchor (today
for open deals, the closing day otherwise) and moves one stage every 20 days.
Each of the last 52 completed weeks records every deal open at its Sunday, at
the stage it had reached, with its row of the week before (the deal's previous
one when the week before is in the year). Streamed deal by deal, written in bulk
batches; then each week is totalled as the job does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

from kam.core.demo_large import LargeContext, bulk_insert
from kam.forecasting import snapshots
from kam.forecasting.models import PipelineSnapshot, PipelineWeekTotal, SnapshotWeek
from kam.forecasting.periods import Week
from kam.forecasting.services import last_completed_week
from kam.pipeline.models import Opportunity, Stage, StageModel, Status

WEEKS = 52


def load(ctx: LargeContext) -> None:
    stages = list(
        Stage.objects.filter(model=StageModel.objects.get(is_default=True)).order_by("order")
    )
    meta = ctx.extra["opportunity_meta"]
    ids = ctx.extra["opportunity_ids"]
    last = last_completed_week(ctx.today)
    first = Week(last.monday - timedelta(days=7 * (WEEKS - 1)))
    details: dict[int, tuple[int, Decimal, date, date | None]] = {
        pk: (account_id, amount, expected, closed_on)
        for pk, account_id, amount, expected, closed_on in Opportunity.objects.values_list(
            "pk", "account_id", "amount", "expected_close_date", "closed_on"
        ).iterator(chunk_size=20_000)
    }
    per_week: Counter[object] = Counter()
    slips = [0, 0, 0, 14, 30, 45]
    rates = [(stage, stage.win_rate) for stage in stages]

    def rows() -> Iterator[dict[str, object]]:
        for pk, (index, owner, status, anchor) in zip(ids, meta, strict=True):
            start = anchor - timedelta(days=20 * (index + 1))
            end = anchor if status != Status.OPEN else None  # closed from this day on
            if end is not None and end <= first.sunday:
                continue
            account_id, amount, expected, closed_on = details[pk]
            close = closed_on or expected
            slip = ctx.rng.choice(slips)
            week = Week.of(max(start, first.monday))
            if week.sunday < start:
                week = week.next()
            before: tuple[int, date] | None = None  # stage order and close date last week
            while week.monday <= last.monday and (end is None or end > week.sunday):
                k = min(index, (week.sunday - start).days // 20)
                stage, rate = rates[k]
                shown = close - timedelta(days=slip) if (close - week.sunday).days > 60 else close
                shown = max(shown, week.sunday)
                per_week[week.monday] += 1
                yield {
                    "week": week.monday,
                    "opportunity_id": pk,
                    "account_id": account_id,
                    "owner_id": owner,
                    "team_id": ctx.rep_team.get(owner),
                    "stage_id": stage.pk,
                    "stage_order": stage.order,
                    "win_rate": rate,
                    "amount": amount,
                    "expected_close_date": shown,
                    "weighted": amount * rate / 100,
                    "previous_stage_order": before[0] if before else None,
                    "previous_close_date": before[1] if before else None,
                    "previous_amount": amount if before else None,
                }
                before = (stage.order, shown)
                week = week.next()

    bulk_insert(PipelineSnapshot, rows(), log=ctx.log, label="pipeline snapshots")
    weeks = [Week(first.monday + timedelta(days=7 * n)) for n in range(WEEKS)]
    SnapshotWeek.objects.bulk_create(
        SnapshotWeek(week=w.monday, opportunities=per_week[w.monday]) for w in weeks
    )
    ctx.log(f"snapshot weeks: {len(weeks)}")
    snapshots.backfill([w.monday for w in weeks], link=False)
    ctx.log(f"pipeline week totals: {PipelineWeekTotal.objects.count()}")
