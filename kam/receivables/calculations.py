"""Pure calculations of credit and collections (DOMAIN.md §6), over plain values.

Money is ``Decimal`` throughout; nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import ceil

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
HUNDRED = Decimal(100)

# Aging buckets: (key, first day overdue, last day overdue or None).
BUCKETS: list[tuple[str, int, int | None]] = [
    ("current", -(10**9), 0),
    ("d1_30", 1, 30),
    ("d31_60", 31, 60),
    ("d61_90", 61, 90),
    ("over_90", 91, None),
]
BUCKET_KEYS = [key for key, _low, _high in BUCKETS]


def bucket_for(days_overdue: int) -> str:
    """The aging bucket of a receivable ``days_overdue`` days past its due date (≤ 0: current)."""
    for key, low, high in BUCKETS:
        if days_overdue >= low and (high is None or days_overdue <= high):
            return key
    raise AssertionError("buckets cover every integer")


def days_sales_outstanding(
    open_receivables: Decimal, credit_sales: Decimal, days: int
) -> Decimal | None:
    """DSO = open receivables ÷ credit sales of the last ``days`` days × ``days``.

    None when nothing was sold on credit in the period (DSO is undefined).
    """
    if credit_sales <= 0:
        return None
    return (open_receivables / credit_sales * days).quantize(Decimal("0.1"), ROUND_HALF_UP)


def extra_sales_needed(loss: Decimal, net_margin_pct: Decimal) -> Decimal:
    """Bad debt must be replaced by extra sales: loss ÷ net margin (§6), to the cent, rounded up.

    500 at 3% → 16,666.67. The source's table cuts to whole units (16,666), which
    leaves part of the loss uncovered: 16,666 × 3% = 499.98. Computed exactly (as a
    fraction), so the figure always covers the loss and one cent less never does.
    """
    if net_margin_pct <= 0:
        raise ValueError("margin must be positive")
    exact = Fraction(loss) * 100 / Fraction(net_margin_pct)
    return (Decimal(ceil(exact * 100)) / 100).quantize(CENT)


def financing_cost(amount: Decimal, annual_rate_pct: Decimal, days_late: int) -> Decimal:
    """Late payment eats profit: amount × interest rate × days late ÷ 365 (§6)."""
    if days_late <= 0:
        return ZERO
    return (amount * annual_rate_pct / HUNDRED * days_late / 365).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class CostOfDebt:
    """What an overdue (or written-off) amount costs (§6): the extra sales that would replace
    it if it were lost, and the financing cost of the delay so far."""

    amount: Decimal
    margin_pct: Decimal | None
    extra_sales: Decimal | None  # None without a positive margin
    annual_rate_pct: Decimal
    days_late: int
    delay_cost: Decimal


def cost_of_debt(
    amount: Decimal, margin_pct: Decimal | None, annual_rate_pct: Decimal, days_late: int
) -> CostOfDebt:
    """The extra sales at ``margin_pct`` and the financing cost at ``annual_rate_pct``."""
    margin = margin_pct if margin_pct is not None and margin_pct > 0 else None
    return CostOfDebt(
        amount=amount,
        margin_pct=margin,
        extra_sales=extra_sales_needed(amount, margin) if margin is not None else None,
        annual_rate_pct=annual_rate_pct,
        days_late=max(days_late, 0),
        delay_cost=financing_cost(amount, annual_rate_pct, days_late),
    )


@dataclass(frozen=True)
class CompleteSale:
    """完全销售: a sale read as cash (§6, the Zhang Yi case)."""

    amount: Decimal
    gross_margin_pct: Decimal
    cost: Decimal
    collected: Decimal
    outstanding: Decimal
    cash_position: Decimal
    break_even_point: Decimal  # collecting more than this makes the deal cash-positive

    @property
    def profitable(self) -> bool:
        return self.cash_position > 0

    @property
    def still_to_break_even(self) -> Decimal:
        return max(self.break_even_point - self.collected, ZERO)

    @property
    def collected_pct(self) -> Decimal:
        if self.amount <= 0:
            return ZERO
        return (self.collected / self.amount * HUNDRED).quantize(Decimal("0.1"), ROUND_HALF_UP)


def complete_sale(amount: Decimal, gross_margin_pct: Decimal, collected: Decimal) -> CompleteSale:
    """Cost = amount × (1 − margin); cash position = collected − cost; break-even at the cost."""
    cost = (amount * (HUNDRED - gross_margin_pct) / HUNDRED).quantize(CENT, ROUND_HALF_UP)
    return CompleteSale(
        amount=amount,
        gross_margin_pct=gross_margin_pct,
        cost=cost,
        collected=collected,
        outstanding=amount - collected,
        cash_position=collected - cost,
        break_even_point=cost,
    )


def allocate_oldest_first(
    amount: Decimal, open_items: Sequence[tuple[int, Decimal]]
) -> tuple[list[tuple[int, Decimal]], Decimal]:
    """Spread ``amount`` over ``open_items`` (id, open) in order; return the lines and the rest."""
    lines: list[tuple[int, Decimal]] = []
    rest = amount
    for item_id, open_amount in open_items:
        if rest <= 0:
            break
        part = min(rest, open_amount)
        if part > 0:
            lines.append((item_id, part))
            rest -= part
    return lines, rest


@dataclass(frozen=True)
class CreditCheck:
    """The answer of a credit check (§6, credit limits)."""

    ok: bool
    exposure: Decimal
    limit: Decimal | None
    additional: Decimal
    on_hold: bool = False
    message: str = ""

    @property
    def headroom(self) -> Decimal | None:
        return None if self.limit is None else self.limit - self.exposure


def exceeds_limit(exposure: Decimal, additional: Decimal, limit: Decimal | None) -> bool:
    """Whether adding ``additional`` to ``exposure`` would pass ``limit`` (None: no limit)."""
    return limit is not None and exposure + additional > limit


# Debtor types (§6) from the payment history: how late paid invoices were paid.
DEBTOR_THRESHOLDS = (5, 30)  # average days late: ≤5 pays when due, ≤30 when reminded


def suggest_debtor_type(
    days_late_paid: Iterable[int],
    days_overdue_open: Iterable[int],
    broken_promises: int = 0,
    written_off: bool = False,
) -> str | None:
    """Suggest when_due / when_reminded / when_pressed / wont_pay, or None without history.

    Anything written off, or a debt over 180 days with promises broken, reads as
    "won't pay"; otherwise the typical delay (over paid invoices and what is
    overdue now) decides.
    """
    paid = list(days_late_paid)
    overdue = [d for d in days_overdue_open if d > 0]
    if written_off or (overdue and max(overdue) > 180 and broken_promises > 0):
        return "wont_pay"
    delays = [max(d, 0) for d in paid] + overdue
    if not delays:
        return None
    typical = sum(delays) / len(delays)
    if broken_promises >= 2 or typical > DEBTOR_THRESHOLDS[1]:
        return "when_pressed"
    if typical > DEBTOR_THRESHOLDS[0] or broken_promises:
        return "when_reminded"
    return "when_due"


@dataclass
class _PoolPayment:
    """A payment being consumed by promises: its day and what is left of it."""

    day: date
    left: Decimal


@dataclass(frozen=True)
class PromiseRow:
    id: int
    made_on: date
    due_on: date
    amount: Decimal


def settle_promises(
    promises: Sequence[PromiseRow], payments: Sequence[tuple[date, Decimal]], today: date
) -> dict[int, tuple[str, date | None]]:
    """Decide each open promise: ``kept`` (paid by its date), ``broken`` (date passed) or ``open``.

    Payments are consumed once, oldest first, by the promise due soonest that
    they can count for (received between the promise and its date).
    Returns ``{id: (status, settled_on)}``.
    """
    pool = sorted((_PoolPayment(day, amount) for day, amount in payments), key=lambda p: p.day)
    result: dict[int, tuple[str, date | None]] = {}
    for promise in sorted(promises, key=lambda p: (p.due_on, p.id)):
        need = promise.amount
        last_day: date | None = None
        taken: list[tuple[int, Decimal]] = []
        for index, payment in enumerate(pool):
            day, left = payment.day, payment.left
            if need <= 0:
                break
            if day < promise.made_on or day > promise.due_on or left <= 0:
                continue
            part = min(need, left)
            taken.append((index, part))
            need -= part
            last_day = day
        if need <= 0:
            for index, part in taken:
                pool[index].left -= part
            result[promise.id] = ("kept", last_day)
        elif today > promise.due_on:
            result[promise.id] = ("broken", promise.due_on + timedelta(days=1))
        else:
            result[promise.id] = ("open", None)
    return result


def period_start(day: date, period: str) -> date:
    """The Monday of ``day``'s week, or the first of its month."""
    if period == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


