"""The attack / defend matrix and the resources per strategy (DOMAIN.md §1.4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from kam.accounts import calculations
from kam.accounts.models import Account, Strategy, StrategyAllocation
from kam.accounts.selectors.facts import segment_spend
from kam.accounts.selectors.qualification import current_policy, sales_by_account
from kam.accounts.visibility import visible_accounts
from kam.core.models import User

ZERO = Decimal(0)


@dataclass(frozen=True)
class MatrixPoint:
    account: Account
    potential: Decimal
    share_pct: Decimal
    strategy: str


@dataclass
class AllocationRow:
    strategy: str
    label: str
    accounts: int = 0
    planned_hours: Decimal = ZERO
    planned_people: int = 0
    planned_budget: Decimal = ZERO
    activities: int = 0
    actual_hours: Decimal = ZERO
    actual_people: int = 0
    actual_expenses: Decimal = ZERO


def attack_defend_matrix(
    user: User, *, year: int, today: date | None = None
) -> tuple[list[MatrixPoint], int, list[AllocationRow]]:
    """Accounts placed by purchase potential × share of wallet, and per strategy the
    planned allocation against what activities actually spent in ``year``."""
    today = today or timezone.localdate()
    start, end, _ps, _pe = calculations.year_window(today)
    visible = visible_accounts(user)
    accounts = list(visible.only("pk", "name", "purchase_potential", "tier", "segment"))
    # The visible accounts as a subquery, not a list of (for a director) every account's id.
    sales = sales_by_account(visible, start, end)
    rules = current_policy()
    points = []
    unplaced = 0
    rows = {value: AllocationRow(value, str(label)) for value, label in Strategy.choices}
    for account in accounts:
        share = calculations.share_of_wallet(
            sales.get(account.pk, ZERO), account.purchase_potential
        )
        strategy = calculations.strategy_for(
            account.purchase_potential,
            share,
            high_potential_from=rules.high_potential_from,
            high_share_from_pct=rules.high_share_from_pct,
            intrude_below_pct=rules.intrude_below_pct,
        )
        if strategy is None or share is None or account.purchase_potential is None:
            unplaced += 1
            continue
        points.append(MatrixPoint(account, account.purchase_potential, share, strategy))
        rows[strategy].accounts += 1
    for allocation in StrategyAllocation.objects.filter(year=year):
        row = rows[allocation.strategy]
        row.planned_hours = allocation.planned_hours
        row.planned_people = allocation.planned_people
        row.planned_budget = allocation.planned_budget
    for segment, spend in segment_spend(user, year).items():
        actual = rows.get(segment)
        if actual is None:
            continue
        actual.activities = spend.activities
        actual.actual_people = spend.people
        actual.actual_hours = (Decimal(spend.minutes) / 60).quantize(Decimal("0.1"))
        actual.actual_expenses = spend.expenses
    return points, unplaced, [rows[s] for s in Strategy.values]
