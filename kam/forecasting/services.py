"""Writes of the forecast area: targets, adjustments, forecast categories (DOMAIN.md §5).

Each validates, writes in one transaction, records the audit event and returns
the instance; views, the API, commands and tasks all call these.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.visibility import require_edit
from kam.core import changes
from kam.core.concurrency import save_versioned
from kam.core.models import Interface, Role, Team, User
from kam.core.visibility import managed_team_ids
from kam.forecasting import odds, snapshots, winmodel
from kam.forecasting.models import (
    ForecastAdjustment,
    Metric,
    OpportunityOdds,
    PipelineSnapshot,
    PipelineWeekTotal,
    SnapshotWeek,
    Target,
    WinModel,
)
from kam.forecasting.periods import Period, Week
from kam.pipeline.models import ForecastCategory, Opportunity

SNAPSHOT_BATCH = 5000


def _amount(value: object, field: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter an amount, e.g. 1200000.00.")}) from None
    if not amount.is_finite():
        raise ValidationError({field: _("Enter an amount, e.g. 1200000.00.")})
    if amount < 0:
        raise ValidationError({field: _("An amount cannot be below zero.")})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: _("Amounts have at most two decimal places.")})
    if abs(amount) >= Decimal(10) ** 14:
        raise ValidationError({field: _("This amount is too large.")})
    return amount


def can_manage(by: User, *, team: Team | None = None, user: User | None = None) -> bool:
    """Who sets targets and adjusts forecasts for a scope.

    Directors and administrators for every scope including the company; a
    manager for the teams of their subtree and the people in them.
    """
    if not by.is_authenticated or not by.is_active:
        return False
    if by.sees_everything:
        return True
    if by.role != Role.MANAGER:
        return False
    managed = set(managed_team_ids(by))
    if team is not None:
        return team.pk in managed
    if user is not None:
        return user.team_id in managed
    return False


def managed_scopes(by: User) -> tuple[bool, set[int]]:
    """(may manage every scope, ids of the teams whose targets and people ``by`` manages)."""
    if not by.is_authenticated or not by.is_active:
        return False, set()
    if by.sees_everything:
        return True, set()
    if by.role != Role.MANAGER:
        return False, set()
    return False, set(managed_team_ids(by))


@transaction.atomic
def set_target(
    *,
    metric: str,
    period: Period,
    amount: object,
    by: User,
    team: Team | None = None,
    user: User | None = None,
    expected_version: int | None = None,
    via: str = Interface.WEB,
) -> Target:
    """Set the explicit target of a rep, a team or (neither) the company for a period."""
    if metric not in Metric.values:
        raise ValidationError({"metric": _("Unknown metric.")})
    if team is not None and user is not None:
        raise ValidationError(_("A target belongs to a rep or to a team, not both."))
    if not can_manage(by, team=team, user=user):
        raise PermissionDenied(_("You may not set this target."))
    value = _amount(amount, "amount")
    existing = (
        Target.objects.select_for_update()
        .filter(
            metric=metric,
            period_kind=period.kind,
            period_start=period.start,
            team=team,
            user=user,
        )
        .first()
    )
    if existing is None:
        target = Target(
            metric=metric,
            period_kind=period.kind,
            period_start=period.start,
            team=team,
            user=user,
            amount=value,
            set_by=by,
        )
        return changes.create(target, by=by, via=via, clean=None)
    changes.update(
        existing,
        {"amount": value, "set_by": by},
        by=by,
        via=via,
        expected_version=expected_version,
        clean=None,
        always=True,
    )
    return existing


@transaction.atomic
def clear_target(target: Target, *, by: User, via: str = Interface.WEB) -> None:
    """Remove an explicit target: a team's then rolls up from its members again."""
    if not can_manage(by, team=target.team, user=target.user):
        raise PermissionDenied(_("You may not set this target."))
    changes.delete(target, by=by, via=via)


