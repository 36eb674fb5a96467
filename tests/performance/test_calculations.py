"""The pure rules of team performance (DOMAIN.md §1.4, §1.5, §7), without a database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kam.performance import calculations as calc
from kam.performance.calculations import AccountFacts, Allocation, IndicatorLine, ScopeFacts

D = Decimal


@pytest.mark.parametrize(
    ("strategy", "posture"),
    [
        ("acquire", "attack"),
        ("intrude", "attack"),
        ("retain", "defend"),
        ("maintain", "maintain"),
        ("let_go", "maintain"),
        ("", "maintain"),
    ],
)
def test_segments_map_to_attack_defend_or_maintain(strategy, posture):
    assert calc.posture_for(strategy) == posture


def test_growth_needs_a_previous_period():
    assert calc.growth_pct(D(120), D(100)) == D("20.0")
    assert calc.growth_pct(D(80), D(100)) == D("-20.0")
    assert calc.growth_pct(D(80), D(0)) is None


def test_selling_cost_is_time_at_the_hourly_cost_plus_expenses():
    assert calc.selling_cost(90, D("250.50"), D(300)) == D("700.50")
    assert calc.selling_cost(None, D(0), D(300)) == D("0.00")


def test_funnel_velocity_is_deals_times_size_times_win_rate_over_cycle():
    # 10 open deals × 100,000 × 25% ÷ 50 days = 5,000 a day
    assert calc.funnel_velocity(10, D(100000), D(25), D(50)) == D("5000.00")
    assert calc.funnel_velocity(10, None, D(25), D(50)) is None
    assert calc.funnel_velocity(10, D(100000), D(25), D(0)) is None


def test_retention_and_new_customers():
    before, now = {1, 2, 3, 4}, {2, 3, 4, 9}
    assert calc.retention_pct(before, now) == D("75.0")
    assert calc.new_customers(before, now) == 1
    assert calc.retention_pct(set(), now) is None


def test_an_indicator_on_target_scores_100_and_is_capped_above():
    assert calc.indicator_score(D(15), D(15), True) == D(100)
    assert calc.indicator_score(D("7.5"), D(15), True) == D(50)
    assert calc.indicator_score(D(90), D(15), True) == calc.SCORE_CAP
    assert calc.indicator_score(D(-10), D(15), True) == D(0)
    assert calc.indicator_score(None, D(15), True) is None


def test_lower_is_better_scores_above_100_under_target_and_falls_above():
    assert calc.indicator_score(D(8), D(8), False) == D(100)
    assert calc.indicator_score(D(4), D(8), False) == D(150)
    assert calc.indicator_score(D(16), D(8), False) == D(50)


def test_a_zero_target_expects_nothing():
    assert calc.indicator_score(D(3), D(0), True) == D(100)
    assert calc.indicator_score(D(0), D(0), False) == D(100)
    assert calc.indicator_score(D(1), D(0), False) == D(0)


@given(
    st.decimals(min_value=-1000, max_value=10**9, places=2),
    st.decimals(min_value=0, max_value=10**6, places=2),
    st.booleans(),
)
def test_an_indicator_score_always_lies_between_0_and_the_cap(value, target, higher):
    score = calc.indicator_score(value, target, higher)
    assert score is not None and D(0) <= score <= calc.SCORE_CAP


def line(score, weight):
    return IndicatorLine(
        "k", "financial", D(1), D(1), D(weight), None if score is None else D(score)
    )


def test_the_weighted_score_rescales_weights_over_indicators_with_data():
    # The indicator without data drops out: (100×30 + 50×10) / 40
    assert calc.weighted_score([line(100, 30), line(50, 10), line(None, 60)]) == D("87.5")
    assert calc.weighted_score([line(None, 60), line(80, 0)]) is None


def test_the_overall_score_weighs_postures_by_their_accounts():
    mix = {"attack": (D(120), 1), "defend": (D(60), 3), "maintain": (None, 5)}
    assert calc.posture_mix(mix) == D(75)
    assert calc.posture_mix({"attack": (None, 2)}) is None


def test_survey_scores_run_from_0_for_all_ones_to_100_for_all_fives():
    assert calc.score_0_100([1, 1, 1]) == D(0)
    assert calc.score_0_100([5, 5]) == D(100)
    assert calc.score_0_100([3, 4]) == D("62.5")
    with pytest.raises(ValueError):
        calc.score_0_100([])


@pytest.mark.parametrize(
    ("value", "ok"),
    [(1, True), (5, True), (0, False), (6, False), ("3", False), (True, False), (None, False)],
)
def test_a_rating_is_a_whole_number_from_1_to_5(value, ok):
    assert calc.valid_rating(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"), [(1, True), (3, True), (0, False), (4, False), (2.0, False)]
)
def test_a_skill_level_is_1_2_or_3(value, ok):
    assert calc.valid_level(value) is ok


def test_skill_average_over_the_five_dimensions():
    assert calc.skill_average([1, 2, 3, 3, 3]) == D("2.40")
    assert calc.skill_average([]) is None


def test_loyalty_is_averaged_per_quarter_and_compared_with_the_quarter_before():
    answers = [
        (date(2026, 4, 3), D(80)),
        (date(2026, 5, 20), D(70)),
        (date(2026, 10, 2), D(50)),
    ]
    assert calc.loyalty_by_quarter(answers) == [((2026, 2), D(75)), ((2026, 4), D(50))]
    trend = calc.loyalty_trend(answers)
    assert trend == (D(75), D(50))
    assert calc.loyalty_falling(trend, D(10))
    assert not calc.loyalty_falling(trend, D(30))
    assert calc.loyalty_trend(answers[:2]) is None
    assert not calc.loyalty_falling(None, D(1))


def test_rising_loyalty_is_not_falling():
    trend = calc.loyalty_trend([(date(2026, 1, 5), D(40)), (date(2026, 4, 5), D(90))])
    assert trend == (D(40), D(90)) and not calc.loyalty_falling(trend, D(10))


def test_an_accounts_share_of_a_strategys_plan_and_its_overruns():
    share = calc.planned_share(Allocation(D(300), 4, D(90000)), 3)
    assert share == Allocation(D(100), 4, D(30000))
    assert calc.overruns(Allocation(D(100), 4, D(30000)), share) == []
    assert calc.overruns(Allocation(D("100.5"), 5, D("30000.01")), share) == [
        "hours",
        "people",
        "budget",
    ]
    assert calc.planned_share(Allocation(D(300), 4, D(90000)), 0) is None
    assert calc.overruns(Allocation(D(999), 99, D(999)), None) == []


def test_indicators_from_account_facts():
    facts = [
        AccountFacts(
            account_id=1,
            posture="attack",
            sales=D(120000),
            sales_before=D(100000),
            profit=D(24000),
            profit_before=D(30000),
            purchase_potential=D(400000),
            activity_minutes=600,
            expenses=D(3000),
            outcomes=4,
            advances=3,
            open_deals=2,
            won_deals=2,
            won_amount=D(120000),
            lost_deals=2,
            cycle_days=120,
            invoiced_due=D(100000),
            collected=D(90000),
            loyalty=D(80),
        ),
        AccountFacts(account_id=2, posture="attack", sales=D(30000), purchase_potential=None),
        AccountFacts(account_id=3, posture="attack", sales_before=D(50000)),
    ]
    scope = ScopeFacts(reps=1, bookings=D(150000), bookings_target=D(300000), skill_level=D("2.2"))
    values = calc.indicator_values(facts, scope)
    assert values["sales_growth"] == D("0.0")  # 150,000 against 150,000
    assert values["profit_growth"] == D("-20.0")
    assert values["bookings_attainment"] == D("50.0")
    # 10 h × 300 + 3,000 = 6,000 on 150,000 of sales
    assert values["selling_cost"] == D("4.0")
    assert values["new_accounts"] == D(1)  # account 2 bought for the first time
    assert values["retention"] == D("50.0")  # of 1 and 3, only 1 bought again
    assert values["share_of_wallet"] == D("30.0")  # only account 1 has a potential
    assert values["loyalty"] == D("80.0")
    assert values["advance_rate"] == D("75.0")
    # 2 open × 60,000 × 50% ÷ 60 days
    assert values["funnel_velocity"] == D("1000.00")
    assert values["collection_rate"] == D("90.0")
    assert values["skill_level"] == D("2.2")


def test_no_accounts_no_figures():
    values = calc.indicator_values([], ScopeFacts())
    assert all(v is None for k, v in values.items() if k != "skill_level")


def test_team_targets_for_additive_indicators_grow_with_the_team():
    assert calc.scope_target("new_accounts", D(2), 5) == D(10)
    assert calc.scope_target("retention", D(90), 5) == D(90)
