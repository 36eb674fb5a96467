"""The forecast of a scope and period (§5.1) and the funnel report behind it.

Every figure starts from :func:`kam.pipeline.selectors.visible_opportunities` (or
:func:`scope_to_visible_accounts`) and is aggregated in the database, grouped by owner
and stage; the pure arithmetic of :mod:`kam.forecasting.calculations` turns the groups
into the figures. Sums are taken in whole cents so they are exact on SQLite as on
PostgreSQL."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from kam.accounts.visibility import scope_to_visible_accounts
from kam.core.models import Team, User
from kam.core.money import cents, from_cents
from kam.core.visibility import visible_teams
from kam.forecasting import scopes
from kam.forecasting.calculations import ZERO, Forecast, FunnelRow, with_rates
from kam.forecasting.models import ForecastAdjustment, Method, Metric
from kam.forecasting.periods import Period
from kam.forecasting.scopes import Scope
from kam.forecasting.selectors.adjustments import latest_adjustment, latest_adjustments
from kam.forecasting.selectors.targets import TargetBook, TargetFigure
from kam.pipeline.models import SmallSale, Stage, StageModel, Status
from kam.pipeline.selectors import visible_opportunities


def open_in_period(period: Period | None, today: date) -> Q:
    """Which open deals count toward a period.

    Those expected to close in it; for the current period also those whose
    expected date has passed while they are still open (overdue deals are
    this period's problem, not a past one's). A period already over has none.
    ``None`` means every open deal (the plain funnel report).
    """
    q = Q(status=Status.OPEN)
    if period is None:
        return q
    if period.end < today:
        return q & Q(pk__in=[])
    if period.start <= today:
        return q & Q(expected_close_date__lte=period.end)
    return q & Q(expected_close_date__gte=period.start, expected_close_date__lte=period.end)


@dataclass
class OwnerFigures:
    """What one owner contributes to a period: closed, open per stage, off-funnel."""

    closed: Decimal = ZERO
    off_funnel: Decimal = ZERO
    # stage → n, total, model-weighted part of the scored deals, total of the unscored ones
    open: dict[int, tuple[int, Decimal, Decimal, Decimal]] = field(default_factory=dict)


#: The key of every figure when they are not split by owner.
ALL_OWNERS = 0


def _owner_figures(
    user: User,
    scope: Scope,
    period: Period | None,
    *,
    method: str,
    today: date,
    by_owner: bool = True,
) -> dict[int, OwnerFigures]:
    """Three (or four) grouped aggregates, whatever the number of deals.

    Without ``by_owner`` (a total, no per-team lines) everything is summed under
    :data:`ALL_OWNERS`: the open deals then group by stage alone, a range of the
    close-date index instead of a walk over every open deal per owner.
    """
    opportunities = scope.filter(visible_opportunities(user))
    figures: dict[int, OwnerFigures] = defaultdict(OwnerFigures)
    # A narrowed total groups by ``stage_id + 0``, an expression no index holds: grouped by
    # the column, SQLite walks every open deal in the (status, stage, …) index to read them
    # already grouped (looking each up for its owner), instead of the period's range of the
    # close-date index, or the scope's owners in the (status, owner, …) index, and a sort
    # of a few rows (PostgreSQL plans both alike). Per owner, or for every open deal of
    # the company (no period, no narrower scope), the column's walk is right.
    narrowed = period is not None or scope.kind != scopes.COMPANY
    stage_key = F("stage_id") + 0 if narrowed and not by_owner else F("stage_id")
    owner = ("owner_id",) if by_owner else ()
    open_qs = opportunities.filter(open_in_period(period, today)).values(
        *owner, stage_key=stage_key
    )
    annotations: dict[str, Any] = {"n": Count("*"), "c": Sum(cents(F("amount")))}
    if method == Method.MODEL:
        # Deals the model has scored are weighted by their own probability, to the cent;
        # the rest keep their stage's rate, applied to their exact total in _combine.
        scored = Q(odds__probability__isnull=False)
        annotations["w"] = Sum(cents(F("amount") * F("odds__probability")), filter=scored)
        annotations["u"] = Sum(cents(F("amount")), filter=~scored)
    row: Any
    for row in open_qs.annotate(**annotations).order_by():
        figures[row.get("owner_id", ALL_OWNERS)].open[row["stage_key"]] = (
            row["n"],
            from_cents(row["c"]),
            from_cents(row.get("w")),
            from_cents(row.get("u")),
        )
    if period is not None:
        won = opportunities.filter(
            status=Status.WON, closed_on__gte=period.start, closed_on__lte=period.end
        )
        small = scope.filter(scope_to_visible_accounts(SmallSale.objects.all(), user)).filter(
            sold_on__gte=period.start, sold_on__lte=period.end
        )
        if by_owner:
            for row in won.values("owner_id").annotate(c=Sum(cents(F("amount")))).order_by():
                figures[row["owner_id"]].closed = from_cents(row["c"])
            for row in small.values("owner_id").annotate(c=Sum(cents(F("amount")))).order_by():
                figures[row["owner_id"]].off_funnel = from_cents(row["c"])
        else:
            total = figures[ALL_OWNERS]
            total.closed = from_cents(won.aggregate(c=Sum(cents(F("amount"))))["c"])
            total.off_funnel = from_cents(small.aggregate(c=Sum(cents(F("amount"))))["c"])
    return figures


def _stages(stage_model: StageModel | None) -> list[Stage]:
    stages = Stage.objects.select_related("model")
    if stage_model is not None:
        stages = stages.filter(model=stage_model)
    return sorted(stages, key=lambda s: (not s.model.is_default, s.model_id, s.order))


def _combine(
    figures: dict[int, OwnerFigures],
    owners: set[int] | None,
    stages: list[Stage],
    method: str,
    rates: dict[int, Decimal] | None,
) -> Forecast:
    """Add up the figures of ``owners`` (None: all) into one §5.1 forecast."""
    closed = off = ZERO
    per_stage: dict[int, list[Any]] = {s.pk: [0, ZERO, ZERO, ZERO] for s in stages}
    for owner_id, f in figures.items():
        if owners is not None and owner_id not in owners:
            continue
        closed += f.closed
        off += f.off_funnel
        for stage_id, (n, total, scored_weighted, unscored) in f.open.items():
            if stage_id in per_stage:
                bucket = per_stage[stage_id]
                bucket[0] += n
                bucket[1] += total
                bucket[2] += scored_weighted
                bucket[3] += unscored
    rows = [
        FunnelRow(
            stage_id=s.pk,
            stage_name=s.name,
            win_rate=s.win_rate,
            count=per_stage[s.pk][0],
            total=per_stage[s.pk][1],
            weighted_override=(
                per_stage[s.pk][2] + per_stage[s.pk][3] * s.win_rate / 100
                if method == Method.MODEL
                else None
            ),
        )
        for s in stages
    ]
    if method == Method.LEARNED and rates:
        rows = with_rates(rows, rates)
    return Forecast(closed=closed, rows=rows, off_funnel=off)


def funnel_rows(
    user: User,
    stage_model: StageModel,
    *,
    scope: Scope | None = None,
    period: Period | None = None,
    today: date | None = None,
) -> list[FunnelRow]:
    """Per stage of ``stage_model``: count and total of the open opportunities the user sees."""
    scope = scope or Scope(scopes.COMPANY)
    today = today or timezone.localdate()
    figures = _owner_figures(
        user, scope, period, method=Method.CONFIGURED, today=today, by_owner=False
    )
    return _combine(figures, None, _stages(stage_model), Method.CONFIGURED, None).rows


@dataclass(frozen=True)
class Breakdown:
    """One line under the scope's total: a sub-team or a member."""

    scope_key: str
    label: str
    kind: str
    forecast: Forecast


