"""How a week's pipeline snapshot is written (§5.2): its rows, their link to the week before,
and the week's totals.

Called by :func:`kam.forecasting.services.take_snapshot` inside its transaction, by
the backfill of weeks taken before the totals existed (a data migration and
``kam snapshot --rebuild-totals``) and by the large-tenant generator. Everything
is set-based: one ``INSERT … SELECT`` for the rows, one ``UPDATE`` to link a week
to the one before, one grouped read and one bulk insert for the totals, so the
time depends on the number of groups, not on a query per deal.

The functions take the models as arguments so the data migration can pass its
historical ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Count, F, Field, Model, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncQuarter

from kam.core.models import User
from kam.core.money import cents
from kam.forecasting.models import PipelineSnapshot, PipelineWeekTotal
from kam.forecasting.periods import QUARTER, Period, Week
from kam.pipeline.models import Opportunity, Stage, Status

# The week-over-week changes a snapshot row carries against the same deal's row of the
# week before (the ``previous_*`` columns), by the prefix of their total columns.
CHANGE_CONDITIONS: dict[str, Q] = {
    "new": Q(previous_stage_order__isnull=True),
    "forward": Q(previous_stage_order__lt=F("stage_order")),
    "back": Q(previous_stage_order__gt=F("stage_order")),
    "pushed": Q(previous_close_date__lt=F("expected_close_date")),
    "pulled": Q(previous_close_date__gt=F("expected_close_date")),
    "amount_up": Q(previous_amount__lt=F("amount")),
    "amount_down": Q(previous_amount__gt=F("amount")),
}
AMOUNT_CHANGES = ("amount_up", "amount_down")


def record_open_pipeline(week: Week) -> int:
    """Write one row per open opportunity as it stands now, linked to last week's row.

    A single ``INSERT … SELECT``: the deal, its account, owner and the owner's
    team now, its stage, the stage's order and configured rate, amount, expected
    close date, weighted value, and (left join) the same deal's stage order,
    close date and amount in the week before's snapshot. Returns the rows written.
    """
    quote = connection.ops.quote_name
    snapshot = PipelineSnapshot._meta
    columns = [
        "week",
        "opportunity_id",
        "account_id",
        "owner_id",
        "team_id",
        "stage_id",
        "stage_order",
        "win_rate",
        "amount",
        "expected_close_date",
        "weighted",
        "previous_stage_order",
        "previous_close_date",
        "previous_amount",
    ]
    table = {
        "snapshot": quote(snapshot.db_table),
        "opportunity": quote(Opportunity._meta.db_table),
        "stage": quote(Stage._meta.db_table),
        "user": quote(User._meta.db_table),
    }

    def col(model: type[Model], name: str) -> str:
        field = model._meta.get_field(name)
        assert isinstance(field, Field) and field.column
        return quote(field.column)

    # 100.0, not 100: SQLite divides two integers as integers. Names are the models'
    # own, quoted; values are parameters.
    sql = (
        f"INSERT INTO {table['snapshot']} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
        f"SELECT %s, o.{col(Opportunity, 'id')}, o.{col(Opportunity, 'account')}, "
        f"o.{col(Opportunity, 'owner')}, u.{col(User, 'team')}, o.{col(Opportunity, 'stage')}, "
        f"s.{col(Stage, 'order')}, s.{col(Stage, 'win_rate')}, o.{col(Opportunity, 'amount')}, "
        f"o.{col(Opportunity, 'expected_close_date')}, "
        f"o.{col(Opportunity, 'amount')} * s.{col(Stage, 'win_rate')} / 100.0, "
        f"p.{col(PipelineSnapshot, 'stage_order')}, "
        f"p.{col(PipelineSnapshot, 'expected_close_date')}, p.{col(PipelineSnapshot, 'amount')} "
        f"FROM {table['opportunity']} o "
        f"INNER JOIN {table['stage']} s ON s.{col(Stage, 'id')} = o.{col(Opportunity, 'stage')} "
        f"LEFT JOIN {table['user']} u ON u.{col(User, 'id')} = o.{col(Opportunity, 'owner')} "
        f"LEFT JOIN {table['snapshot']} p ON p.{col(PipelineSnapshot, 'opportunity')} = "
        f"o.{col(Opportunity, 'id')} AND p.{col(PipelineSnapshot, 'week')} = %s "
        f"WHERE o.{col(Opportunity, 'status')} = %s"
    )
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        cursor.execute(sql, [adapt(week.monday), adapt(week.previous().monday), Status.OPEN])
        return int(cursor.rowcount)


def link_previous_week(week: Week, *, snapshots: type[Model] = PipelineSnapshot) -> None:
    """Copy into each row of ``week`` the same deal's row of the week before (or nothing).

    For rows written before the link existed, and for a week whose predecessor was
    recorded after it.
    """
    before = snapshots._default_manager.filter(
        opportunity=OuterRef("opportunity"), week=week.previous().monday
    )
    snapshots._default_manager.filter(week=week.monday).update(
        previous_stage_order=Subquery(before.values("stage_order")[:1]),
        previous_close_date=Subquery(before.values("expected_close_date")[:1]),
        previous_amount=Subquery(before.values("amount")[:1]),
    )


def closes_in(close_quarter: date, week: Week) -> date:
    """The quarter bucket of a total: the close date's quarter, at the earliest the week's own."""
    return max(close_quarter, Period.of(QUARTER, week.sunday).start)


def week_total_sums() -> dict[str, Any]:
    """The aggregates of one group of snapshot rows, by the total's column names."""
    sums: dict[str, Any] = {"deals": Count("*"), "amount_cents": Sum(cents(F("amount")))}
    for key, condition in CHANGE_CONDITIONS.items():
        sums[f"{key}_count"] = Count("pk", filter=condition)
        sums[f"{key}_cents"] = Sum(cents(F("amount")), filter=condition)
    for key in AMOUNT_CHANGES:
        sums[f"{key}_change_cents"] = Sum(
            cents(F("amount")) - cents(F("previous_amount")), filter=CHANGE_CONDITIONS[key]
        )
    return sums


