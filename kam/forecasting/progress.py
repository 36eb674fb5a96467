"""Reads over the weekly snapshots: sales progress (§5.2) and the week-over-week change.

Every figure starts from what the viewer may see (the snapshot's account, the
deal's account) and is aggregated in the database; the number of queries
depends on the number of quarters shown, never on the number of deals.
Snapshots are scoped by the owner's team *of that week*.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from kam.accounts.visibility import scope_to_visible_accounts
from kam.core.models import User
from kam.core.money import cents, from_cents
from kam.core.visibility import sees_all_accounts
from kam.forecasting.calculations import HUNDRED, ZERO, WeekProgress, cumulative_to
from kam.forecasting.models import Metric, PipelineSnapshot, PipelineWeekTotal, SnapshotWeek
from kam.forecasting.periods import QUARTER, Period, Week
from kam.forecasting.scopes import Scope
from kam.forecasting.selectors import TargetBook
from kam.forecasting.snapshots import CHANGE_CONDITIONS
from kam.pipeline.models import Opportunity, SmallSale, Status
from kam.pipeline.selectors import visible_opportunities

DEFAULT_WEEKS = 13
LOST = (Status.LOST, Status.NO_DECISION)


def snapshot_weeks(limit: int | None = None) -> list[Week]:
    """The weeks whose snapshot was taken, latest first."""
    weeks = SnapshotWeek.objects.order_by("-week").values_list("week", flat=True)
    return [Week(monday) for monday in (weeks[:limit] if limit else weeks)]


def latest_snapshot_week() -> Week | None:
    weeks = snapshot_weeks(1)
    return weeks[0] if weeks else None


def visible_snapshots(user: User, scope: Scope) -> QuerySet[PipelineSnapshot]:
    """The snapshot rows the user may see, narrowed to the scope (team of that week)."""
    return scope.filter(
        scope_to_visible_accounts(PipelineSnapshot.objects.all(), user), team="team"
    )


def reads_totals(user: User, scope: Scope) -> bool:
    """Whether the week totals give exactly what the user's snapshot rows would.

    They do for a viewer who sees every account (nothing is filtered by account)
    looking at the company or a team (of that week): the totals are grouped by
    that team. A rep's or an account's scope, and anyone whose view is limited to
    some accounts, read the rows themselves (indexed by team, owner and week).
    """
    return sees_all_accounts(user) and scope.rep is None and scope.account is None


def week_totals(scope: Scope) -> QuerySet[PipelineWeekTotal]:
    """The week totals narrowed to a company or team scope (team of that week)."""
    return scope.filter(PipelineWeekTotal.objects.all(), team="team")


def _pipeline_by_rate(
    user: User, scope: Scope, quarter: Period, mondays: set[date]
) -> QuerySet[Any]:
    """Per week and stage rate: the cents of the deals expected to close by the quarter's end."""
    if reads_totals(user, scope):
        return (
            week_totals(scope)
            .filter(week__in=mondays, closes_in__lte=quarter.start)
            .values("week", "win_rate")
            .annotate(c=Sum("amount_cents"))
            .order_by()
        )
    return (
        visible_snapshots(user, scope)
        .filter(week__in=mondays, expected_close_date__lte=quarter.end)
        .values("week", "win_rate")
        .annotate(c=Sum(cents(F("amount"))))
        .order_by()
    )


def quarter_of(week: Week) -> Period:
    """The quarter a week counts toward: the one its last day falls in."""
    return Period.of(QUARTER, week.sunday)


def _daily_sales(user: User, scope: Scope, start: date, end: date) -> dict[date, Decimal]:
    """Won deals and off-funnel sales per day, in the scope, between two days."""
    daily: dict[date, Decimal] = defaultdict(lambda: ZERO)
    won = scope.filter(visible_opportunities(user)).filter(
        status=Status.WON, closed_on__gte=start, closed_on__lte=end
    )
    for day, c in won.values_list("closed_on").annotate(c=Sum(cents(F("amount")))).order_by():
        if day is not None:
            daily[day] += from_cents(c)
    small = scope.filter(scope_to_visible_accounts(SmallSale.objects.all(), user)).filter(
        sold_on__gte=start, sold_on__lte=end
    )
    for day, c in small.values_list("sold_on").annotate(c=Sum(cents(F("amount")))).order_by():
        daily[day] += from_cents(c)
    return daily


