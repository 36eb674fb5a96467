"""Pure account calculations over plain values (DOMAIN.md §1); money is Decimal."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
ZERO = Decimal(0)


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` as a percentage of ``whole``, one decimal; None when ``whole`` is zero."""
    if not whole:
        return None
    return (part * HUNDRED / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def growth_pct(current: Decimal, previous: Decimal) -> Decimal | None:
    """Growth of purchases from the previous period to this one (§1.2 criterion 3).

    None when there was nothing before: growth from zero is not a percentage.
    """
    if previous <= 0:
        return None
    return ((current - previous) * HUNDRED / previous).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def share_of_wallet(our_sales: Decimal, purchase_potential: Decimal | None) -> Decimal | None:
    """Our share of what the customer spends on our kind of products (§1.4), 0-100."""
    if purchase_potential is None or purchase_potential <= 0:
        return None
    share = percent(max(our_sales, ZERO), purchase_potential)
    return min(share, HUNDRED) if share is not None else None


def headroom(our_sales: Decimal, purchase_potential: Decimal | None) -> Decimal | None:
    """What the customer buys elsewhere: the potential we do not yet serve (§1.2 criterion 4)."""
    if purchase_potential is None:
        return None
    return max(purchase_potential - max(our_sales, ZERO), ZERO)


def weighted_margin(contracts: Iterable[tuple[Decimal, Decimal]]) -> Decimal | None:
    """Average gross margin of signed business, weighted by amount (§1.2 criterion 2).

    ``contracts`` are (amount, margin %); None when nothing was signed.
    """
    total = weighted = ZERO
    for amount, margin_pct in contracts:
        if amount <= 0:
            continue
        total += amount
        weighted += amount * margin_pct
    if not total:
        return None
    return (weighted / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def payment_cycle_days(
    invoices: Iterable[tuple[date, date | None, Decimal]], today: date
) -> Decimal | None:
    """How long the customer takes to pay, in days, weighted by amount (§1.2 criterion 5).

    ``invoices`` are (issued on, paid on or None, amount). An invoice still unpaid
    counts the days it has been waiting so far, so a customer that does not pay
    never looks quicker than one that pays late. None without invoices.
    """
    total = weighted = ZERO
    for issued_on, paid_on, amount in invoices:
        if amount <= 0:
            continue
        days = max(((paid_on or today) - issued_on).days, 0)
        total += amount
        weighted += amount * days
    if not total:
        return None
    return (weighted / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def on_time_pct(
    invoices: Iterable[tuple[date, date | None, Decimal]], today: date
) -> Decimal | None:
    """The payment record: the share of the amount due that was paid by its due date, in %.

    ``invoices`` are (due date, paid on or None, amount) of the invoices falling due in the
    period. One not yet due and not paid is left out; one overdue and unpaid counts as late.
    None without an invoice fallen due.
    """
    due = on_time = ZERO
    for due_date, paid_on, amount in invoices:
        if amount <= 0 or (paid_on is None and due_date >= today):
            continue
        due += amount
        if paid_on is not None and paid_on <= due_date:
            on_time += amount
    if not due:
        return None
    return (on_time * HUNDRED / due).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


#: A credit standing as a score of criterion 5 (§1.2): good, fair, poor.
CREDIT_STANDING_SCORES = {"good": HUNDRED, "fair": Decimal(50), "poor": ZERO}


@dataclass(frozen=True)
class PaymentParts:
    """Criterion 5 of §1.2, "credit standing and payment cycle", in its three parts.

    The criterion scores the mean of the parts known: the payment cycle on the company's
    scale, the payment record (the share paid on time, in % as a score) and the credit
    standing (good 100, fair 50, poor 0). A part unknown is left out; none known: no score.
    """

    cycle_score: Decimal | None = None
    on_time_pct: Decimal | None = None
    on_time_computed: bool = False
    credit_standing: str = ""
    credit_computed: bool = False

    @property
    def standing_score(self) -> Decimal | None:
        return CREDIT_STANDING_SCORES.get(self.credit_standing)

    @property
    def score(self) -> Decimal | None:
        known = [
            part
            for part in (self.cycle_score, self.on_time_pct, self.standing_score)
            if part is not None
        ]
        if not known:
            return None
        return (sum(known, ZERO) / len(known)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def criterion_score(value: Decimal | None, zero_at: Decimal, full_at: Decimal) -> Decimal | None:
    """Score 0-100 of one measured value on the company's scale.

    The value scores 0 at ``zero_at`` and 100 at ``full_at``, linearly between,
    clamped outside; ``zero_at`` above ``full_at`` means lower is better.
    None when the value is unknown.
    """
    if value is None:
        return None
    if zero_at == full_at:
        return HUNDRED if value >= full_at else ZERO
    fraction = (Decimal(value) - zero_at) / (full_at - zero_at)
    fraction = min(max(fraction, ZERO), Decimal(1))
    return (fraction * HUNDRED).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


#: The key of criterion 5, "credit standing and payment cycle" (§1.2).
PAYMENT = "payment"


@dataclass(frozen=True)
class Criterion:
    key: str
    weight: Decimal
    zero_at: Decimal
    full_at: Decimal


@dataclass(frozen=True)
class ScoreLine:
    """One row of the breakdown: the value, where it came from, its score and weight."""

    key: str
    value: Decimal | None
    computed: bool  # from the data (won business) rather than entered by hand
    score: Decimal | None
    weight: Decimal
    points: Decimal  # weighted contribution to the total


@dataclass(frozen=True)
class Qualification:
    total: Decimal
    lines: tuple[ScoreLine, ...]

    @property
    def missing(self) -> list[str]:
        return [line.key for line in self.lines if line.value is None and line.score is None]


def qualify(
    values: dict[str, tuple[Decimal | None, bool]],
    criteria: Sequence[Criterion],
    payment: PaymentParts | None = None,
) -> Qualification:
    """The key-account score (§1.2): weighted mean of the criterion scores, 0-100.

    ``values`` maps a criterion key to (value, computed-from-data). A criterion
    without a value scores 0: an unknown customer is not a key account until
    someone knows it. ``payment`` adds the credit standing and the payment record to
    criterion 5 (key ``payment``), whose value stays the payment cycle in days.
    """
    total_weight = sum((c.weight for c in criteria), ZERO)
    lines = []
    total = ZERO
    for criterion in criteria:
        value, computed = values.get(criterion.key, (None, False))
        score = criterion_score(value, criterion.zero_at, criterion.full_at)
        if criterion.key == PAYMENT and payment is not None:
            score = replace(payment, cycle_score=score).score
        points = (
            (score or ZERO) * criterion.weight / total_weight if total_weight else ZERO
        ).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        total += (score or ZERO) * criterion.weight / total_weight if total_weight else ZERO
        lines.append(ScoreLine(criterion.key, value, computed, score, criterion.weight, points))
    return Qualification(
        total=total.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), lines=tuple(lines)
    )


def tier_for(score: Decimal, key_min: Decimal, important_min: Decimal) -> str:
    """The value-pyramid tier a score earns (§1.3)."""
    if score >= key_min:
        return "key"
    if score >= important_min:
        return "important"
    return "general"


def strategy_for(
    purchase_potential: Decimal | None,
    share_pct: Decimal | None,
    *,
    high_potential_from: Decimal,
    high_share_from_pct: Decimal,
    intrude_below_pct: Decimal,
) -> str | None:
    """The attack / defend quadrant of an account (§1.4); None until the potential is known.

    High potential: retain where our share is high, intrude where a competitor
    holds nearly all of it, acquire in between. Low potential: maintain where
    our share is high, let go otherwise.
    """
    if purchase_potential is None or share_pct is None:
        return None
    if purchase_potential >= high_potential_from:
        if share_pct >= high_share_from_pct:
            return "retain"
        if share_pct < intrude_below_pct:
            return "intrude"
        return "acquire"
    if share_pct >= high_share_from_pct:
        return "maintain"
    return "let_go"


@dataclass(frozen=True)
class TotalValue:
    """Customer total value over a period and its parts (§1.3)."""

    profit_contribution: Decimal
    cost_to_serve: Decimal
    intangible: Decimal

    @property
    def total(self) -> Decimal:
        return self.profit_contribution - self.cost_to_serve + self.intangible


def total_value(
    *,
    profit_contribution: Decimal,
    cost_of_sales: Decimal,
    cost_of_service: Decimal,
    cost_of_relationship: Decimal,
    learning_value: Decimal,
    skill_value: Decimal,
    referral_value: Decimal,
) -> TotalValue:
    """Profit contribution − cost of sales, service and upkeep + intangible value (§1.3)."""
    return TotalValue(
        profit_contribution=profit_contribution,
        cost_to_serve=cost_of_sales + cost_of_service + cost_of_relationship,
        intangible=learning_value + skill_value + referral_value,
    )


def profit_from_margin(revenue: Decimal, margin_pct: Decimal | None) -> Decimal | None:
    """Profit contribution of sales at an average margin; None without a margin."""
    if margin_pct is None:
        return None
    return (revenue * margin_pct / HUNDRED).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def profit_cents_from_margin(cents: int, margin_hundredths: int) -> int:
    """:func:`profit_from_margin` in whole numbers: sales in cents at a margin in hundredths
    of a percent give the profit in cents, rounded half away from zero as it rounds."""
    product = cents * margin_hundredths  # in ten-thousandths of a cent
    whole, rest = divmod(abs(product), 10_000)
    if rest * 2 >= 10_000:
        whole += 1
    return whole if product >= 0 else -whole


def priority_for(attractiveness: int, probability: int) -> str:
    """The priority matrix (§1.5): attractiveness × probability of success, each 1-5.

    Attractive and likely: act now. Attractive but not likely yet: wait for the
    moment. Not attractive: drop.
    """
    if attractiveness >= 3:
        return "act_now" if probability >= 3 else "wait"
    return "drop"


#: Why a key account's plan needs attention (§1.5: every key account has a current,
#: reviewed plan).
NO_PLAN = "no_plan"
NOT_APPROVED = "not_approved"
REVIEW_OVERDUE = "review_overdue"


def plan_warning(
    *,
    is_key: bool,
    has_plan: bool,
    approved_on: date | None,
    today: date,
    review_days: int,
) -> str | None:
    """What is wrong with a key account's plan for the current year, if anything.

    No plan for the year; a plan never approved; or a plan last approved more than
    ``review_days`` ago (a re-submitted plan keeps its last approval until the next).
    Other tiers need no plan.
    """
    if not is_key:
        return None
    if not has_plan:
        return NO_PLAN
    if approved_on is None:
        return NOT_APPROVED
    if (today - approved_on).days > review_days:
        return REVIEW_OVERDUE
    return None


@dataclass(frozen=True)
class ResourceUse:
    """A plan's allocated resources beside what its account's activities spent (§1.4),
    and the expected return on each (§1.5: invest by opportunity and expected return)."""

    allocated_hours: Decimal
    spent_hours: Decimal
    allocated_people: int
    spent_people: int
    allocated_budget: Decimal
    spent_budget: Decimal
    expected_return: Decimal
    return_per_allocated: Decimal | None  # expected return per yuan allocated
    return_per_spent: Decimal | None  # expected return per yuan spent
    budget_used_pct: Decimal | None


def resource_use(
    *,
    allocated_hours: Decimal,
    allocated_people: int,
    allocated_budget: Decimal,
    spent_minutes: int,
    spent_people: int,
    spent_budget: Decimal,
    expected_return: Decimal,
) -> ResourceUse:
    """Allocated against spent, and the expected return per yuan of each (two places);
    None where nothing was allocated or spent."""

    def per(amount: Decimal) -> Decimal | None:
        if amount <= 0:
            return None
        return (expected_return / amount).quantize(Decimal("0.01"))

    return ResourceUse(
        allocated_hours=allocated_hours,
        spent_hours=(Decimal(spent_minutes) / 60).quantize(Decimal("0.1")),
        allocated_people=allocated_people,
        spent_people=spent_people,
        allocated_budget=allocated_budget,
        spent_budget=spent_budget,
        expected_return=expected_return,
        return_per_allocated=per(allocated_budget),
        return_per_spent=per(spent_budget),
        budget_used_pct=percent(spent_budget, allocated_budget),
    )


@dataclass(frozen=True)
class ParetoShape:
    """How concentrated revenue is (§1.3: 80% of customers give under 20% of sales)."""

    accounts: int
    top_count: int  # the top 20% of accounts by revenue
    top_share_pct: Decimal | None  # their share of revenue
    rest_share_pct: Decimal | None  # the other 80%'s share


def pareto(revenues: Iterable[Decimal | int]) -> ParetoShape:
    """How much of the revenue the top fifth of the accounts brings (§1.3); the revenues
    in any one unit (yuan, or whole cents), a loss counting as nothing."""
    ordered = sorted(revenues, reverse=True)
    n = len(ordered)
    top_count = (n + 4) // 5  # at least one account once there is any
    total = Decimal(sum(r for r in ordered if r > 0))
    top = Decimal(sum(r for r in ordered[:top_count] if r > 0))
    top_share = percent(top, total)
    rest_share = HUNDRED - top_share if top_share is not None else None
    return ParetoShape(n, top_count, top_share, rest_share)


def year_window(today: date) -> tuple[date, date, date, date]:
    """The last 12 months up to ``today`` and the 12 months before: (start, end,
    previous start, previous end), every day in exactly one of the two."""
    start = today - timedelta(days=364)
    return start, today, start - timedelta(days=365), start - timedelta(days=1)
