"""Writes of the forecast area: targets, adjustments, forecast categories (DOMAIN.md §5).

Each validates, writes in one transaction, records the audit event and returns
the instance; views, the API, commands and tasks all call these.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kam.accounts.visibility import can_edit_account
from kam.core import audit
from kam.core.concurrency import save_versioned
from kam.core.models import AuditEvent, Interface, Role, Team, User
from kam.core.visibility import managed_team_ids
from kam.forecasting.models import ForecastAdjustment, Metric, Target
from kam.forecasting.periods import Period
from kam.pipeline.models import ForecastCategory, Opportunity


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
        target = Target.objects.create(
            metric=metric,
            period_kind=period.kind,
            period_start=period.start,
            team=team,
            user=user,
            amount=value,
            set_by=by,
        )
        audit.record(
            AuditEvent.Action.CREATE, target, by=by, via=via, changes=audit.snapshot(target)
        )
        return target
    before = audit.snapshot(existing, ["amount"])
    existing.amount, existing.set_by = value, by
    save_versioned(existing, expected_version, ["amount", "set_by"])
    audit.record(
        AuditEvent.Action.UPDATE,
        existing,
        by=by,
        via=via,
        changes=audit.diff(before, audit.snapshot(existing, ["amount"])),
    )
    return existing


@transaction.atomic
def clear_target(target: Target, *, by: User, via: str = Interface.WEB) -> None:
    """Remove an explicit target: a team's then rolls up from its members again."""
    if not can_manage(by, team=target.team, user=target.user):
        raise PermissionDenied(_("You may not set this target."))
    audit.record(AuditEvent.Action.DELETE, target, by=by, via=via, changes=audit.snapshot(target))
    target.delete()


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
    adjustment = ForecastAdjustment.objects.create(
        period_kind=period.kind,
        period_start=period.start,
        team=team,
        user=user,
        system_amount=system_amount,
        adjusted_amount=value,
        note=note,
        adjusted_by=by,
    )
    audit.record(
        AuditEvent.Action.CREATE, adjustment, by=by, via=via, changes=audit.snapshot(adjustment)
    )
    return adjustment


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
    if not can_edit_account(by, opportunity.account):
        raise PermissionDenied(_("You may not change this opportunity."))
    before = audit.snapshot(opportunity, ["forecast_category"])
    opportunity.forecast_category = category
    save_versioned(opportunity, expected_version, ["forecast_category"])
    audit.record(
        AuditEvent.Action.UPDATE,
        opportunity,
        by=by,
        via=via,
        changes=audit.diff(before, audit.snapshot(opportunity, ["forecast_category"])),
    )
    return opportunity