def progress_weeks(
    user: User, scope: Scope, *, until: Week | None = None, weeks: int = DEFAULT_WEEKS
) -> list[WeekProgress]:
    """Sales progress (§5.2) of the scope for the last ``weeks`` snapshot weeks up to ``until``.

    Each week counts toward its own quarter: the pipeline of the week and of the
    week before are the snapshot deals expected to close by that quarter's end,
    sales are cumulative from the quarter's first day. Each week gives both figures:
    KAM's (Δ weighted pipeline + Δ sales, a won deal counted once) and the seed's
    formula as written (Δ sales forecast + Δ sales), see :class:`WeekProgress`.
    """
    taken = SnapshotWeek.objects.order_by("-week")
    if until is not None:
        taken = taken.filter(week__lte=until.monday)
    shown = sorted(Week(m) for m in taken.values_list("week", flat=True)[:weeks])
    if not shown:
        return []
    recorded = set(
        SnapshotWeek.objects.filter(
            week__gte=shown[0].previous().monday, week__lte=shown[-1].monday
        ).values_list("week", flat=True)
    )
    by_quarter: dict[Period, list[Week]] = defaultdict(list)
    for week in shown:
        by_quarter[quarter_of(week)].append(week)
    pipeline: dict[tuple[Period, date], Decimal] = {}
    targets: dict[Period, Decimal | None] = {}
    for quarter, quarter_weeks in by_quarter.items():
        mondays = {w.monday for w in quarter_weeks} | {w.previous().monday for w in quarter_weeks}
        for row in _pipeline_by_rate(user, scope, quarter, mondays):
            key = (quarter, row["week"])
            weighted = from_cents(row["c"]) * row["win_rate"] / HUNDRED
            pipeline[key] = pipeline.get(key, ZERO) + weighted
        targets[quarter] = (
            TargetBook(Metric.BOOKINGS, quarter).for_scope(scope, viewer=user).effective
        )
    first_quarter = min(by_quarter)
    daily = _daily_sales(user, scope, first_quarter.start, shown[-1].sunday)
    result = []
    for week in shown:
        quarter = quarter_of(week)
        before = week.previous()
        result.append(
            WeekProgress(
                week=week.monday,
                pipeline=pipeline.get((quarter, week.monday), ZERO),
                previous_pipeline=(
                    pipeline.get((quarter, before.monday), ZERO)
                    if before.monday in recorded
                    else None
                ),
                sales=cumulative_to(daily, quarter.start, week.sunday),
                previous_sales=cumulative_to(daily, quarter.start, before.sunday),
                target=targets[quarter],
            )
        )
    return result


# --- week-over-week change ----------------------------------------------------------

NEW = "new"
WON = "won"
LOST_KEY = "lost"
FORWARD = "forward"
BACK = "back"
PUSHED = "pushed"
PULLED = "pulled"
AMOUNT_UP = "amount_up"
AMOUNT_DOWN = "amount_down"

CHANGES: list[tuple[str, Any]] = [
    (NEW, _("New")),
    (WON, _("Won")),
    (LOST_KEY, _("Lost")),
    (FORWARD, _("Moved forward")),
    (BACK, _("Moved back")),
    (PUSHED, _("Close date pushed out")),
    (PULLED, _("Close date pulled in")),
    (AMOUNT_UP, _("Amount up")),
    (AMOUNT_DOWN, _("Amount down")),
]

# Conditions on a snapshot row against the same deal's row of the week before.
_SNAPSHOT_CHANGES = CHANGE_CONDITIONS


@dataclass(frozen=True)
class ChangeLine:
    """One kind of change in a week: how many deals, their amount, and the amount moved."""

    key: str
    label: str
    count: int
    amount: Decimal
    amount_change: Decimal | None = None


def _compared(user: User, scope: Scope, week: Week) -> QuerySet[PipelineSnapshot]:
    """The week's snapshot rows; each carries the deal's stage, close date and amount before."""
    return visible_snapshots(user, scope).filter(week=week.monday)


