"""Account services and selectors (DOMAIN.md §1): what a key account manager notices."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kam.accounts import selectors, services
from kam.accounts.models import (
    Account,
    AccountMember,
    AccountPlan,
    GrowthLever,
    LatentNeed,
    PlanObjective,
    ProductLine,
    QualificationCriterion,
    StrategyAllocation,
    ValuePeriod,
    WhitespaceCell,
)
from kam.core.concurrency import ConflictError
from kam.core.models import AuditEvent
from kam.pipeline.models import Opportunity
from tests.accounts.factories import (
    AccountFactory,
    AccountPlanFactory,
    LatentNeedFactory,
    PlanObjectiveFactory,
    won,
)
from tests.factories import ActivityFactory, OpportunityFactory
from tests.forecasting.factories import small_sale

pytestmark = pytest.mark.django_db
D = Decimal


def fully_qualified(owner, **fields):  # type: ignore[no-untyped-def]
    """An account that meets every criterion: by hand and from won business."""
    account = services.create_account(
        name=fields.pop("name", "中国移动上海公司"),
        owner=owner,
        by=owner,
        margin_pct=D(30),
        payment_cycle_days=30,
        goal_access=5,
        openness=5,
        purchase_potential=D(20000000),
        **fields,
    )
    won(account, 5000000, days_ago=30)
    won(account, 1000000, days_ago=400)  # the year before: growth 400%
    return services.assess_account(account, by=None)


# --- profile, duplicates, the group tree ---------------------------------------------------


def test_creating_an_account_records_it_and_audits(org):
    account = services.create_account(
        name="  上海电信   股份有限公司 ", owner=org.rep, by=org.rep, industry="telecom"
    )
    assert account.name == "上海电信 股份有限公司"
    assert account.tier == "general" and account.qualification_score is not None
    assert AuditEvent.objects.filter(
        object_id=str(account.pk), action=AuditEvent.Action.CREATE
    ).exists()


def test_a_duplicate_name_is_refused_and_the_existing_account_offered(org):
    existing = services.create_account(name="华为技术(深圳)有限公司", owner=org.rep, by=org.rep)
    with pytest.raises(services.DuplicateAccountError) as caught:
        services.create_account(name="华为技术（深圳）有限公司", owner=org.rep, by=org.rep)
    assert caught.value.existing == existing and caught.value.existing_visible
    assert "already exists: 华为技术(深圳)有限公司" in caught.value.messages[0]
    assert Account.objects.count() == 1


def test_a_duplicate_the_user_cannot_see_is_named_but_not_offered(org):
    services.create_account(name="北京银行", owner=org.north_rep, by=org.north_rep)
    with pytest.raises(services.DuplicateAccountError) as caught:
        services.create_account(name="北京银行", owner=org.rep, by=org.rep)
    assert not caught.value.existing_visible
    assert "ask its owner" in caught.value.messages[0]


def test_renaming_onto_another_accounts_name_is_refused_and_nothing_changes(org):
    services.create_account(name="甲公司", owner=org.rep, by=org.rep)
    other = services.create_account(name="乙公司", owner=org.rep, by=org.rep)
    with pytest.raises(services.DuplicateAccountError):
        services.update_account(other, by=org.rep, expected_version=other.version, name="甲公司")
    other.refresh_from_db()
    assert other.name == "乙公司"


def test_a_subsidiary_that_would_make_the_group_a_cycle_is_refused(org):
    group = services.create_account(name="集团", owner=org.rep, by=org.rep)
    child = services.create_account(name="子公司", owner=org.rep, by=org.rep, parent=group)
    grandchild = services.create_account(name="孙公司", owner=org.rep, by=org.rep, parent=child)
    with pytest.raises(ValidationError) as caught:
        services.update_account(
            group, by=org.rep, expected_version=group.version, parent=grandchild
        )
    assert "go round in a circle" in str(caught.value)
    with pytest.raises(ValidationError, match="its own parent"):
        services.update_account(group, by=org.rep, expected_version=group.version, parent=group)
    group.refresh_from_db()
    assert group.parent_id is None and group.version == 1


def test_the_group_tree_shows_the_whole_group_from_the_top(org):
    group = services.create_account(name="集团", owner=org.rep, by=org.rep)
    b = services.create_account(name="B子公司", owner=org.rep, by=org.rep, parent=group)
    a = services.create_account(name="A子公司", owner=org.rep, by=org.rep, parent=group)
    leaf = services.create_account(name="孙公司", owner=org.rep, by=org.rep, parent=b)
    tree = selectors.group_tree(leaf)
    assert [(node.name, depth) for node, depth in tree] == [
        ("集团", 0),
        ("A子公司", 1),
        ("B子公司", 1),
        ("孙公司", 2),
    ]
    assert a.pk in {node.pk for node, _d in tree}


def test_a_parent_company_the_user_cannot_see_is_refused(org):
    hidden = AccountFactory(owner=org.north_rep)
    with pytest.raises(ValidationError, match="parent company you can see"):
        services.create_account(name="子公司", owner=org.rep, by=org.rep, parent=hidden)
    mine = AccountFactory(owner=org.rep)
    with pytest.raises(ValidationError, match="parent company you can see"):
        services.update_account(mine, by=org.rep, expected_version=mine.version, parent=hidden)
    mine.refresh_from_db()
    assert mine.parent_id is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("annual_revenue", D("-1")),
        ("purchase_potential", D("-100")),
        ("purchase_potential", D("10000000000000")),  # absurd: above one trillion
        ("margin_pct", D("101")),
        ("margin_pct", D("-0.01")),
        ("goal_access", 6),
    ],
)
def test_bad_numbers_are_refused_and_nothing_changes(org, field, value):
    account = AccountFactory(owner=org.rep, annual_revenue=D(100), margin_pct=D(10))
    with pytest.raises(ValidationError) as caught:
        services.update_account(
            account, by=org.rep, expected_version=account.version, **{field: value}
        )
    assert field in caught.value.message_dict
    fresh = Account.objects.get(pk=account.pk)
    assert fresh.version == account.version == 1
    assert fresh.annual_revenue == D(100) and fresh.margin_pct == D(10)
    with pytest.raises(ValidationError):
        services.create_account(name="新客户", owner=org.rep, by=org.rep, **{field: value})
    assert not Account.objects.filter(name="新客户").exists()


def test_a_stale_edit_is_refused_and_the_first_one_kept(org):
    account = AccountFactory(owner=org.rep)
    first = Account.objects.get(pk=account.pk)
    second = Account.objects.get(pk=account.pk)
    services.update_account(first, by=org.rep, expected_version=1, city="杭州")
    with pytest.raises(ConflictError):
        services.update_account(second, by=org.east_manager, expected_version=1, city="南京")
    account.refresh_from_db()
    assert account.city == "杭州" and account.version == 2


def test_finance_reads_but_cannot_change_an_account(org):
    account = AccountFactory(owner=org.rep)
    with pytest.raises(PermissionDenied):
        services.update_account(account, by=org.finance, expected_version=1, city="杭州")
    with pytest.raises(PermissionDenied):
        services.create_account(name="新客户", owner=org.rep, by=org.finance)
    with pytest.raises(PermissionDenied):
        services.add_item(account, ValuePeriod, by=org.finance, year=2025)


def test_a_rep_cannot_change_another_teams_account(org):
    account = AccountFactory(owner=org.north_rep)
    with pytest.raises(PermissionDenied):
        services.update_account(account, by=org.rep, expected_version=1, city="杭州")
    with pytest.raises(PermissionDenied):
        services.add_member(account, user=org.rep, role="sales", by=org.rep)


# --- the account team --------------------------------------------------------------------


def test_a_member_of_the_account_team_sees_the_account(org):
    account = AccountFactory(owner=org.north_rep)
    assert not selectors.visible_accounts(org.rep).filter(pk=account.pk).exists()
    member = services.add_member(account, user=org.rep, role="presales", by=org.north_rep)
    assert selectors.visible_accounts(org.rep).filter(pk=account.pk).exists()
    with pytest.raises(ValidationError, match="already"):
        services.add_member(account, user=org.rep, role="sales", by=org.north_rep)
    with pytest.raises(ValidationError, match="owner"):
        services.add_member(account, user=org.north_rep, role="sales", by=org.north_rep)
    services.change_member_role(member, role="service", by=org.north_rep)
    assert AccountMember.objects.get(pk=member.pk).role == "service"
    services.remove_member(member, by=org.north_rep)
    assert not selectors.visible_accounts(org.rep).filter(pk=account.pk).exists()


# --- qualification, tiers, segments (§1.2-§1.4) ------------------------------------------------


def test_the_score_comes_from_won_business_where_data_exists_and_by_hand_otherwise(org):
    account = fully_qualified(org.rep)
    assessment = selectors.assessment_for(account)
    lines = {line.key: line for line in assessment.qualification.lines}
    assert lines["sales_volume"].value == D(5000000) and lines["sales_volume"].computed
    assert lines["growth"].value == D("400.0") and lines["growth"].computed
    assert not lines["margin"].computed and lines["margin"].value == D(30)
    assert lines["potential"].value == D(15000000)  # 20m potential, 5m ours
    assert {line.score for line in lines.values()} == {D(100)}
    assert assessment.qualification.total == D(100)
    assert assessment.qualification.missing == []
    account.refresh_from_db()
    assert account.qualification_score == D(100) and account.tier == "key"


def test_an_account_nobody_knows_scores_low_and_shows_what_is_missing(org):
    account = services.create_account(name="未知客户", owner=org.rep, by=org.rep)
    assessment = selectors.assessment_for(account)
    assert assessment.qualification.total == D(0)
    assert set(assessment.qualification.missing) >= {"margin", "growth", "payment", "openness"}
    assert account.tier == "general" and account.segment == ""


def test_company_weights_change_the_score(org):
    account = services.create_account(
        name="只有利润率", owner=org.rep, by=org.rep, margin_pct=D(30)
    )
    assert selectors.assessment_for(account).qualification.total == D(15)
    services.update_criteria({"margin": {"weight": D(85)}}, by=org.admin)
    assert selectors.assessment_for(account).qualification.total == D(50)  # 85 of 170
    with pytest.raises(PermissionDenied):
        services.update_criteria({"margin": {"weight": D(1)}}, by=org.director)
    with pytest.raises(ValidationError):
        services.update_criteria({"margin": {"weight": D(101)}}, by=org.admin)
    assert QualificationCriterion.objects.get(key="margin").weight == D(85)


def test_the_company_thresholds_set_the_tier(org):
    account = services.create_account(name="利润客户", owner=org.rep, by=org.rep, margin_pct=D(30))
    assert account.tier == "general"  # 15 points
    services.update_policy(by=org.admin, key_min_score=D(15), important_min_score=D(10))
    services.assess_account(account, by=None)
    assert Account.objects.get(pk=account.pk).tier == "key"
    with pytest.raises(ValidationError, match="below the key tier"):
        services.update_policy(by=org.admin, key_min_score=D(10), important_min_score=D(20))


def test_a_tier_set_by_hand_records_who_and_why_and_survives_reassessment(org):
    account = fully_qualified(org.rep)
    with pytest.raises(ValidationError, match="Say why"):
        services.override_tier(
            account, tier="general", reason="  ", by=org.east_manager, expected_version=1
        )
    services.override_tier(
        account,
        tier="general",
        reason="压价严重且长期拖欠",
        by=org.east_manager,
        expected_version=account.version,
    )
    services.assess_account(account, by=None)
    account.refresh_from_db()
    assert account.tier == "general" and account.tier_overridden
    assert account.tier_override_by == org.east_manager
    assert account.tier_override_reason == "压价严重且长期拖欠"
    assert account.tier_override_at is not None
    services.clear_tier_override(account, by=org.rep, expected_version=account.version)
    account.refresh_from_db()
    assert account.tier == "key" and not account.tier_overridden
    assert account.tier_override_by is None


def test_a_stale_tier_override_is_refused(org):
    account = AccountFactory(owner=org.rep)
    services.update_account(account, by=org.rep, expected_version=1, city="苏州")
    stale = Account.objects.get(pk=account.pk)
    with pytest.raises(ConflictError):
        services.override_tier(stale, tier="key", reason="战略客户", by=org.rep, expected_version=1)
    assert not Account.objects.get(pk=account.pk).tier_overridden


@pytest.mark.parametrize(
    ("potential", "sales", "segment"),
    [
        (10000000, 5000000, "retain"),  # 50%
        (10000000, 2000000, "acquire"),  # 20%
        (10000000, 500000, "intrude"),  # 5%
        (1000000, 500000, "maintain"),  # 50%
        (1000000, 100000, "let_go"),  # 10%
    ],
)
def test_potential_and_share_of_wallet_place_the_account_in_a_quadrant(
    org, potential, sales, segment
):
    account = AccountFactory(owner=org.rep, purchase_potential=D(potential))
    won(account, sales)
    services.assess_account(account, by=None)
    assert Account.objects.get(pk=account.pk).segment == segment


def test_the_matrix_places_visible_accounts_and_counts_the_unplaced(org):
    placed = AccountFactory(owner=org.rep, purchase_potential=D(10000000))
    won(placed, 5000000)
    AccountFactory(owner=org.rep)  # no potential yet
    hidden = AccountFactory(owner=org.north_rep, purchase_potential=D(10000000))
    won(hidden, 100)
    year = timezone.localdate().year
    services.save_allocation(
        year=year,
        strategy="retain",
        planned_hours=D(100),
        planned_people=3,
        planned_budget=D(50000),
        by=org.east_manager,
    )
    with pytest.raises(PermissionDenied):
        services.save_allocation(
            year=year,
            strategy="retain",
            planned_hours=D(1),
            planned_people=1,
            planned_budget=D(1),
            by=org.rep,
        )
    with pytest.raises(ValidationError):
        services.save_allocation(
            year=year,
            strategy="retain",
            planned_hours=D(1),
            planned_people=1,
            planned_budget=D(-1),
            by=org.east_manager,
        )
    points, unplaced, allocation = selectors.attack_defend_matrix(org.rep, year=year)
    assert [(p.account, p.share_pct, p.strategy) for p in points] == [(placed, D(50), "retain")]
    assert unplaced == 1
    retain = next(row for row in allocation if row.strategy == "retain")
    assert retain.accounts == 1 and retain.planned_hours == D(100) and retain.planned_people == 3
    assert StrategyAllocation.objects.get().planned_budget == D(50000)


def test_the_matrix_sets_time_actually_spent_against_the_plan(org):
    account = AccountFactory(owner=org.rep, purchase_potential=D(10000000))
    won(account, 5000000)
    services.assess_account(account, by=None)
    ActivityFactory(
        account=account, starts_at=timezone.now() - timedelta(hours=2), duration_minutes=90
    )
    _points, _u, allocation = selectors.attack_defend_matrix(
        org.rep, year=timezone.localdate().year
    )
    retain = next(row for row in allocation if row.strategy == "retain")
    assert retain.activities == 1 and retain.actual_hours == D("1.5")
    assert retain.actual_people == 1


# --- the value pyramid and customer total value (§1.3) -----------------------------------------


def test_the_pyramid_shows_each_tiers_share_and_the_80_20_shape(org):
    key = AccountFactory(owner=org.rep, tier="key", margin_pct=D(20))
    won(key, 800)
    for _ in range(4):
        general = AccountFactory(owner=org.rep, tier="general", margin_pct=D(10))
        won(general, 50)
    won(AccountFactory(owner=org.north_rep, tier="key"), 1000000)  # not visible to the rep
    pyramid = selectors.value_pyramid(org.rep)
    rows = {row.tier: row for row in pyramid.rows}
    assert rows["key"].accounts == 1 and rows["key"].revenue == D(800)
    assert rows["key"].revenue_share == D(80) and rows["general"].revenue_share == D(20)
    assert rows["key"].profit == D(160) and rows["general"].profit == D(20)
    assert rows["key"].profit_share == D("88.9")
    assert rows["key"].account_share == D(20) and rows["general"].account_share == D(80)
    assert pyramid.pareto.top_count == 1 and pyramid.pareto.top_share_pct == D(80)
    drill = selectors.value_pyramid(org.rep, tier="general")
    assert len(drill.top) == 4 and {a.owner for a, _r, _p in drill.top} == {org.rep}
    everyone = selectors.value_pyramid(org.director)
    assert {row.tier: row for row in everyone.rows}["key"].accounts == 2


def test_the_pyramid_adds_off_funnel_sales_to_won_business_to_the_cent(org):
    today = timezone.localdate()
    key = AccountFactory(owner=org.rep, tier="key", margin_pct=D("12.35"))
    won(key, "100.10")
    won(key, "0.20", days_ago=364)  # the window's first day
    won(key, "999.99", days_ago=365)  # the day before it
    small_sale(key, "0.05", today)
    small_sale(key, "77.77", today - timedelta(days=365))
    only_small = AccountFactory(owner=org.rep, tier="general")
    small_sale(only_small, "33.33", today - timedelta(days=10))
    AccountFactory(owner=org.rep, tier="general")  # no sales: counted, not read
    pyramid = selectors.value_pyramid(org.rep)
    rows = {row.tier: row for row in pyramid.rows}
    assert rows["key"].revenue == D("100.35")
    assert rows["key"].profit == D("12.39")  # 100.35 × 12.35% = 12.393…, to the cent
    assert rows["general"].revenue == D("33.33") and rows["general"].profit == D(0)
    assert rows["general"].accounts == 2
    assert pyramid.pareto.accounts == 3 and pyramid.pareto.top_count == 1
    assert pyramid.pareto.top_share_pct == D("75.1")  # 100.35 of 133.68
    drill = selectors.value_pyramid(org.rep, tier="key")
    assert [(a.pk, r, p) for a, r, p in drill.top] == [(key.pk, D("100.35"), D("12.39"))]


def test_customer_total_value_has_its_parts_and_computes_profit_when_missing(org):
    account = AccountFactory(owner=org.rep, margin_pct=D(20))
    year = timezone.localdate().year - 1
    OpportunityFactory(
        account=account,
        amount=D(100000),
        status="won",
        closed_on=timezone.localdate().replace(year=year, month=6, day=1),
    )
    services.add_item(
        account,
        ValuePeriod,
        by=org.rep,
        year=year,
        cost_of_sales=D(3000),
        cost_of_service=D(2000),
        cost_of_relationship=D(1000),
        learning_value=D(500),
        skill_value=D(300),
        referral_value=D(200),
    )
    services.add_item(account, ValuePeriod, by=org.rep, year=year - 1, profit_contribution=D(5000))
    rows = selectors.value_rows(Account.objects.get(pk=account.pk))
    computed, entered = rows
    assert computed.period.year == year and computed.profit_computed
    assert computed.revenue == D(100000) and computed.value.profit_contribution == D(20000)
    assert computed.value.cost_to_serve == D(6000) and computed.value.intangible == D(1000)
    assert computed.value.total == D(15000)
    assert not entered.profit_computed and entered.value.total == D(5000)
    with pytest.raises(ValidationError, match="recorded already"):
        services.add_item(account, ValuePeriod, by=org.rep, year=year)
    with pytest.raises(ValidationError) as caught:
        services.add_item(account, ValuePeriod, by=org.rep, year=2001, cost_of_sales=D(-1))
    assert "cost_of_sales" in caught.value.message_dict
    assert ValuePeriod.objects.filter(account=account).count() == 2


# --- SWOT and latent needs (§1.6) -----------------------------------------------------------


def test_a_latent_need_becomes_an_opportunity_in_one_step(org):
    need = LatentNeedFactory(account=AccountFactory(owner=org.rep), estimated_amount=D(300000))
    opportunity = services.turn_need_into_opportunity(
        need,
        name="5G专网试点",
        amount=D(300000),
        expected_close_date=timezone.localdate() + timedelta(days=90),
        by=org.rep,
    )
    assert opportunity.account == need.account and opportunity.owner == org.rep
    assert LatentNeed.objects.get(pk=need.pk).opportunity == opportunity
    with pytest.raises(ValidationError, match="has an opportunity already"):
        services.turn_need_into_opportunity(
            LatentNeed.objects.get(pk=need.pk),
            name="again",
            amount=D(1),
            expected_close_date=timezone.localdate(),
            by=org.rep,
        )
    assert Opportunity.objects.filter(account=need.account).count() == 1


def test_a_need_with_a_negative_amount_opens_nothing(org):
    need = LatentNeedFactory(account=AccountFactory(owner=org.rep))
    with pytest.raises(ValidationError, match="negative"):
        services.turn_need_into_opportunity(
            need,
            name="x",
            amount=D(-1),
            expected_close_date=timezone.localdate(),
            by=org.rep,
        )
    assert not Opportunity.objects.exists() and LatentNeed.objects.get().opportunity is None


def test_swot_items_are_recorded_with_a_factor_from_the_checklist(org):
    from kam.accounts.models import SwotItem

    account = AccountFactory(owner=org.rep)
    item = services.add_item(
        account, SwotItem, by=org.rep, kind="O", factor="politics", text="新基建"
    )
    assert item.get_factor_display() == "Politics"
    with pytest.raises(ValidationError):
        services.add_item(account, SwotItem, by=org.rep, kind="X", factor="politics", text="?")
    assert SwotItem.objects.count() == 1


# --- account plans (§1.5, §1.7) --------------------------------------------------------------


def test_a_plan_with_levers_whitespace_objectives_and_actions(org):
    account = AccountFactory(owner=org.rep, name="集团总部")
    AccountFactory(owner=org.rep, name="华东子公司", parent=account)
    year = timezone.localdate().year
    plan = services.create_plan(
        account, year=year, by=org.rep, revenue_goal=D(1000000), share_goal_pct=D(30)
    )
    with pytest.raises(ValidationError, match="plan for this year"):
        services.create_plan(account, year=year, by=org.rep)
    services.add_plan_item(
        plan,
        GrowthLever,
        by=org.rep,
        kind="cross_sell",
        description="安全产品",
        expected_revenue=D(200000),
        attractiveness=5,
        probability=4,
        horizon="short",
    )
    services.add_plan_item(
        plan,
        GrowthLever,
        by=org.rep,
        kind="raise_usage",
        description="扩容",
        expected_revenue=D(50000),
        attractiveness=4,
        probability=1,
        horizon="long",
    )
    line = ProductLine.objects.get(key="security")
    services.set_whitespace(
        plan, unit="华东子公司", product_line=line, status="opportunity", by=org.rep
    )
    services.set_whitespace(plan, unit="华东子公司", product_line=line, status="bought", by=org.rep)
    assert WhitespaceCell.objects.get().status == "bought"
    objective = services.add_plan_item(plan, PlanObjective, by=org.rep, text="份额提升到30%")
    opportunity = OpportunityFactory(account=account)
    action = services.add_action(
        objective,
        text="拜访CIO",
        owner=org.rep,
        due_date=timezone.localdate(),
        by=org.rep,
        opportunity=opportunity,
    )
    services.set_action_status(action, status="done", by=org.rep)
    view = selectors.plan_view(plan)
    assert [p for _lever, p in view.levers] == ["act_now", "wait"]
    assert view.units == ["集团总部", "华东子公司"]
    cells = dict(dict(view.grid)["华东子公司"])
    assert cells[line] == "bought"
    assert view.objectives[0].actions.all()[0].status == "done"
    assert view.balance["short"]["revenue"] == D(200000)
    assert view.balance["long"]["levers"] == 1
    services.set_whitespace(plan, unit="华东子公司", product_line=line, status="", by=org.rep)
    assert not WhitespaceCell.objects.exists()


def test_an_action_may_link_only_this_accounts_opportunities(org):
    objective = PlanObjectiveFactory(plan=AccountPlanFactory(account=AccountFactory(owner=org.rep)))
    elsewhere = OpportunityFactory(account=AccountFactory(owner=org.rep))
    with pytest.raises(ValidationError, match="of this account"):
        services.add_action(
            objective,
            text="x",
            owner=org.rep,
            due_date=timezone.localdate(),
            by=org.rep,
            opportunity=elsewhere,
        )
    assert not objective.actions.exists()


def test_plan_goals_are_checked_and_a_stale_plan_edit_refused(org):
    plan = AccountPlanFactory(account=AccountFactory(owner=org.rep))
    with pytest.raises(ValidationError) as caught:
        services.update_plan(plan, by=org.rep, expected_version=1, share_goal_pct=D(120))
    assert "share_goal_pct" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.update_plan(plan, by=org.rep, expected_version=1, revenue_goal=D(-5))
    services.update_plan(plan, by=org.rep, expected_version=1, value_proposition="降本增效")
    stale = AccountPlan.objects.get(pk=plan.pk)
    stale.version = 1
    with pytest.raises(ConflictError):
        services.update_plan(stale, by=org.east_manager, expected_version=1, value_proposition="旧")
    fresh = AccountPlan.objects.get(pk=plan.pk)
    assert fresh.value_proposition == "降本增效" and fresh.share_goal_pct is None
    with pytest.raises(ValidationError):
        services.add_plan_item(
            plan, GrowthLever, by=org.rep, kind="cross_sell", description="x", attractiveness=9
        )
    assert not GrowthLever.objects.exists()


def test_margin_and_payment_cycle_come_from_contracts_and_invoices_once_they_exist(org):
    from kam.receivables.models import Contract, Invoice

    account = AccountFactory(owner=org.rep, margin_pct=D(5), payment_cycle_days=170)
    by_hand = {line.key: line for line in selectors.assessment_for(account).qualification.lines}
    assert by_hand["margin"].value == D(5) and not by_hand["margin"].computed
    assert by_hand["payment"].value == D(170) and not by_hand["payment"].computed
    today = timezone.localdate()
    contract = Contract.objects.create(
        account=account,
        number="HT-1",
        name="核心网",
        amount=D(1000000),
        gross_margin_pct=D(30),
        signed_on=today - timedelta(days=100),
    )
    Invoice.objects.create(
        contract=contract,
        account=account,
        number="FP-1",
        issued_on=today - timedelta(days=90),
        due_date=today - timedelta(days=60),
        amount=D(500000),
        paid_amount=D(500000),
        paid_on=today - timedelta(days=60),
    )
    lines = {line.key: line for line in selectors.assessment_for(account).qualification.lines}
    assert lines["margin"].value == D(30) and lines["margin"].computed
    assert lines["payment"].value == D(30) and lines["payment"].computed
    assert lines["payment"].score == D(100)
