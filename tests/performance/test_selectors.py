"""Figures computed from KAM's own data: the scorecard, resource efficiency, loyalty, and
the survey as a source for the key-account qualification and the red flags."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kam.accounts import selectors as account_selectors
from kam.accounts.models import Strategy, StrategyAllocation, Tier
from kam.activities.models import ActivityStatus, Outcome
from kam.forecasting.models import Metric, Target
from kam.performance import selectors
from kam.pipeline.models import Status
from kam.stakeholders.red_flags import red_flags_for, red_flags_for_opportunities
from tests.factories import AccountFactory, ActivityFactory, OpportunityFactory
from tests.performance.factories import answered, loyalty
from tests.receivables.factories import contract_for, payment_for

pytestmark = pytest.mark.django_db

D = Decimal


def today():
    return timezone.localdate()


def won(account, amount, days_ago, opened_days_before=30):
    deal = OpportunityFactory(
        account=account,
        amount=D(amount),
        status=Status.WON,
        closed_on=today() - timedelta(days_ago),
    )
    type(deal).objects.filter(pk=deal.pk).update(
        created_at=timezone.now() - timedelta(days=days_ago + opened_days_before)
    )
    return deal


def visit(account, *, minutes=60, expenses="0", outcome=Outcome.ADVANCE, days_ago=10, **kw):
    return ActivityFactory(
        account=account,
        status=ActivityStatus.DONE,
        starts_at=timezone.now() - timedelta(days=days_ago),
        duration_minutes=minutes,
        expenses=D(expenses),
        outcome=outcome,
        **kw,
    )


def row(card, key):
    return next(r for r in card.rows if r.indicator.key == key)


# --- the balanced scorecard ----------------------------------------------------------


def test_a_reps_scorecard_is_computed_from_deals_activities_and_targets(org):
    attack = AccountFactory(owner=org.rep, segment=Strategy.ACQUIRE, purchase_potential=D(1000000))
    defend = AccountFactory(owner=org.rep, segment=Strategy.RETAIN)
    won(attack, "200000", days_ago=20)
    won(attack, "100000", days_ago=400)
    won(defend, "50000", days_ago=30)
    won(defend, "50000", days_ago=380)
    visit(attack, minutes=600, expenses="3000")
    visit(attack, outcome=Outcome.CONTINUATION)
    OpportunityFactory(account=attack)  # open
    Target.objects.create(
        metric=Metric.BOOKINGS,
        period_kind="year",
        period_start=date(today().year, 1, 1),
        user=org.rep,
        amount=D(1000000),
    )
    card = selectors.scorecard(selectors.rep_scope(org.rep))
    growth = row(card, "sales_growth")
    assert growth.by_posture["attack"].value == D("100.0")  # 200,000 against 100,000
    assert growth.by_posture["defend"].value == D("0.0")
    assert growth.overall == D("66.7")  # 250,000 against 150,000
    assert growth.by_posture["attack"].score == D(150)  # capped
    assert row(card, "share_of_wallet").by_posture["attack"].value == D("20.0")
    # 11 hours × 300 + 3,000 = 6,300 on 200,000
    assert row(card, "selling_cost").by_posture["attack"].value == D("3.2")
    assert row(card, "advance_rate").by_posture["attack"].value == D("50.0")
    assert row(card, "retention").overall == D("100.0")
    assert card.accounts == {"attack": 1, "defend": 1, "maintain": 0}
    assert row(card, "sales_growth").by_posture["maintain"].value is None
    assert card.bookings_target == D(1000000)
    assert card.totals["attack"] is not None and card.overall is not None
    # Attack weighs sales growth more than defend does (seeded weights, §1.4).
    assert growth.by_posture["attack"].weight > growth.by_posture["defend"].weight


def test_the_team_scorecard_covers_the_subtree_and_directors_see_the_company(org):
    AccountFactory(owner=org.rep, segment=Strategy.RETAIN)
    AccountFactory(owner=org.north_rep, segment=Strategy.RETAIN)
    east = selectors.team_scopes(org.east_manager)
    assert east[0].label == "华东大区"
    assert set(east[0].rep_ids) >= {org.rep.pk, org.rep2.pk}
    assert org.north_rep.pk not in east[0].rep_ids
    assert selectors.team_scopes(org.rep) == []
    assert selectors.team_scopes(org.director)[0].key == "company"
    card = selectors.scorecard(east[0])
    assert card.accounts["defend"] == 1


def test_the_scorecard_costs_the_same_queries_for_few_or_many_accounts(
    org, django_assert_max_num_queries
):
    def build(n):
        for _ in range(n):
            account = AccountFactory(owner=org.rep, segment=Strategy.ACQUIRE)
            won(account, "1000", days_ago=5)
            visit(account)

    build(2)
    scope = selectors.rep_scope(org.rep)
    with django_assert_max_num_queries(20):
        selectors.scorecard(scope)
    build(10)
    with django_assert_max_num_queries(20):
        card = selectors.scorecard(scope)
    assert card.accounts["attack"] == 12


# --- sales resource efficiency -------------------------------------------------------


def test_efficiency_counts_time_people_and_money_against_what_the_account_brought(org):
    account = AccountFactory(owner=org.rep, segment=Strategy.RETAIN)
    AccountFactory(owner=org.rep, segment=Strategy.RETAIN)  # a second retain account
    StrategyAllocation.objects.create(
        year=today().year,
        strategy=Strategy.RETAIN,
        planned_hours=D(2),
        planned_people=1,
        planned_budget=D(1000),
    )
    activity = visit(account, minutes=120, expenses="800", days_ago=0)
    activity.staff.add(org.rep2)
    contract = contract_for(account, org.finance, amount="50000", margin="30", signed_on=today())
    payment_for(account, org.finance, "20000", received_on=today())
    won(account, "50000", days_ago=0)
    rows = {r.account: r for r in selectors.efficiency(org.rep)}
    mine = rows[account]
    assert mine.hours == D("2.0") and mine.people == 2 and mine.expenses == D(800)
    assert mine.cost == D("1400.00")
    assert mine.revenue == D(50000) and mine.margin == D("15000.00")
    assert mine.collections == D(20000)
    assert mine.revenue_per_hour == D("25000.00")
    # the plan for retain split over its two accounts: 1 hour, 1 person, 500 of money each
    assert mine.overruns == ["hours", "people", "budget"]
    assert contract.account == account


def test_efficiency_shows_only_visible_accounts(org):
    visit(AccountFactory(owner=org.north_rep), days_ago=0)
    mine = AccountFactory(owner=org.rep)
    visit(mine, days_ago=0)
    assert [r.account for r in selectors.efficiency(org.rep)] == [mine]
    assert len(selectors.efficiency(org.director)) == 2


def test_selling_styles_put_deal_size_margin_and_win_rate_beside_cycle_and_visits(org):
    account = AccountFactory(owner=org.rep)
    deal = won(account, "300000", days_ago=10, opened_days_before=50)
    won(account, "100000", days_ago=10, opened_days_before=30)
    OpportunityFactory(account=account, status=Status.LOST, closed_on=today() - timedelta(5))
    visit(account, opportunity=deal)
    visit(account, opportunity=deal)
    visit(account, opportunity=deal)
    contract_for(account, org.finance, amount="300000", margin="25", opportunity=deal)
    style = next(s for s in selectors.selling_styles(org.east_manager) if s.rep == org.rep)
    assert style.won == 2
    assert style.average_deal == D("200000.00")
    assert style.win_rate == D("66.7")
    assert style.margin_pct == D("25.0")
    assert style.cycle_days == D("40.00")
    assert style.visits_per_deal == D("1.00")  # 3 visits over 3 closed deals
    assert selling_styles_of(org.north_rep) == []


def selling_styles_of(user):
    return selectors.selling_styles(user)


# --- loyalty, the qualification and the red flags -----------------------------------


def test_criterion_7_comes_from_the_survey_where_the_customer_answered(org):
    account = AccountFactory(owner=org.rep, openness=1)

    def line():  # type: ignore[no-untyped-def]
        lines = account_selectors.assessment_for(account).qualification.lines
        return next(x for x in lines if x.key == "openness")

    assert line().value == D(1) and not line().computed  # as entered by hand
    answered(account, today(), open_to_ideas=5)
    answered(account, today(), open_to_ideas=4)
    assert line().value == D("4.50") and line().computed
    many = account_selectors.assessments_for([account])[account.pk]
    assert next(x for x in many.qualification.lines if x.key == "openness").value == D("4.50")


def test_answers_older_than_a_year_do_not_feed_the_qualification(org):
    account = AccountFactory(owner=org.rep, openness=2)
    answered(account, today() - timedelta(days=400), open_to_ideas=5)
    assert selectors.openness_from_surveys([account.pk], today()) == {}


def slipping_key_account(owner, *, before=5, now=2, tier=Tier.KEY):
    account = AccountFactory(owner=owner, tier=tier)
    answered(account, today() - timedelta(days=120), level=before)
    answered(account, today(), level=now)
    return account


def test_a_falling_loyalty_on_a_key_account_is_a_red_flag(org):
    account = slipping_key_account(org.rep)
    deal = OpportunityFactory(account=account)
    flags = {f.code: f for f in red_flags_for(deal)}
    assert "loyalty_falling" in flags
    assert flags["loyalty_falling"].severity == "high"
    assert f"{loyalty(5)}" in flags["loyalty_falling"].message
    assert f"{loyalty(2)}" in flags["loyalty_falling"].message


@pytest.mark.parametrize(
    ("before", "now", "tier"),
    [(4, 4, Tier.KEY), (2, 5, Tier.KEY), (5, 2, Tier.IMPORTANT)],
    ids=["steady", "rising", "not-a-key-account"],
)
def test_steady_or_rising_loyalty_or_another_tier_raises_no_flag(org, before, now, tier):
    account = slipping_key_account(org.rep, before=before, now=now, tier=tier)
    deal = OpportunityFactory(account=account)
    assert "loyalty_falling" not in {f.code for f in red_flags_for(deal)}


def test_one_quarter_of_answers_is_not_a_trend(org):
    account = AccountFactory(owner=org.rep, tier=Tier.KEY)
    answered(account, today(), level=5)
    answered(account, today(), level=1)
    deal = OpportunityFactory(account=account)
    assert "loyalty_falling" not in {f.code for f in red_flags_for(deal)}


def test_the_drop_that_raises_the_flag_is_the_companys_setting(org):
    from kam.performance.models import PerformanceSettings

    account = slipping_key_account(org.rep, before=4, now=3)  # 75 → 50
    deal = OpportunityFactory(account=account)
    assert "loyalty_falling" in {f.code for f in red_flags_for(deal)}
    PerformanceSettings.objects.update(loyalty_drop_points=D(30))
    assert "loyalty_falling" not in {f.code for f in red_flags_for(deal)}


def test_the_loyalty_overview_puts_slipping_key_accounts_first(org):
    steady = slipping_key_account(org.rep, before=5, now=5)
    slipping = slipping_key_account(org.rep)
    hidden = slipping_key_account(org.north_rep)
    rows = selectors.loyalty_overview(org.rep)
    assert [r.account for r in rows] == [slipping, steady]
    assert rows[0].falling and not rows[1].falling
    assert hidden not in [r.account for r in selectors.loyalty_overview(org.east_manager)]


def test_flags_of_many_deals_read_loyalty_in_bounded_queries(org, django_assert_max_num_queries):
    deals = [OpportunityFactory(account=slipping_key_account(org.rep)) for _ in range(5)]
    with django_assert_max_num_queries(14):
        flags = red_flags_for_opportunities(deals)
    assert all("loyalty_falling" in {f.code for f in flags[d.pk]} for d in deals)
