"""The open deals behind a forecast figure, and the owners' own call on them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, QuerySet, Sum
from django.utils import timezone

from kam.core.models import User
from kam.core.money import cents, from_cents
from kam.forecasting.periods import Period
from kam.forecasting.scopes import Scope
from kam.forecasting.selectors.forecast import open_in_period
from kam.pipeline.models import ForecastCategory, Opportunity
from kam.pipeline.selectors import visible_opportunities


def drilldown(
    user: User,
    scope: Scope,
    *,
    period: Period | None,
    stage_id: int | None = None,
    today: date | None = None,
) -> QuerySet[Opportunity]:
    """The open opportunities behind a funnel figure (same filters as the report)."""
    today = today or timezone.localdate()
    opportunities = scope.filter(visible_opportunities(user)).filter(open_in_period(period, today))
    if stage_id is not None:
        opportunities = opportunities.filter(stage_id=stage_id)
    return opportunities.select_related("account", "stage", "owner", "odds")


def category_totals(
    user: User, scope: Scope, period: Period, today: date | None = None
) -> list[tuple[str, str, int, Decimal]]:
    """The owners' own call: open deals and amount per forecast category."""
    today = today or timezone.localdate()
    rows: dict[str, dict[str, Any]] = {
        r["forecast_category"]: dict(r)
        for r in scope.filter(visible_opportunities(user))
        .filter(open_in_period(period, today))
        .values("forecast_category")
        .annotate(n=Count("*"), c=Sum(cents(F("amount"))))
        .order_by()
    }
    return [
        (
            value,
            str(label),
            rows.get(value, {}).get("n", 0),
            from_cents(rows.get(value, {}).get("c")),
        )
        for value, label in ForecastCategory.choices
    ]