def total_week(
    week: Week,
    *,
    snapshots: type[Model] = PipelineSnapshot,
    totals: type[Model] = PipelineWeekTotal,
) -> int:
    """(Re)write the totals of ``week`` from its snapshot rows; returns the groups written.

    Deletes the week's totals first, so running it again writes nothing twice.
    """
    totals._default_manager.filter(week=week.monday).delete()
    sums = week_total_sums()
    rows = (
        snapshots._default_manager.filter(week=week.monday)
        .annotate(close_quarter=TruncQuarter("expected_close_date"))
        .values("team_id", "close_quarter", "win_rate")
        .annotate(**sums)
        .order_by()
    )
    groups: dict[tuple[Any, ...], dict[str, int]] = {}
    for row in rows:
        key = (row["team_id"], closes_in(row["close_quarter"], week), row["win_rate"])
        group = groups.setdefault(key, dict.fromkeys(sums, 0))
        for name in sums:
            group[name] += int(row[name] or 0)
    totals._default_manager.bulk_create(
        [
            totals(week=week.monday, team_id=team, closes_in=bucket, win_rate=rate, **figures)
            for (team, bucket, rate), figures in groups.items()
        ],
        batch_size=2000,
    )
    return len(groups)


def backfill(
    weeks: Iterable[date],
    *,
    snapshots: type[Model] = PipelineSnapshot,
    totals: type[Model] = PipelineWeekTotal,
    link: bool = True,
) -> int:
    """Link and total weeks recorded before the totals existed, oldest first; returns weeks."""
    done = 0
    for monday in sorted(weeks):
        week = Week(monday)
        if link:
            link_previous_week(week, snapshots=snapshots)
        total_week(week, snapshots=snapshots, totals=totals)
        done += 1
    return done
