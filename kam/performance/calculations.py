"""Pure calculations of team performance (DOMAIN.md §1.4, §1.5, §7), over plain values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
HUNDRED = Decimal(100)
MINUTES_PER_HOUR = Decimal(60)
# A scorecard indicator far above target earns no more than this share of its weight,
# so one runaway figure cannot hide the others.
SCORE_CAP = Decimal(150)
RATING_MIN, RATING_MAX = 1, 5
LEVEL_MIN, LEVEL_MAX = 1, 3

ATTACK_STRATEGIES = frozenset({"acquire", "intrude"})
DEFEND_STRATEGIES = frozenset({"retain"})


def _q(value: Decimal, places: str = "0.1") -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def posture_for(strategy: str) -> str:
    """The scorecard posture of an account segment (§1.4).

    Acquire and intrude are attack, retain is defend; maintain, let go and
    accounts not yet segmented are weighed as maintain.
    """
    if strategy in ATTACK_STRATEGIES:
        return "attack"
    if strategy in DEFEND_STRATEGIES:
        return "defend"
    return "maintain"


def ratio_pct(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` as a percentage of ``whole``; None when there is no whole."""
    if whole <= 0:
        return None
    return _q(Decimal(part) * HUNDRED / Decimal(whole))


def growth_pct(current: Decimal, previous: Decimal) -> Decimal | None:
    """Growth over the previous period in percent; None without a previous figure."""
    if previous <= 0:
        return None
    return _q((Decimal(current) - Decimal(previous)) * HUNDRED / Decimal(previous))


def hours(minutes: int | None) -> Decimal:
    return _q(Decimal(minutes or 0) / MINUTES_PER_HOUR)


def selling_cost(minutes: int | None, expenses: Decimal, hourly_cost: Decimal) -> Decimal:
    """Cost of selling: the time of our people at their hourly cost plus expenses (§7)."""
    return _q(hours(minutes) * hourly_cost + Decimal(expenses), "0.01")


def funnel_velocity(
    open_deals: int, average_won: Decimal | None, win_rate_pct: Decimal | None, cycle_days: Decimal
) -> Decimal | None:
    """Money the funnel turns into business per day: deals × size × win rate ÷ cycle (§5, §7)."""
    if average_won is None or win_rate_pct is None or cycle_days <= 0:
        return None
    return _q(Decimal(open_deals) * average_won * win_rate_pct / HUNDRED / cycle_days, "0.01")


def average(total: Decimal, count: int) -> Decimal | None:
    if count <= 0:
        return None
    return _q(Decimal(total) / count, "0.01")


def mean(values: Sequence[Decimal]) -> Decimal | None:
    if not values:
        return None
    return _q(sum(values, ZERO) / len(values))


def cycle_days(opened_on: date, closed_on: date | None) -> int:
    """Days from a deal's creation to its close (never negative: imported history)."""
    if closed_on is None:
        return 0
    return max((closed_on - opened_on).days, 0)


def per_unit(amount: Decimal, units: Decimal) -> Decimal | None:
    """``amount`` per unit (revenue per hour); None when nothing was spent."""
    if units <= 0:
        return None
    return _q(Decimal(amount) / Decimal(units), "0.01")


def retention_pct(previous_customers: set[int], current_customers: set[int]) -> Decimal | None:
    """Share of last period's buying customers that bought again this period (§1.4)."""
    if not previous_customers:
        return None
    kept = len(previous_customers & current_customers)
    return _q(Decimal(kept) * HUNDRED / len(previous_customers))


def new_customers(previous_customers: set[int], current_customers: set[int]) -> int:
    """Customers that bought this period and not in the one before (acquired, §1.4)."""
    return len(current_customers - previous_customers)


def indicator_score(
    value: Decimal | None, target: Decimal, higher_is_better: bool
) -> Decimal | None:
    """Achievement of one indicator against its target, 0 to 150 (100 = on target).

    Lower-is-better indicators (cost of selling) earn 100 at target, more below it and
    less as the value rises above it. With a zero target, nothing is expected: a
    higher-is-better value is on target, a lower-is-better one only at zero.
    """
    if value is None:
        return None
    value, target = Decimal(value), Decimal(target)
    if target <= 0:
        score = HUNDRED if higher_is_better or value <= 0 else ZERO
    elif higher_is_better:
        score = value * HUNDRED / target
    elif value <= target:
        score = HUNDRED + (target - value) * HUNDRED / target
    else:
        score = target * HUNDRED / value
    return _q(max(ZERO, min(score, SCORE_CAP)))


