"""The cash forecast's rules in plain Python, as the SQL of kam.receivables.cash must
follow them (tests/receivables/test_cash_sql.py compares the two on random books).

KAM itself buckets in the database; these are the statement of the rules, item by item.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from kam.receivables.calculations import ZERO, CashBucket, cash_bucket_starts


def expected_payment_date(due_date: date, typical_delay_days: int, today: date) -> date:
    """When cash for a due date is expected: due + the account's own delay, never in the past."""
    return max(due_date + timedelta(days=max(typical_delay_days, 0)), today)


@dataclass(frozen=True)
class CashItem:
    """Money expected on a day from one source: an open invoice, a plan line not yet
    invoiced, or the weighted value of an open deal turned into cash by payment terms."""

    expected_on: date
    amount: Decimal
    source: str


def cash_forecast(
    items: Iterable[CashItem], *, today: date, granularity: str, count: int
) -> tuple[list[CashBucket], Decimal]:
    """Spread expected cash over weeks or months from today; also what falls after them.

    Nothing is expected in the past: an overdue amount is expected in the current bucket
    (the callers have already moved each date by the account's own habitual delay).
    """
    starts = cash_bucket_starts(today, granularity, count)
    ends = [s - timedelta(days=1) for s in starts[1:]]
    after = cash_bucket_starts(starts[-1], granularity, 2)[1]
    ends.append(after - timedelta(days=1))
    buckets = [CashBucket(start=s, end=e) for s, e in zip(starts, ends, strict=True)]
    later = ZERO
    for item in items:
        day = max(item.expected_on, today)
        if day >= after:
            later += item.amount
            continue
        index = next(i for i, b in enumerate(buckets) if b.start <= day <= b.end)
        bucket = buckets[index]
        setattr(bucket, item.source, getattr(bucket, item.source) + item.amount)
    return buckets, later


def uninvoiced_lines(
    lines: Sequence[tuple[date, Decimal]], invoiced: Decimal
) -> list[tuple[date, Decimal]]:
    """What is left to invoice of each plan line, the invoiced total consuming the oldest first."""
    left = []
    for due_date, amount in sorted(lines, key=lambda line: line[0]):
        used = min(amount, max(invoiced, ZERO))
        invoiced -= used
        if amount > used:
            left.append((due_date, amount - used))
    return left


def habitual_delay_days(average_days_late: float | None) -> int:
    """An account's own delay: how late it paid on average, never negative (early payers
    are not expected early)."""
    if average_days_late is None or average_days_late <= 0:
        return 0
    return int(Decimal(str(average_days_late)).quantize(Decimal(1), ROUND_HALF_UP))
