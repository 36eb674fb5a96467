"""Forecast arithmetic as pure functions over plain values (DOMAIN.md §5)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class FunnelRow:
    """One stage of the weekly funnel report (§5): rate, count, total, weighted."""

    stage_id: int
    stage_name: str
    win_rate: Decimal  # percent, e.g. Decimal("30")
    count: int
    total: Decimal

    @property
    def weighted(self) -> Decimal:
        return self.total * self.win_rate / HUNDRED


@dataclass(frozen=True)
class FunnelTotals:
    count: int
    total: Decimal
    weighted: Decimal


def funnel_totals(rows: Iterable[FunnelRow]) -> FunnelTotals:
    rows = list(rows)
    return FunnelTotals(
        count=sum(r.count for r in rows),
        total=sum((r.total for r in rows), Decimal(0)),
        weighted=sum((r.weighted for r in rows), Decimal(0)),
    )


def sales_forecast(closed: Decimal, rows: Iterable[FunnelRow], off_funnel: Decimal) -> Decimal:
    """Sales forecast (§5.1) = closed revenue + Σ open amount × stage win rate + off-funnel."""
    return closed + funnel_totals(rows).weighted + off_funnel
