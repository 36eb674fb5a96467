"""The managers' adjustments of the forecast, current and past."""

from __future__ import annotations

from django.db.models import QuerySet

from kam.core.models import User
from kam.forecasting import scopes
from kam.forecasting.models import ForecastAdjustment
from kam.forecasting.periods import Period
from kam.forecasting.scopes import Scope


def latest_adjustment(scope: Scope, period: Period) -> ForecastAdjustment | None:
    if scope.account is not None:
        return None
    return (
        ForecastAdjustment.objects.filter(
            period_kind=period.kind,
            period_start=period.start,
            team=scope.team,
            user=scope.rep,
        )
        .select_related("adjusted_by")
        .first()
    )


def latest_adjustments(period: Period) -> dict[tuple[str, int], ForecastAdjustment]:
    """The current adjustment of every team and rep for a period (one query)."""
    result: dict[tuple[str, int], ForecastAdjustment] = {}
    rows = ForecastAdjustment.objects.filter(
        period_kind=period.kind, period_start=period.start
    ).order_by("adjusted_at", "pk")
    for adjustment in rows:  # later rows overwrite earlier ones
        if adjustment.team_id:
            result[("team", adjustment.team_id)] = adjustment
        elif adjustment.user_id:
            result[("user", adjustment.user_id)] = adjustment
    return result


def adjustment_history(viewer: User, scope: Scope, period: Period) -> QuerySet[ForecastAdjustment]:
    """The scope's adjustments, if the viewer sees the whole scope."""
    if not scopes.sees_whole(viewer, scope):
        return ForecastAdjustment.objects.none()
    return ForecastAdjustment.objects.filter(
        period_kind=period.kind, period_start=period.start, team=scope.team, user=scope.rep
    ).select_related("adjusted_by")
