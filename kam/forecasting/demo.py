"""Demo data of the forecast area: a year of weekly pipeline snapshots and the trained odds.

The snapshots are rebuilt from the demo deals' stage history, as the weekly job
would have recorded them: each week, every deal that had started and was not
yet closed, at the stage it had reached, with a close date that slipped now
and then. Drawn from ``ctx.rng`` only, written in bulk.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from kam.core.demo import DemoContext
from kam.core.models import Team, User
from kam.forecasting import snapshots
from kam.forecasting.models import Metric, PipelineSnapshot, SnapshotWeek, Target
from kam.forecasting.periods import QUARTER, YEAR, Period, Week
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
    snapshots.backfill([week.monday for week in weeks])  # links to the week before, totals
    ctx.log(f"pipeline snapshots: {len(rows)} over {len(weeks)} weeks")
    _targets(ctx)
    try:
        model = train_win_model(today=ctx.today)
    except ValidationError as exc:
        ctx.log(f"win model not trained: {' '.join(exc.messages)}")
    else:
        ctx.log(f"win model trained on {model.examples} examples")


def _targets(ctx: DemoContext) -> None:
    """Bookings and collections targets for this year (§5.1 coverage, §5.2 progress).

    Each rep's quarter is sized on what they won over the last year; teams roll up from
    their reps, except one region whose manager set its own figure, and the company has
    an explicit yearly number a little above the sum of its people.
    """
    rng = ctx.rng
    year_start = date(ctx.today.year, 1, 1)
    quarters = [Period.of(QUARTER, date(year_start.year, month, 1)) for month in (1, 4, 7, 10)]
    quarters += [quarters[-1].next(), quarters[-1].next().next()]  # and the half-year ahead
    won = dict(
        Opportunity.objects.filter(
            status=Status.WON, closed_on__gte=ctx.today - timedelta(days=365)
        )
        .values_list("owner_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    director = ctx.users.get("director")
    rows: list[Target] = []
    company_year = Decimal(0)
    for rep in ctx.reps:
        base = max(Decimal(2_000_000), (won.get(rep.pk) or Decimal(0)) * Decimal("0.3"))
        quarter_amount = (base * Decimal(rng.uniform(0.9, 1.3)) / 100_000).quantize(
            Decimal(1)
        ) * 100_000
        for quarter in quarters:
            for metric, share in (
                (Metric.BOOKINGS, Decimal(1)),
                (Metric.COLLECTIONS, Decimal("0.9")),
            ):
                rows.append(_target(metric, quarter, quarter_amount * share, rep=rep, by=director))
            for month in quarter.months():
                for metric, share in (
                    (Metric.BOOKINGS, Decimal(1)),
                    (Metric.COLLECTIONS, Decimal("0.9")),
                ):
                    amount = (quarter_amount * share / 3).quantize(Decimal("0.01"))
                    rows.append(_target(metric, month, amount, rep=rep, by=director))
        year = quarter_amount * 4  # this calendar year
        company_year += year
        rows.append(
            _target(Metric.BOOKINGS, Period.of(YEAR, year_start), year, rep=rep, by=director)
        )
    rows.append(
        _target(
            Metric.BOOKINGS,
            Period.of(YEAR, year_start),
            company_year * Decimal("1.05"),
            by=director,
        )
    )
    shanghai = ctx.teams.get("shanghai")
    current = Period.of(QUARTER, ctx.today)
    members = sum(
        (
            r.amount
            for r in rows
            if r.user is not None
            and r.user.team_id == getattr(shanghai, "pk", None)
            and (r.metric, r.period_kind, r.period_start)
            == (Metric.BOOKINGS, QUARTER, current.start)
        ),
        Decimal(0),
    )
    if shanghai is not None and members:
        rows.append(
            _target(Metric.BOOKINGS, current, members * Decimal("1.1"), team=shanghai, by=director)
        )
    Target.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)  # a rebuilt demo
    ctx.log(f"targets: {len(rows)}")


def _target(
    metric: str,
    period: Period,
    amount: Decimal,
    *,
    rep: User | None = None,
    team: Team | None = None,
    by: User | None = None,
) -> Target:
    return Target(
        metric=metric,
        period_kind=period.kind,
        period_start=period.start,
        user=rep,
        team=team,
        amount=amount,
        set_by=by,
    )