def _snapshot_changes(user: User, scope: Scope, week: Week) -> dict[str, Any]:
    """Count, cents (and cents moved) of each kind of change the snapshot rows show."""
    if reads_totals(user, scope):
        names = [f"{key}_{part}" for key in _SNAPSHOT_CHANGES for part in ("count", "cents")]
        names += [f"{key}_change_cents" for key in (AMOUNT_UP, AMOUNT_DOWN)]
        totals = (
            week_totals(scope)
            .filter(week=week.monday)
            .aggregate(**{name: Sum(name) for name in names})
        )
        figures = {}
        for key in _SNAPSHOT_CHANGES:
            figures[f"{key}_n"] = totals[f"{key}_count"]
            figures[f"{key}_c"] = totals[f"{key}_cents"]
        for key in (AMOUNT_UP, AMOUNT_DOWN):
            figures[f"{key}_d"] = totals[f"{key}_change_cents"]
        return figures
    aggregates: dict[str, Any] = {}
    for key, condition in _SNAPSHOT_CHANGES.items():
        aggregates[f"{key}_n"] = Count("pk", filter=condition)
        aggregates[f"{key}_c"] = Sum(cents(F("amount")), filter=condition)
    for key in (AMOUNT_UP, AMOUNT_DOWN):
        aggregates[f"{key}_d"] = Sum(
            cents(F("amount")) - cents(F("previous_amount")), filter=_SNAPSHOT_CHANGES[key]
        )
    return _compared(user, scope, week).aggregate(**aggregates)


def _closed_in(user: User, scope: Scope, week: Week, change: str) -> QuerySet[Opportunity]:
    statuses = [Status.WON] if change == WON else list(LOST)
    return scope.filter(visible_opportunities(user)).filter(
        status__in=statuses, closed_on__gte=week.monday, closed_on__lte=week.sunday
    )


def week_changes(user: User, scope: Scope, week: Week) -> list[ChangeLine]:
    """New, won, lost, forward, back, pushed, pulled, amount up and down in ``week`` (2 queries)."""
    figures = _snapshot_changes(user, scope, week)
    # The statuses counted, named (not "not open"): the (status, closed_on, owner, account,
    # amount) index then holds the week's closed deals, instead of SQLite reading every
    # deal of every visible account.
    closed = (
        scope.filter(visible_opportunities(user))
        .filter(
            status__in=[Status.WON, *LOST], closed_on__gte=week.monday, closed_on__lte=week.sunday
        )
        .aggregate(
            won_n=Count("pk", filter=Q(status=Status.WON)),
            won_c=Sum(cents(F("amount")), filter=Q(status=Status.WON)),
            lost_n=Count("pk", filter=Q(status__in=LOST)),
            lost_c=Sum(cents(F("amount")), filter=Q(status__in=LOST)),
        )
    )
    figures.update(
        {
            f"{WON}_n": closed["won_n"],
            f"{WON}_c": closed["won_c"],
            f"{LOST_KEY}_n": closed["lost_n"],
            f"{LOST_KEY}_c": closed["lost_c"],
        }
    )
    return [
        ChangeLine(
            key=key,
            label=str(label),
            count=figures[f"{key}_n"] or 0,
            amount=from_cents(figures[f"{key}_c"]),
            amount_change=from_cents(figures[f"{key}_d"]) if f"{key}_d" in figures else None,
        )
        for key, label in CHANGES
    ]


def changed_opportunities(
    user: User, scope: Scope, week: Week, change: str
) -> QuerySet[Opportunity]:
    """Drill-down: the deals behind one line of :func:`week_changes`."""
    if change in (WON, LOST_KEY):
        deals = _closed_in(user, scope, week, change)
    elif change in _SNAPSHOT_CHANGES:
        rows = _compared(user, scope, week).filter(_SNAPSHOT_CHANGES[change])
        deals = visible_opportunities(user).filter(pk__in=rows.values("opportunity_id"))
    else:
        deals = Opportunity.objects.none()
    return deals.select_related("account", "stage", "owner")


def change_label(change: str) -> str | None:
    return next((str(label) for key, label in CHANGES if key == change), None)