# --- cash forecast (§6) -------------------------------------------------------------

INVOICES, INSTALLMENTS, PIPELINE = "invoices", "installments", "pipeline"
CASH_SOURCES = (INVOICES, INSTALLMENTS, PIPELINE)


@dataclass
class CashBucket:
    start: date
    end: date
    invoices: Decimal = ZERO
    installments: Decimal = ZERO
    pipeline: Decimal = ZERO
    target: Decimal | None = None

    @property
    def contracted(self) -> Decimal:
        """Cash the customer already owes or has signed for."""
        return self.invoices + self.installments

    @property
    def total(self) -> Decimal:
        return self.invoices + self.installments + self.pipeline

    @property
    def coverage_pct(self) -> Decimal | None:
        if not self.target:
            return None
        return (self.total * HUNDRED / self.target).quantize(Decimal("0.1"), ROUND_HALF_UP)


def cash_bucket_starts(today: date, granularity: str, count: int) -> list[date]:
    """The first day of ``count`` weeks (Mondays) or months from the one holding ``today``."""
    first = period_start(today, granularity)
    starts = [first]
    while len(starts) < count:
        last = starts[-1]
        if granularity == "week":
            starts.append(last + timedelta(days=7))
        else:
            starts.append(date(last.year + last.month // 12, last.month % 12 + 1, 1))
    return starts


def left_to_invoice(amounts: Sequence[Decimal], invoiced: Decimal) -> list[Decimal]:
    """What is left to invoice of each line of a payment plan, the lines in plan order
    (due date, then number): the invoiced total consumes the oldest line first."""
    left = []
    for amount in amounts:
        used = min(amount, max(invoiced, ZERO))
        invoiced -= used
        left.append(amount - used)
    return left