@transaction.atomic
def adjust_forecast(
    *,
    period: Period,
    adjusted_amount: object,
    system_amount: Decimal,
    note: str,
    by: User,
    team: Team | None = None,
    user: User | None = None,
    via: str = Interface.WEB,
) -> ForecastAdjustment:
    """A manager's number for a rep's or team's forecast; the system figure is kept beside it."""
    if team is not None and user is not None:
        raise ValidationError(_("An adjustment belongs to a rep or to a team, not both."))
    if not can_manage(by, team=team, user=user):
        raise PermissionDenied(_("You may not adjust this forecast."))
    value = _amount(adjusted_amount, "adjusted_amount")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why the number is adjusted.")})
    adjustment = ForecastAdjustment(
        period_kind=period.kind,
        period_start=period.start,
        team=team,
        user=user,
        system_amount=system_amount,
        adjusted_amount=value,
        note=note,
        adjusted_by=by,
    )
    return changes.create(adjustment, by=by, via=via, clean=None)


@transaction.atomic
def set_forecast_category(
    opportunity: Opportunity,
    category: str,
    *,
    by: User,
    expected_version: int | None = None,
    via: str = Interface.WEB,
) -> Opportunity:
    """The owner's call on a deal: commit, best case, pipeline or omitted."""
    if category not in ForecastCategory.values:
        raise ValidationError({"forecast_category": _("Unknown forecast category.")})
    require_edit(by, opportunity.account, _("You may not change this opportunity."))
    with changes.tracked(opportunity, by=by, via=via, always=True):
        opportunity.forecast_category = category
        save_versioned(opportunity, expected_version, ["forecast_category"])
    return opportunity


def last_completed_week(today: date | None = None) -> Week:
    """The latest week that has ended in the company's time zone (the job runs on Mondays)."""
    return Week.of(today or timezone.localdate()).previous()


#: What a weekly snapshot writes (the statistics job analyses these after it).
SNAPSHOT_TABLES = [
    PipelineSnapshot._meta.db_table,
    PipelineWeekTotal._meta.db_table,
    SnapshotWeek._meta.db_table,
]


def take_snapshot(week_end: date, *, today: date | None = None) -> tuple[SnapshotWeek, bool]:
    """Record every open opportunity as it stands at the end of the week of ``week_end`` (§5.2).

    The job runs when the week ends (early Monday, for the week just ended);
    it records the pipeline as it stands when it runs.

    Stage, amount, expected close date and weighted value (amount × the stage's
    configured win rate), with the owner's team of that week and the same deal's
    stage, close date and amount of the week before. Append-only and idempotent:
    the week is marked done in :class:`SnapshotWeek` and its totals
    (:class:`PipelineWeekTotal`) written in the same transaction, so a second run
    records nothing and returns ``(week, False)``. Set-based
    (:mod:`kam.forecasting.snapshots`); nothing is read per opportunity.
    """
    week = Week.of(week_end)
    today = today or timezone.localdate()
    if week.monday > today:
        raise ValidationError(
            _("The week of %(day)s has not started yet; a snapshot records the past."),
            code="future_week",
            params={"day": week_end.isoformat()},
        )
    existing = SnapshotWeek.objects.filter(week=week.monday).first()
    if existing is not None:
        return existing, False
    if week < last_completed_week(today):
        # The pipeline of a long-gone week cannot be read back; recording today's under
        # its date would rewrite history. A missed week stays missing.
        raise ValidationError(
            _(
                "The week of %(day)s is over; only the week just ended or the current one "
                "can be recorded, as the pipeline stands now."
            ),
            code="past_week",
            params={"day": week_end.isoformat()},
        )
    try:
        with transaction.atomic():
            marker = SnapshotWeek.objects.create(week=week.monday)
            marker.opportunities = snapshots.record_open_pipeline(week)
            marker.save(update_fields=["opportunities"])
            snapshots.total_week(week)
            following = week.next()
            if SnapshotWeek.objects.filter(week=following.monday).exists():
                # The current week was recorded before the one just ended: its rows
                # now have a week before to compare with.
                snapshots.link_previous_week(following)
                snapshots.total_week(following)
    except IntegrityError:
        # Another run took the same week at the same moment: its rows stand, ours are gone.
        return SnapshotWeek.objects.get(week=week.monday), False
    return marker, True


