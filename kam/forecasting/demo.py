"""Demo data of the forecast area: a year of weekly pipeline snapshots and the trained odds.

The snapshots are rebuilt from the demo deals' stage history, as the weekly job
would have recorded them: each week, every deal that had started and was not
yet closed, at the stage it had reached, with a close date that slipped now
and then. Drawn from ``ctx.rng`` only, written in bulk.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from kam.core.demo import DemoContext
from kam.forecasting.models import PipelineSnapshot, SnapshotWeek
from kam.forecasting.periods import Week
from kam.forecasting.services import last_completed_week, train_win_model
from kam.pipeline.models import Opportunity, Stage, StageChange, Status

WEEKS = 52


def load(ctx: DemoContext) -> None:
    deals = list(
        Opportunity.objects.select_related("owner")
        .order_by("pk")
        .only(
            "pk",
            "account_id",
            "owner_id",
            "owner__team_id",
            "amount",
            "expected_close_date",
            "closed_on",
            "status",
        )
    )
    stages = {s.pk: s for s in Stage.objects.all()}
    entries: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for pk, stage_id, changed_at in (
        StageChange.objects.filter(status=Status.OPEN)
        .order_by("opportunity_id", "changed_at", "pk")
        .values_list("opportunity_id", "to_stage_id", "changed_at")
    ):
        entries[pk].append((timezone.localdate(changed_at), stage_id))
    slips = {d.pk: ctx.rng.choice([0, 0, 0, 14, 30, 45]) for d in deals}
    last = last_completed_week(ctx.today)
    weeks = [Week(last.monday - timedelta(days=7 * n)) for n in range(WEEKS - 1, -1, -1)]
    rows: list[PipelineSnapshot] = []
    markers = []
    for week in weeks:
        count = 0
        for opportunity in deals:
            moves = [stage_id for day, stage_id in entries[opportunity.pk] if day <= week.sunday]
            closed = opportunity.closed_on is not None and opportunity.closed_on <= week.sunday
            if not moves or closed:
                continue
            stage = stages[moves[-1]]
            close = opportunity.closed_on or opportunity.expected_close_date
            if (close - week.sunday).days > 60:
                close -= timedelta(days=slips[opportunity.pk])  # the date slipped later on
            rows.append(
                PipelineSnapshot(
                    week=week.monday,
                    opportunity_id=opportunity.pk,
                    account_id=opportunity.account_id,
                    owner_id=opportunity.owner_id,
                    team_id=opportunity.owner.team_id,
                    stage=stage,
                    stage_order=stage.order,
                    win_rate=stage.win_rate,
                    amount=opportunity.amount,
                    expected_close_date=max(close, week.sunday),
                    weighted=opportunity.amount * stage.win_rate / 100,
                )
            )
            count += 1
        markers.append(SnapshotWeek(week=week.monday, opportunities=count))
    PipelineSnapshot.objects.bulk_create(rows, batch_size=2000)
    SnapshotWeek.objects.bulk_create(
        markers, ignore_conflicts=True
    )  # a rebuilt demo keeps its marks
    ctx.log(f"pipeline snapshots: {len(rows)} over {len(weeks)} weeks")
    try:
        model = train_win_model(today=ctx.today)
    except ValidationError as exc:
        ctx.log(f"win model not trained: {' '.join(exc.messages)}")
    else:
        ctx.log(f"win model trained on {model.examples} examples")
