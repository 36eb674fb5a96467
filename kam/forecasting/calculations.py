"""Forecast arithmetic as pure functions over plain values (DOMAIN.md §5).

Money is ``Decimal`` end to end; nothing here rounds. Amounts arrive from the
database as whole cents (``int``) so that sums are exact on every backend.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

HUNDRED = Decimal(100)
ZERO = Decimal(0)


@dataclass(frozen=True)
class FunnelRow:
    """One stage of the weekly funnel report (§5): rate, count, total, weighted.

    ``weighted_override`` carries the weighted amount when it does not come
    from one rate for the whole stage (the learned per-deal probability).
    """

    stage_id: int
    stage_name: str
    win_rate: Decimal  # percent, e.g. Decimal("30")
    count: int
    total: Decimal
    weighted_override: Decimal | None = None

    @property
    def weighted(self) -> Decimal:
        if self.weighted_override is not None:
            return self.weighted_override
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
        total=sum((r.total for r in rows), ZERO),
        weighted=sum((r.weighted for r in rows), ZERO),
    )


def sales_forecast(closed: Decimal, rows: Iterable[FunnelRow], off_funnel: Decimal) -> Decimal:
    """Sales forecast (§5.1) = closed revenue + Σ open amount × stage win rate + off-funnel."""
    return closed + funnel_totals(rows).weighted + off_funnel


def coverage(forecast: Decimal, target: Decimal | None) -> Decimal | None:
    """Forecast ÷ target (§5.1): are there enough opportunities? None without a target."""
    if target is None or target <= 0:
        return None
    return forecast / target


@dataclass(frozen=True)
class Forecast:
    """The §5.1 forecast of one scope and period, every part kept for the reader."""

    closed: Decimal
    rows: list[FunnelRow]
    off_funnel: Decimal
    target: Decimal | None = None
    adjusted: Decimal | None = None

    @property
    def totals(self) -> FunnelTotals:
        return funnel_totals(self.rows)

    @property
    def weighted(self) -> Decimal:
        return self.totals.weighted

    @property
    def total(self) -> Decimal:
        return sales_forecast(self.closed, self.rows, self.off_funnel)

    @property
    def coverage(self) -> Decimal | None:
        return coverage(self.total, self.target)

    @property
    def adjusted_coverage(self) -> Decimal | None:
        return None if self.adjusted is None else coverage(self.adjusted, self.target)

    @property
    def gap(self) -> Decimal | None:
        """How much more forecast the target needs (negative: ahead)."""
        return None if self.target is None else self.target - self.total


def with_rates(rows: Iterable[FunnelRow], rates: Mapping[int, Decimal]) -> list[FunnelRow]:
    """The same funnel weighted with other (learned) rates; unknown stages keep theirs."""
    return [
        FunnelRow(
            stage_id=r.stage_id,
            stage_name=r.stage_name,
            win_rate=rates.get(r.stage_id, r.win_rate),
            count=r.count,
            total=r.total,
        )
        for r in rows
    ]


def sales_progress(
    forecast_now: Decimal,
    forecast_before: Decimal,
    sales_now: Decimal,
    sales_before: Decimal,
    quarter_target: Decimal | None,
) -> Decimal | None:
    """Sales progress (§5.2), the seed's formula as written.

    [(this week's forecast − last week's) + (this week's cumulative sales − last
    week's)] ÷ this quarter's target. None without a target. Given the forecast
    of §5.1 (closed sales + weighted pipeline) it counts a won deal's amount twice,
    once inside the forecast and once as sales; given the weighted pipeline alone
    (see :class:`WeekProgress`) it counts it once.
    """
    if quarter_target is None or quarter_target <= 0:
        return None
    return ((forecast_now - forecast_before) + (sales_now - sales_before)) / quarter_target


@dataclass(frozen=True)
class WeekProgress:
    """One week of §5.2 for one scope: the pipeline and sales now and a week before.

    ``pipeline`` is the weighted open part of the forecast (Σ amount × win rate
    of the week's snapshot, deals expected to close by the quarter's end);
    ``sales`` the cumulative sales of the quarter to the week's end (won deals
    and off-funnel sales). Keeping the closed revenue out of the pipeline term
    counts a won deal once: its weighted value leaves the pipeline and its
    amount enters sales, so the week gains the rest of its amount. That is
    :attr:`progress`, KAM's figure; :attr:`progress_as_written` applies the
    seed's formula to the whole forecast (sales + pipeline), where the won
    amount enters twice.
    ``previous_pipeline`` is None when the week before has no snapshot.
    """

    week: date
    pipeline: Decimal
    previous_pipeline: Decimal | None
    sales: Decimal
    previous_sales: Decimal
    target: Decimal | None

    @property
    def forecast(self) -> Decimal:
        return self.pipeline + self.sales

    @property
    def previous_forecast(self) -> Decimal | None:
        if self.previous_pipeline is None:
            return None
        return self.previous_pipeline + self.previous_sales

    @property
    def pipeline_change(self) -> Decimal | None:
        return None if self.previous_pipeline is None else self.pipeline - self.previous_pipeline

    @property
    def forecast_change(self) -> Decimal | None:
        before = self.previous_forecast
        return None if before is None else self.forecast - before

    @property
    def sales_change(self) -> Decimal:
        return self.sales - self.previous_sales

    @property
    def progress(self) -> Decimal | None:
        """KAM's figure: (Δ weighted pipeline + Δ sales) ÷ quarter target."""
        if self.previous_pipeline is None:
            return None
        return sales_progress(
            self.pipeline, self.previous_pipeline, self.sales, self.previous_sales, self.target
        )

    @property
    def progress_as_written(self) -> Decimal | None:
        """The seed's formula: (Δ sales forecast + Δ closed sales) ÷ quarter target."""
        before = self.previous_forecast
        if before is None:
            return None
        return sales_progress(self.forecast, before, self.sales, self.previous_sales, self.target)


def cumulative_to(daily: Mapping[date, Decimal], start: date, end: date) -> Decimal:
    """The sum of the daily amounts from ``start`` to ``end`` inclusive (zero when end < start)."""
    return sum((amount for day, amount in daily.items() if start <= day <= end), ZERO)


# --- targets ------------------------------------------------------------------------


@dataclass
class TargetNode:
    """A team in the roll-up: its explicit target, its members' and its sub-teams'."""

    team_id: int
    explicit: Decimal | None = None
    member_targets: list[Decimal] = field(default_factory=list)
    children: list[TargetNode] = field(default_factory=list)

    @property
    def rolled_up(self) -> Decimal:
        return sum(self.member_targets, ZERO) + sum((c.effective for c in self.children), ZERO)

    @property
    def effective(self) -> Decimal:
        """The explicit target when set, else the roll-up of members and sub-teams."""
        return self.explicit if self.explicit is not None else self.rolled_up


# --- accuracy -----------------------------------------------------------------------


def brier_score(pairs: Iterable[tuple[float, int]]) -> float | None:
    """Mean squared error of predicted probabilities against outcomes (0 won't, 1 won)."""
    pairs = list(pairs)
    if not pairs:
        return None
    return sum((p - y) ** 2 for p, y in pairs) / len(pairs)


@dataclass(frozen=True)
class CalibrationBin:
    low: float
    high: float
    count: int
    predicted: float | None  # mean predicted probability in the bin
    observed: float | None  # share actually won


def calibration_table(pairs: Iterable[tuple[float, int]], bins: int = 10) -> list[CalibrationBin]:
    """Predictions grouped by probability band: predicted vs observed win share."""
    buckets: list[list[tuple[float, int]]] = [[] for _ in range(bins)]
    for p, y in pairs:
        buckets[min(bins - 1, max(0, int(p * bins)))].append((p, y))
    table = []
    for i, bucket in enumerate(buckets):
        n = len(bucket)
        table.append(
            CalibrationBin(
                low=i / bins,
                high=(i + 1) / bins,
                count=n,
                predicted=sum(p for p, _ in bucket) / n if n else None,
                observed=sum(y for _, y in bucket) / n if n else None,
            )
        )
    return table