@transaction.atomic
def rebuild_snapshot_totals() -> int:
    """Link every recorded week's rows to the week before and rewrite its totals (§5.2).

    For weeks recorded before the totals existed; the rows themselves are not
    changed. Returns how many weeks were rewritten.
    """
    weeks = SnapshotWeek.objects.values_list("week", flat=True)
    return snapshots.backfill(list(weeks))


TRAINING_MONTHS = 24
HELD_OUT_SHARE = 0.25


@transaction.atomic
def train_win_model(*, today: date | None = None, months: int = TRAINING_MONTHS) -> WinModel:
    """Learn the win probability of each open deal from closed history.

    The deals closed in the last ``months`` are split by closing date: the
    latest quarter of them is held out. The model is fitted on the rest and the
    held-out deals score all three methods (configured stage rates, learned
    stage rates, the model) by Brier score and calibration. Every open deal
    then gets the model's probability and its main reasons, replacing the last
    training's.
    """
    today = today or timezone.localdate()
    examples = odds.training_examples(today=today, months=months)
    deals = sorted({(e.closed_on, e.opportunity_id) for e in examples})
    if len(deals) < winmodel.MIN_DEALS or len({e.won for e in examples}) < 2:
        raise ValidationError(
            _(
                "Not enough closed history to learn from: %(count)s closed deals with stage "
                "history in the last %(months)s months; at least %(minimum)s, won and lost."
            ),
            code="too_little_history",
            params={"count": len(deals), "months": months, "minimum": winmodel.MIN_DEALS},
        )
    held_out = {pk for _day, pk in deals[int(len(deals) * (1 - HELD_OUT_SHARE)) :]}
    train = [e for e in examples if e.opportunity_id not in held_out]
    test = [e for e in examples if e.opportunity_id in held_out]
    fitted = winmodel.fit([e.row for e in train], [e.won for e in train])
    reached: dict[int, list[int]] = {}
    for e in train:
        counts = reached.setdefault(e.stage_id, [0, 0])
        counts[0] += 1
        counts[1] += e.won
    predicted = fitted.predict([e.row for e in test]) if test else []
    accuracy = {
        "held_out_deals": len(held_out),
        "held_out_examples": len(test),
        "train_examples": len(train),
        "configured": winmodel.accuracy([(float(e.stage_rate) / 100, e.won) for e in test]),
        "learned": winmodel.accuracy(
            [
                (
                    reached[e.stage_id][1] / reached[e.stage_id][0]
                    if e.stage_id in reached
                    else float(e.stage_rate) / 100,
                    e.won,
                )
                for e in test
            ]
        ),
        "model": winmodel.accuracy(list(zip(predicted, (e.won for e in test), strict=True))),
    }
    model = WinModel.objects.create(
        as_of=today,
        window_months=months,
        examples=len(examples),
        coefficients=fitted.as_json(),
        accuracy=accuracy,
    )
    ids, rows = odds.open_deal_rows(today=today)
    probabilities = fitted.predict(rows) if rows else []
    OpportunityOdds.objects.all().delete()
    OpportunityOdds.objects.bulk_create(
        (
            OpportunityOdds(
                opportunity_id=pk,
                model=model,
                probability=Decimal(f"{p:.4f}"),
                reasons=fitted.reasons(row),
            )
            for pk, p, row in zip(ids, probabilities, rows, strict=True)
        ),
        batch_size=SNAPSHOT_BATCH,
    )
    return model