@dataclass(frozen=True)
class ForecastReport:
    scope: Scope
    period: Period
    method: str
    forecast: Forecast
    target: TargetFigure
    breakdown: list[Breakdown]
    adjustment: ForecastAdjustment | None
    rates_used: dict[int, Decimal] | None
    # False: the viewer sees only part of the scope, so no target or adjustment is shown.
    whole: bool = True


def forecast_report(
    user: User,
    scope: Scope,
    period: Period,
    *,
    method: str = Method.CONFIGURED,
    stage_model: StageModel | None = None,
    today: date | None = None,
    with_breakdown: bool = True,
) -> ForecastReport:
    """The §5.1 forecast of a scope and period, with the target and per-team lines."""
    today = today or timezone.localdate()
    if method not in Method.values:
        method = Method.CONFIGURED
    parts = _forecast_parts(
        user, scope, period, method, stage_model, today, by_owner=with_breakdown
    )
    book = TargetBook(Metric.BOOKINGS, period)
    target = book.for_scope(scope, viewer=user)
    whole = scopes.sees_whole(user, scope)
    adjustment = latest_adjustment(scope, period) if whole else None
    forecast = dataclasses.replace(
        parts.forecast,
        target=target.effective,
        adjusted=adjustment.adjusted_amount if adjustment else None,
    )
    lines: list[Breakdown] = []
    if with_breakdown:
        lines = _breakdown(
            user, scope, period, parts.figures, parts.stages, method, parts.rates, book
        )
    return ForecastReport(
        scope, period, method, forecast, target, lines, adjustment, parts.rates, whole
    )