@dataclass(frozen=True)
class IndicatorLine:
    key: str
    perspective: str
    value: Decimal | None
    target: Decimal
    weight: Decimal
    score: Decimal | None


def weighted_score(lines: Iterable[IndicatorLine]) -> Decimal | None:
    """The scorecard total: indicators with a figure, weighted; weights rescaled to 100.

    An indicator without data (no previous year to grow on) drops out instead of
    counting as zero, so a new rep is judged on what can be measured.
    """
    scored = [line for line in lines if line.score is not None and line.weight > 0]
    total_weight = sum((line.weight for line in scored), ZERO)
    if total_weight <= 0:
        return None
    total = sum((line.score * line.weight for line in scored), ZERO)  # type: ignore[operator]
    return _q(total / total_weight)


def skill_average(levels: Sequence[int]) -> Decimal | None:
    """Mean skill level (1-3) across the five dimensions (§7)."""
    if not levels:
        return None
    return _q(Decimal(sum(levels)) / len(levels), "0.01")


def valid_level(value: object) -> bool:
    return (
        isinstance(value, int) and not isinstance(value, bool) and LEVEL_MIN <= value <= LEVEL_MAX
    )


def valid_rating(value: object) -> bool:
    return (
        isinstance(value, int) and not isinstance(value, bool) and RATING_MIN <= value <= RATING_MAX
    )


def score_0_100(ratings: Sequence[int]) -> Decimal:
    """Ratings on the 1-5 scale as one score out of 100 (1 → 0, 5 → 100)."""
    if not ratings:
        raise ValueError("no ratings")
    mean = Decimal(sum(ratings)) / len(ratings)
    return _q((mean - RATING_MIN) * HUNDRED / (RATING_MAX - RATING_MIN))


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def loyalty_by_quarter(
    answers: Iterable[tuple[date, Decimal]],
) -> list[tuple[tuple[int, int], Decimal]]:
    """Mean loyalty score per calendar quarter with answers, oldest first (§1.5)."""
    sums: dict[tuple[int, int], list[Decimal]] = {}
    for day, score in answers:
        sums.setdefault(quarter_of(day), []).append(Decimal(score))
    return [(q, _q(sum(v, ZERO) / len(v))) for q, v in sorted(sums.items())]


def loyalty_trend(answers: Iterable[tuple[date, Decimal]]) -> tuple[Decimal, Decimal] | None:
    """(previous, latest) quarterly loyalty of an account; None with fewer than two quarters."""
    quarters = loyalty_by_quarter(answers)
    if len(quarters) < 2:
        return None
    return quarters[-2][1], quarters[-1][1]


def loyalty_falling(trend: tuple[Decimal, Decimal] | None, drop_points: Decimal) -> bool:
    """Whether loyalty fell by at least ``drop_points`` from one quarter to the next."""
    if trend is None:
        return False
    previous, latest = trend
    return previous - latest >= drop_points


@dataclass(frozen=True)
class Allocation:
    hours: Decimal
    people: int
    budget: Decimal


def planned_share(plan: Allocation, accounts_in_strategy: int) -> Allocation | None:
    """What one account of a strategy may use: the year's hours and budget split evenly
    over its accounts; people is the strategy's team size, the most one account may draw."""
    if accounts_in_strategy <= 0:
        return None
    return Allocation(
        hours=_q(plan.hours / accounts_in_strategy),
        people=plan.people,
        budget=_q(plan.budget / accounts_in_strategy, "0.01"),
    )


def overruns(used: Allocation, share: Allocation | None) -> list[str]:
    """Which resources an account used beyond its strategy's plan (§1.4, §7):
    ``hours``, ``people``, ``budget``."""
    if share is None:
        return []
    found = []
    if used.hours > share.hours:
        found.append("hours")
    if share.people and used.people > share.people:
        found.append("people")
    if used.budget > share.budget:
        found.append("budget")
    return found


@dataclass(frozen=True)
class AccountFacts:
    """What KAM's data says about one account over the scorecard's year and the one before."""

    account_id: int
    posture: str
    sales: Decimal = ZERO
    sales_before: Decimal = ZERO
    profit: Decimal = ZERO
    profit_before: Decimal = ZERO
    purchase_potential: Decimal | None = None
    activity_minutes: int = 0
    expenses: Decimal = ZERO
    outcomes: int = 0  # completed activities with an outcome recorded
    advances: int = 0  # of which the customer advanced or ordered (§3.6)
    open_deals: int = 0
    won_deals: int = 0
    won_amount: Decimal = ZERO
    lost_deals: int = 0
    cycle_days: int = 0  # summed over the won deals
    invoiced_due: Decimal = ZERO  # invoices due in the year, net of credit notes
    collected: Decimal = ZERO  # of which paid
    loyalty: Decimal | None = None  # mean loyalty score of the year's survey answers


