"""The pure account calculations (DOMAIN.md §1), without a database."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from kam.accounts import calculations as calc

D = Decimal

SEVEN = [
    calc.Criterion("sales_volume", D(25), D(0), D(5000000)),
    calc.Criterion("margin", D(15), D(0), D(30)),
    calc.Criterion("growth", D(15), D(-20), D(30)),
    calc.Criterion("potential", D(15), D(0), D(10000000)),
    calc.Criterion("payment", D(10), D(180), D(30)),
    calc.Criterion("goal_access", D(10), D(0), D(5)),
    calc.Criterion("openness", D(10), D(0), D(5)),
]

money = st.decimals(
    min_value=D("-1000000000"), max_value=D("1000000000"), places=2, allow_nan=False
)
weights = st.decimals(min_value=D(0), max_value=D(100), places=2)


# --- criterion scores and the seven-criteria total (§1.2) ----------------------------


def test_a_criterion_scores_linearly_between_its_zero_and_full_marks():
    assert calc.criterion_score(D(0), D(0), D(30)) == D(0)
    assert calc.criterion_score(D(15), D(0), D(30)) == D("50.0")
    assert calc.criterion_score(D(30), D(0), D(30)) == D(100)
    assert calc.criterion_score(D(45), D(0), D(30)) == D(100)  # clamped above
    assert calc.criterion_score(D(-5), D(0), D(30)) == D(0)  # clamped below


def test_lower_is_better_when_zero_mark_lies_above_full_mark():
    # payment cycle: 180 days scores 0, 30 days scores 100
    assert calc.criterion_score(D(30), D(180), D(30)) == D(100)
    assert calc.criterion_score(D(105), D(180), D(30)) == D("50.0")
    assert calc.criterion_score(D(365), D(180), D(30)) == D(0)


def test_an_unknown_value_has_no_score():
    assert calc.criterion_score(None, D(0), D(30)) is None


def test_total_is_the_weighted_mean_with_a_breakdown_per_criterion():
    values = {
        "sales_volume": (D(5000000), True),  # 100 × 25
        "margin": (D(15), False),  # 50 × 15
        "growth": (D(30), True),  # 100 × 15
        "potential": (D(0), False),  # 0 × 15
        "payment": (D(30), False),  # 100 × 10
        "goal_access": (D(5), False),  # 100 × 10
        "openness": (None, False),  # unknown: 0 × 10
    }
    result = calc.qualify(values, SEVEN)
    assert result.total == D("67.5")  # 25 + 7.5 + 15 + 0 + 10 + 10 + 0
    assert [line.key for line in result.lines] == [c.key for c in SEVEN]
    by_key = {line.key: line for line in result.lines}
    assert by_key["sales_volume"].computed is True and by_key["sales_volume"].points == D(25)
    assert by_key["margin"].computed is False and by_key["margin"].score == D(50)
    assert by_key["margin"].points == D("7.5")
    assert by_key["openness"].score is None and by_key["openness"].points == D(0)
    assert result.missing == ["openness"]


def test_weights_are_relative_so_doubling_them_changes_nothing():
    values = {"sales_volume": (D(2500000), True), "margin": (D(30), False)}
    doubled = [calc.Criterion(c.key, c.weight * 2, c.zero_at, c.full_at) for c in SEVEN]
    assert calc.qualify(values, SEVEN).total == calc.qualify(values, doubled).total


def test_all_weights_zero_scores_zero_instead_of_dividing_by_zero():
    zero = [calc.Criterion(c.key, D(0), c.zero_at, c.full_at) for c in SEVEN]
    assert calc.qualify({"margin": (D(30), False)}, zero).total == D(0)


@given(
    values=st.lists(st.one_of(st.none(), money), min_size=7, max_size=7),
    weight_list=st.lists(weights, min_size=7, max_size=7),
)
def test_the_score_always_lies_between_0_and_100(values, weight_list):
    criteria = [
        calc.Criterion(c.key, w, c.zero_at, c.full_at)
        for c, w in zip(SEVEN, weight_list, strict=True)
    ]
    result = calc.qualify({c.key: (v, False) for c, v in zip(SEVEN, values, strict=True)}, criteria)
    assert D(0) <= result.total <= D(100)
    for line in result.lines:
        assert line.score is None or D(0) <= line.score <= D(100)


@given(value=money, zero_at=money, full_at=money)
def test_a_criterion_score_is_within_0_and_100(value, zero_at, full_at):
    score = calc.criterion_score(value, zero_at, full_at)
    assert score is not None and D(0) <= score <= D(100)


@given(low=money, high=money)
def test_a_better_value_never_scores_less(low, high):
    low, high = min(low, high), max(low, high)
    for c in SEVEN:
        a = calc.criterion_score(low, c.zero_at, c.full_at)
        b = calc.criterion_score(high, c.zero_at, c.full_at)
        if c.zero_at < c.full_at:
            assert a <= b
        else:
            assert a >= b


# --- tiers (§1.3) ------------------------------------------------------------------


def test_tier_thresholds_are_inclusive():
    assert calc.tier_for(D(70), D(70), D(45)) == "key"
    assert calc.tier_for(D("69.9"), D(70), D(45)) == "important"
    assert calc.tier_for(D(45), D(70), D(45)) == "important"
    assert calc.tier_for(D("44.9"), D(70), D(45)) == "general"


@given(a=st.decimals(0, 100, places=1), b=st.decimals(0, 100, places=1))
def test_a_higher_score_never_earns_a_lower_tier(a, b):
    rank = {"general": 0, "important": 1, "key": 2}
    low, high = min(a, b), max(a, b)
    assert rank[calc.tier_for(low, D(70), D(45))] <= rank[calc.tier_for(high, D(70), D(45))]


# --- attack / defend (§1.4) ----------------------------------------------------------

RULES = {
    "high_potential_from": D(3000000),
    "high_share_from_pct": D(40),
    "intrude_below_pct": D(10),
}


def test_each_quadrant_has_its_strategy():
    high, low = D(5000000), D(1000000)
    assert calc.strategy_for(high, D(60), **RULES) == "retain"
    assert calc.strategy_for(high, D(20), **RULES) == "acquire"
    assert calc.strategy_for(high, D(5), **RULES) == "intrude"
    assert calc.strategy_for(low, D(60), **RULES) == "maintain"
    assert calc.strategy_for(low, D(5), **RULES) == "let_go"
    assert calc.strategy_for(low, D(20), **RULES) == "let_go"


def test_the_boundaries_belong_to_the_higher_side():
    assert calc.strategy_for(D(3000000), D(40), **RULES) == "retain"
    assert calc.strategy_for(D(3000000), D(10), **RULES) == "acquire"
    assert calc.strategy_for(D(2999999), D(40), **RULES) == "maintain"


def test_no_segment_until_the_potential_is_known():
    assert calc.strategy_for(None, None, **RULES) is None
    assert calc.strategy_for(D(5000000), None, **RULES) is None


def test_share_of_wallet_is_capped_at_100_and_unknown_without_potential():
    assert calc.share_of_wallet(D(250), D(1000)) == D("25.0")
    assert calc.share_of_wallet(D(2000), D(1000)) == D(100)
    assert calc.share_of_wallet(D(-5), D(1000)) == D(0)
    assert calc.share_of_wallet(D(5), None) is None
    assert calc.share_of_wallet(D(5), D(0)) is None


@given(sales=money, potential=st.one_of(st.none(), money))
def test_share_is_a_percentage_and_headroom_never_negative(sales, potential):
    share = calc.share_of_wallet(sales, potential)
    assert share is None or D(0) <= share <= D(100)
    room = calc.headroom(sales, potential)
    assert room is None or room >= 0


def test_growth_from_nothing_is_not_a_percentage():
    assert calc.growth_pct(D(150), D(100)) == D("50.0")
    assert calc.growth_pct(D(50), D(100)) == D("-50.0")
    assert calc.growth_pct(D(50), D(0)) is None


# --- customer total value (§1.3) -------------------------------------------------------


def test_total_value_is_profit_minus_cost_to_serve_plus_intangibles():
    value = calc.total_value(
        profit_contribution=D(1000),
        cost_of_sales=D(100),
        cost_of_service=D(50),
        cost_of_relationship=D(25),
        learning_value=D(10),
        skill_value=D(20),
        referral_value=D(30),
    )
    assert value.cost_to_serve == D(175)
    assert value.intangible == D(60)
    assert value.total == D(885)


@given(parts=st.lists(money, min_size=7, max_size=7))
def test_total_value_parts_always_add_up(parts):
    p, cs, csv, cr, lv, sv, rv = parts
    value = calc.total_value(
        profit_contribution=p,
        cost_of_sales=cs,
        cost_of_service=csv,
        cost_of_relationship=cr,
        learning_value=lv,
        skill_value=sv,
        referral_value=rv,
    )
    assert value.total == p - (cs + csv + cr) + (lv + sv + rv)


def test_profit_from_margin():
    assert calc.profit_from_margin(D(1000000), D("12.5")) == D("125000.00")
    assert calc.profit_from_margin(D(1000000), None) is None


# --- priorities (§1.5) and the 80/20 shape (§1.3) ----------------------------------------


def test_priority_matrix():
    assert calc.priority_for(5, 5) == "act_now"
    assert calc.priority_for(3, 3) == "act_now"
    assert calc.priority_for(4, 2) == "wait"
    assert calc.priority_for(2, 5) == "drop"


def test_pareto_finds_the_top_fifth_and_its_share():
    shape = calc.pareto([D(800), *[D(25)] * 8, D(0)])
    assert shape.accounts == 10 and shape.top_count == 2
    assert shape.top_share_pct == D("82.5") and shape.rest_share_pct == D("17.5")


def test_pareto_of_nothing():
    shape = calc.pareto([])
    assert shape.accounts == 0 and shape.top_share_pct is None and shape.rest_share_pct is None


@given(st.lists(money, min_size=1, max_size=40))
def test_pareto_shares_add_up_to_100(revenues):
    shape = calc.pareto(revenues)
    assert 1 <= shape.top_count <= shape.accounts
    if shape.top_share_pct is not None:
        assert shape.top_share_pct + shape.rest_share_pct == D(100)
        assert shape.top_share_pct >= D(20) - D("0.1")  # the top fifth holds at least its share


@given(st.lists(money, max_size=40))
def test_pareto_is_the_same_in_cents_as_in_yuan(revenues):
    in_cents = [int(r * 100) for r in revenues]
    assert calc.pareto(in_cents) == calc.pareto(revenues)


@given(
    st.integers(min_value=-(10**13), max_value=10**13),
    st.integers(min_value=-10_000, max_value=10_000),
)
def test_profit_in_cents_is_profit_from_margin_to_the_cent(cents, margin_hundredths):
    in_yuan = calc.profit_from_margin(D(cents) / 100, D(margin_hundredths) / 100)
    assert D(calc.profit_cents_from_margin(cents, margin_hundredths)) / 100 == in_yuan


# --- margin and payment cycle from receivables (§1.2 criteria 2 and 5) -----------------------


def test_margin_is_weighted_by_the_amount_signed():
    assert calc.weighted_margin([(D(900), D(10)), (D(100), D(50))]) == D("14.0")
    assert calc.weighted_margin([]) is None


def test_payment_cycle_counts_unpaid_invoices_up_to_today():
    from datetime import date

    today = date(2026, 6, 30)
    paid = (date(2026, 1, 1), date(2026, 1, 31), D(100))  # 30 days
    unpaid = (date(2026, 3, 2), None, D(100))  # 120 days so far
    assert calc.payment_cycle_days([paid], today) == D(30)
    assert calc.payment_cycle_days([paid, unpaid], today) == D(75)
    assert calc.payment_cycle_days([], today) is None


@given(
    st.lists(st.tuples(st.decimals(0, 10**9, places=2), st.decimals(0, 100, places=2)), max_size=20)
)
def test_a_weighted_margin_stays_a_percentage(contracts):
    margin = calc.weighted_margin(contracts)
    assert margin is None or D(0) <= margin <= D(100)