@dataclass(frozen=True)
class _ForecastParts:
    forecast: Forecast  # without target or adjustment
    figures: dict[int, OwnerFigures]
    stages: list[Stage]
    rates: dict[int, Decimal] | None


def _forecast_parts(
    user: User,
    scope: Scope,
    period: Period,
    method: str,
    stage_model: StageModel | None,
    today: date,
    *,
    by_owner: bool,
) -> _ForecastParts:
    stages = _stages(stage_model)
    rates = None
    if method == Method.LEARNED:
        from kam.forecasting.odds import learned_rate_map

        rates = learned_rate_map(user, scope, today=today)
    figures = _owner_figures(user, scope, period, method=method, today=today, by_owner=by_owner)
    combined = _combine(figures, None, stages, method, rates)
    # Every model's deals count; an alternative model's stages show only when they hold some.
    default_stages = {s.pk for s in stages if s.model.is_default}
    forecast = Forecast(
        closed=combined.closed,
        rows=[r for r in combined.rows if r.count or r.stage_id in default_stages],
        off_funnel=combined.off_funnel,
    )
    return _ForecastParts(forecast, figures, stages, rates)


def forecast_figure(
    user: User,
    scope: Scope,
    period: Period,
    *,
    method: str = Method.CONFIGURED,
    today: date | None = None,
) -> Forecast:
    """The forecast figure alone (closed, weighted open pipeline, off-funnel sales) as
    :func:`forecast_report` computes it, without the target it is read against."""
    today = today or timezone.localdate()
    return _forecast_parts(user, scope, period, method, None, today, by_owner=False).forecast


def _breakdown(
    user: User,
    scope: Scope,
    period: Period,
    figures: dict[int, OwnerFigures],
    stages: list[Stage],
    method: str,
    rates: dict[int, Decimal] | None,
    book: TargetBook,
) -> list[Breakdown]:
    """Sub-teams and direct members of the scope, each with its own forecast and target."""
    if scope.kind not in (scopes.COMPANY, scopes.TEAM):
        return []
    teams = {t.pk: t for t in visible_teams(user)}
    if scope.team is not None:
        children = [t for t in teams.values() if t.parent_id == scope.team.pk]
        direct_team: Team | None = scope.team
    else:
        children = [t for t in teams.values() if t.parent_id not in teams]
        direct_team = None
        while len(children) == 1:  # a single national team: show its regions
            only = children[0]
            below = [t for t in teams.values() if t.parent_id == only.pk]
            if not below:
                break
            direct_team, children = only, below
    owners = {
        u["pk"]: u
        for u in User.objects.filter(pk__in=list(figures)).values("pk", "team__path", "team_id")
    }
    adjustments = latest_adjustments(period)
    lines = []
    for team in sorted(children, key=lambda t: t.path):
        members = {pk for pk, u in owners.items() if (u["team__path"] or "").startswith(team.path)}
        f = _combine(figures, members, stages, method, rates)
        line_scope = Scope(scopes.TEAM, team=team)
        adjustment = adjustments.get(("team", team.pk))
        if not scopes.sees_whole(user, line_scope):
            adjustment = None
        lines.append(
            Breakdown(
                f"team:{team.pk}",
                team.name,
                "team",
                Forecast(
                    f.closed,
                    f.rows,
                    f.off_funnel,
                    book.for_scope(line_scope, viewer=user).effective,
                    adjustment.adjusted_amount if adjustment else None,
                ),
            )
        )
    if direct_team is not None:
        people = User.objects.filter(
            Q(team=direct_team) & (Q(pk__in=list(figures)) | Q(pk__in=list(book.user_rows)))
        ).order_by("username")
        for person in people:
            f = _combine(figures, {person.pk}, stages, method, rates)
            person_scope = Scope(scopes.REP, rep=person)
            adjustment = adjustments.get(("user", person.pk))
            if not scopes.sees_whole(user, person_scope):
                adjustment = None
            lines.append(
                Breakdown(
                    f"rep:{person.pk}",
                    str(person),
                    "rep",
                    Forecast(
                        f.closed,
                        f.rows,
                        f.off_funnel,
                        book.for_scope(person_scope, viewer=user).effective,
                        adjustment.adjusted_amount if adjustment else None,
                    ),
                )
            )
    return lines