@dataclass(frozen=True)
class ScopeFacts:
    """What belongs to the scope (a rep or a team) rather than to its accounts."""

    reps: int = 1
    bookings: Decimal = ZERO  # won this calendar year
    bookings_target: Decimal | None = None  # the forecast's target, if one is set
    skill_level: Decimal | None = None
    hourly_cost: Decimal = Decimal(300)


def indicator_values(
    accounts: Sequence[AccountFacts], scope: ScopeFacts
) -> dict[str, Decimal | None]:
    """Every scorecard indicator over a set of accounts (§1.4), from KAM's own data."""
    sales = sum((a.sales for a in accounts), ZERO)
    sales_before = sum((a.sales_before for a in accounts), ZERO)
    profit = sum((a.profit for a in accounts), ZERO)
    profit_before = sum((a.profit_before for a in accounts), ZERO)
    minutes = sum(a.activity_minutes for a in accounts)
    expenses = sum((a.expenses for a in accounts), ZERO)
    buying = {a.account_id for a in accounts if a.sales > 0}
    bought_before = {a.account_id for a in accounts if a.sales_before > 0}
    with_potential = [a for a in accounts if a.purchase_potential]
    won = sum(a.won_deals for a in accounts)
    lost = sum(a.lost_deals for a in accounts)
    won_amount = sum((a.won_amount for a in accounts), ZERO)
    loyalty = [a.loyalty for a in accounts if a.loyalty is not None]
    cost = selling_cost(minutes, expenses, scope.hourly_cost)
    cycle = Decimal(sum(a.cycle_days for a in accounts)) / won if won else ZERO
    return {
        "sales_growth": growth_pct(sales, sales_before),
        "profit_growth": growth_pct(profit, profit_before),
        "bookings_attainment": (
            ratio_pct(scope.bookings, scope.bookings_target) if scope.bookings_target else None
        ),
        "selling_cost": ratio_pct(cost, sales) if sales > 0 else None,
        "new_accounts": Decimal(new_customers(bought_before, buying)) if accounts else None,
        "retention": retention_pct(bought_before, buying),
        "share_of_wallet": ratio_pct(
            sum((a.sales for a in with_potential), ZERO),
            sum((a.purchase_potential or ZERO for a in with_potential), ZERO),
        ),
        "loyalty": _q(sum(loyalty, ZERO) / len(loyalty)) if loyalty else None,
        "advance_rate": ratio_pct(
            Decimal(sum(a.advances for a in accounts)), Decimal(sum(a.outcomes for a in accounts))
        ),
        "funnel_velocity": funnel_velocity(
            sum(a.open_deals for a in accounts),
            average(won_amount, won),
            ratio_pct(Decimal(won), Decimal(won + lost)),
            cycle,
        ),
        "collection_rate": ratio_pct(
            sum((a.collected for a in accounts), ZERO),
            sum((a.invoiced_due for a in accounts), ZERO),
        ),
        "skill_level": scope.skill_level,
    }


# Indicators that add up over people: a team's target is the per-rep target times its reps.
ADDITIVE = frozenset({"new_accounts", "funnel_velocity"})


def scope_target(key: str, target: Decimal, reps: int) -> Decimal:
    return target * max(reps, 1) if key in ADDITIVE else target


def posture_mix(scores: Mapping[str, tuple[Decimal | None, int]]) -> Decimal | None:
    """The overall score: each posture's score weighted by its number of accounts."""
    scored = [(s, n) for s, n in scores.values() if s is not None and n > 0]
    count = sum(n for _s, n in scored)
    if not count:
        return None
    return _q(sum((s * n for s, n in scored), ZERO) / count)


def cap_share_of_wallet(
    values: Mapping[str, Decimal | None],
) -> tuple[dict[str, Decimal | None], bool]:
    """The indicator values with the share of wallet capped at 100%, and whether it was.

    A customer cannot buy more from us than it buys in all, so won business above the
    summed purchase potential is a data problem, most often a potential entered too low.
    A figure like 209.30% would read as an achievement and score far above target; the
    scorecard shows 100% with a warning that the purchase potential looks too low.
    """
    share = values.get("share_of_wallet")
    if share is None or share <= HUNDRED:
        return dict(values), False
    return {**values, "share_of_wallet": HUNDRED}, True
