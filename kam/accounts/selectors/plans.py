"""Account plans on a page: levers, the whitespace grid, objectives (DOMAIN.md §1.5, §1.7)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from kam.accounts import calculations
from kam.accounts.models import (
    Account,
    AccountPlan,
    GrowthLever,
    PlanAction,
    PlanObjective,
    ProductLine,
    WhitespaceCell,
)

ZERO = Decimal(0)


@dataclass
class PlanView:
    plan: AccountPlan
    levers: list[tuple[GrowthLever, str]]
    units: list[str]
    product_lines: list[ProductLine]
    grid: list[tuple[str, list[tuple[ProductLine, str]]]]
    objectives: list[PlanObjective]
    balance: dict[str, dict[str, Any]]


def plan_view(plan: AccountPlan) -> PlanView:
    """One plan with its levers on the priority matrix, whitespace grid and actions."""
    levers = list(plan.levers.all())
    lines = list(ProductLine.objects.filter(active=True).order_by("order"))
    cells = list(WhitespaceCell.objects.filter(plan=plan))
    subsidiaries = list(plan.account.subsidiaries.values_list("name", flat=True))
    units = list(dict.fromkeys([plan.account.name, *subsidiaries, *(c.unit for c in cells)]))
    status = {(c.unit, c.product_line_id): c.status for c in cells}
    grid = [(unit, [(line, status.get((unit, line.pk), "")) for line in lines]) for unit in units]
    objectives = list(
        plan.objectives.prefetch_related(
            Prefetch(
                "actions",
                queryset=PlanAction.objects.select_related("owner", "activity", "opportunity"),
            )
        )
    )
    balance: dict[str, dict[str, Any]] = {}
    for lever in levers:
        entry = balance.setdefault(lever.horizon, {"levers": 0, "revenue": ZERO, "objectives": 0})
        entry["levers"] += 1
        entry["revenue"] += lever.expected_revenue
    for objective in objectives:
        entry = balance.setdefault(
            objective.horizon, {"levers": 0, "revenue": ZERO, "objectives": 0}
        )
        entry["objectives"] += 1
    return PlanView(
        plan=plan,
        levers=[
            (lever, calculations.priority_for(lever.attractiveness, lever.probability))
            for lever in levers
        ],
        units=units,
        product_lines=lines,
        grid=grid,
        objectives=objectives,
        balance=balance,
    )


def plans_for(account: Account) -> list[AccountPlan]:
    return list(AccountPlan.objects.filter(account=account).order_by("-year"))
