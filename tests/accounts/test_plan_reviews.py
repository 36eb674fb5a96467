"""Governed account plans (DOMAIN.md §1.5): key accounts need a current, reviewed plan;
the owner submits, the manager approves or sends back with comments, each step audited;
resources allocated against what was spent; the strategy and principles checklist."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from kam.accounts import calculations, selectors, services
from kam.accounts.models import AccountPlan, ChecklistItem, PlanSettings, PlanStatus, Tier
from kam.activities.models import ActivityStatus
from kam.core.models import AuditEvent
from tests.accounts.factories import AccountFactory, AccountPlanFactory, GrowthLeverFactory
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db


def english(user):  # type: ignore[no-untyped-def]
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def page(client, account) -> str:  # type: ignore[no-untyped-def]
    return client.get(reverse("accounts:detail", args=[account.pk])).content.decode()


def plan_page(client, plan) -> str:  # type: ignore[no-untyped-def]
    url = reverse("accounts:plan", args=[plan.account_id, plan.pk])
    return client.get(url).content.decode()


def review(client, plan, step, comment=""):  # type: ignore[no-untyped-def]
    url = reverse("accounts:plan_review", args=[plan.account_id, plan.pk, step])
    return client.post(url, {"comment": comment}, follow=True).content.decode()


def approved(plan: AccountPlan, days_ago: int) -> AccountPlan:
    AccountPlan.objects.filter(pk=plan.pk).update(
        status=PlanStatus.APPROVED, approved_at=timezone.now() - timedelta(days=days_ago)
    )
    plan.refresh_from_db()
    return plan


# --- the rule, without a database --------------------------------------------------------


@pytest.mark.parametrize(
    ("is_key", "has_plan", "approved_days_ago", "expected"),
    [
        (False, False, None, None),
        (True, False, None, calculations.NO_PLAN),
        (True, True, None, calculations.NOT_APPROVED),
        (True, True, 90, None),
        (True, True, 91, calculations.REVIEW_OVERDUE),
    ],
)
def test_the_plan_warning_rule(is_key, has_plan, approved_days_ago, expected):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    approved_on = today - timedelta(days=approved_days_ago) if approved_days_ago else None
    assert (
        calculations.plan_warning(
            is_key=is_key,
            has_plan=has_plan,
            approved_on=approved_on,
            today=today,
            review_days=90,
        )
        == expected
    )


def test_return_per_yuan_and_budget_used():  # type: ignore[no-untyped-def]
    use = calculations.resource_use(
        allocated_hours=Decimal(40),
        allocated_people=2,
        allocated_budget=Decimal(20000),
        spent_minutes=150,
        spent_people=1,
        spent_budget=Decimal(5000),
        expected_return=Decimal(300000),
    )
    assert use.spent_hours == Decimal("2.5")
    assert use.return_per_allocated == Decimal("15.00")
    assert use.return_per_spent == Decimal("60.00")
    assert use.budget_used_pct == Decimal("25.0")
    nothing = calculations.resource_use(
        allocated_hours=Decimal(0),
        allocated_people=0,
        allocated_budget=Decimal(0),
        spent_minutes=0,
        spent_people=0,
        spent_budget=Decimal(0),
        expected_return=Decimal(100),
    )
    assert nothing.return_per_spent is None and nothing.budget_used_pct is None


# --- the warning on the account page ----------------------------------------------------


def test_a_key_account_without_a_plan_warns_on_its_page_in_both_languages(org, login):
    account = AccountFactory(owner=org.rep, tier=Tier.KEY)
    general = AccountFactory(owner=org.rep, tier=Tier.GENERAL)
    year = timezone.localdate().year
    client = login(org.rep)
    assert f"关键客户没有 {year} 年的客户计划。" in page(client, account)
    assert 'data-testid="plan-warning"' not in page(client, general)
    english(org.rep)
    assert f"Key account without a plan for {year}." in page(client, account)


def test_an_unapproved_and_an_overdue_plan_warn_and_a_fresh_one_does_not(org, login):
    account = AccountFactory(owner=org.rep, tier=Tier.KEY)
    plan = AccountPlanFactory(account=account)
    client = login(english(org.rep))
    assert f"The plan for {plan.year} is not approved yet" in page(client, account)
    approved(plan, days_ago=120)
    text = page(client, account)
    assert "was last approved on" in text and "more than 90 days ago" in text
    approved(plan, days_ago=10)
    assert 'data-testid="plan-warning"' not in page(client, account)
    # The period is the company's: shortened, the same plan is overdue.
    PlanSettings.objects.update_or_create(pk=1, defaults={"review_days": 7})
    assert "more than 7 days ago" in page(client, account)


def test_the_review_period_is_set_by_an_administrator_only(org, login):
    url = reverse("accounts:plan_settings")
    assert login(org.rep).post(url, {"review_days": 30}).status_code == 403
    login(org.admin).post(url, {"review_days": 30})
    assert PlanSettings.current().review_days == 30
    assert AuditEvent.objects.filter(object_type="accounts.plansettings").exists()
    assert 'data-testid="review-days">30' in login(org.rep).get(url).content.decode()


# --- submit, approve, send back ---------------------------------------------------------


def test_a_rep_submits_and_cannot_approve_their_own_plan(org, login):
    plan = AccountPlanFactory(account=AccountFactory(owner=org.rep, tier=Tier.KEY))
    client = login(english(org.rep))
    text = review(client, plan, "submit")
    assert "Submitted for review." in text and "Awaiting review" in text
    assert 'data-testid="approve-plan"' not in text
    text = review(client, plan, "approve")
    assert "You cannot approve or send back your own plan." in text
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED and plan.approved_at is None


def test_only_the_owners_manager_or_an_administrator_reviews(org):
    plan = AccountPlanFactory(account=AccountFactory(owner=org.rep, tier=Tier.KEY))
    services.submit_plan(plan, by=org.rep)
    for outsider in (org.rep2, org.north_manager, org.finance):
        with pytest.raises(PermissionDenied):
            services.approve_plan(plan, by=outsider)
    assert services.may_review(org.east_manager, plan)
    assert services.may_review(org.admin, plan) and services.may_review(org.director, plan)
    # Whoever submitted it does not approve it either, a manager included.
    services.return_plan(plan, by=org.east_manager, comment="补充资源")
    services.submit_plan(plan, by=org.east_manager)
    with pytest.raises(PermissionDenied):
        services.approve_plan(plan, by=org.east_manager)


def test_sent_back_with_a_comment_the_owner_reads_it_then_the_manager_approves(org, login):
    account = AccountFactory(owner=org.rep, tier=Tier.KEY)
    plan = AccountPlanFactory(account=account)
    services.submit_plan(plan, by=org.rep)
    manager = login(english(org.east_manager))
    text = plan_page(manager, plan)
    assert 'data-testid="approve-plan"' in text and 'data-testid="return-plan"' in text
    assert "Say what the owner should change." in review(manager, plan, "return")
    review(manager, plan, "return", "价值定位不清楚，请补充跨行业新客户")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.RETURNED

    owner = login(org.rep)
    text = plan_page(owner, plan)
    assert "价值定位不清楚，请补充跨行业新客户" in text and "已退回" in text
    assert "已被退回" in page(owner, account)  # the account page says why it still warns
    review(owner, plan, "submit")
    text = review(login(org.east_manager), plan, "approve")
    assert "Plan approved." in text
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.approved_by == org.east_manager
    assert 'data-testid="plan-warning"' not in page(login(org.rep), account)


def test_each_step_is_kept_in_the_history_and_audited(org):
    plan = AccountPlanFactory(account=AccountFactory(owner=org.rep, tier=Tier.KEY))
    services.submit_plan(plan, by=org.rep)
    services.return_plan(plan, by=org.east_manager, comment="目标过低")
    services.submit_plan(plan, by=org.rep)
    services.approve_plan(plan, by=org.east_manager)
    steps = [(r.step, r.by, r.comment) for r in selectors.review_history(plan)][::-1]
    assert steps == [
        ("submit", org.rep, ""),
        ("return", org.east_manager, "目标过低"),
        ("submit", org.rep, ""),
        ("approve", org.east_manager, ""),
    ]
    rows = AuditEvent.objects.filter(
        object_type="accounts.accountplan", object_id=str(plan.pk)
    ).order_by("at", "id")
    assert [(r.actor, r.changes["status"]) for r in rows] == [
        (org.rep, ["draft", "submitted"]),
        (org.east_manager, ["submitted", "returned"]),
        (org.rep, ["returned", "submitted"]),
        (org.east_manager, ["submitted", "approved"]),
    ]
    assert rows[1].changes["comment"] == [None, "目标过低"]
    assert "comment" not in rows[0].changes
    plan.refresh_from_db()
    assert rows[2].changes["submitted_at"][1] == plan.submitted_at.isoformat()
    assert rows[3].changes["approved_by_id"] == [None, org.east_manager.pk]
    assert rows[3].changes["approved_at"] == [None, plan.approved_at.isoformat()]


def test_a_plan_cannot_be_approved_twice_nor_its_status_edited(org):
    plan = AccountPlanFactory(account=AccountFactory(owner=org.rep, tier=Tier.KEY))
    with pytest.raises(ValidationError, match="awaiting review"):
        services.approve_plan(plan, by=org.east_manager)
    with pytest.raises(ValidationError, match="submitting and reviewing"):
        services.update_plan(
            plan, by=org.rep, expected_version=plan.version, status=PlanStatus.APPROVED
        )
    services.submit_plan(plan, by=org.rep)
    with pytest.raises(ValidationError, match="already awaiting review"):
        services.submit_plan(plan, by=org.rep)


# --- the dashboards ---------------------------------------------------------------------


def test_the_owners_and_managers_dashboards_list_the_plans_to_attend_to(org, login):
    mine = AccountFactory(owner=org.rep, tier=Tier.KEY, name="上海电信")
    colleague = AccountFactory(owner=org.rep2, tier=Tier.KEY, name="上海地铁")
    north = AccountFactory(owner=org.north_rep, tier=Tier.KEY, name="北京电力")
    submitted = AccountPlanFactory(account=colleague)
    services.submit_plan(submitted, by=org.rep2)
    url = reverse("reports:panel", args=["plans"])

    rep = login(org.rep).get(url).content.decode()
    assert "上海电信" in rep and "上海地铁" not in rep and "北京电力" not in rep

    manager = login(org.east_manager).get(url).content.decode()
    assert "上海电信" in manager and "上海地铁" in manager and "北京电力" not in manager
    assert 'data-testid="plans-to-review"' in manager
    assert reverse("accounts:plan", args=[colleague.pk, submitted.pk]) in manager
    assert "北京电力" in login(org.director).get(url).content.decode()
    assert mine and north


# --- resources, levers, the checklist ---------------------------------------------------


def test_the_plan_compares_allocated_resources_and_return_with_what_was_spent(org, login):
    account = AccountFactory(owner=org.rep, tier=Tier.KEY)
    plan = AccountPlanFactory(
        account=account,
        allocated_hours=Decimal(40),
        allocated_people=2,
        allocated_budget=Decimal(20000),
    )
    GrowthLeverFactory(plan=plan, kind="new_core_industry", expected_revenue=Decimal(300000))
    now = timezone.now()
    ActivityFactory(account=account, starts_at=now, duration_minutes=90, expenses=Decimal(3000))
    ActivityFactory(account=account, starts_at=now, duration_minutes=60, expenses=Decimal(2000))
    ActivityFactory(
        account=account,
        starts_at=now,
        duration_minutes=600,
        expenses=Decimal(9000),
        status=ActivityStatus.CANCELLED,
    )
    use = selectors.resource_use(plan)
    assert (use.spent_hours, use.spent_people, use.spent_budget) == (
        Decimal("2.5"),
        1,
        Decimal(5000),
    )
    text = plan_page(login(english(org.rep)), plan)
    assert "New customers in the core industry" in text
    assert 'data-testid="return-per-spent">60.00<' in text


def test_the_checklist_is_ticked_per_plan_and_shown_to_the_manager(org, login):
    plan = AccountPlanFactory(account=AccountFactory(owner=org.rep, tier=Tier.KEY))
    url = reverse("accounts:plan_item", args=[plan.account_id, plan.pk, "checklist"])
    login(org.rep).post(
        url,
        {
            "version": plan.version,
            "steps": [ChecklistItem.STEP_GROUPS],
            "principles": [ChecklistItem.KNOW_CUSTOMER, ChecklistItem.CROSS_FUNCTIONAL_TEAM],
        },
    )
    plan.refresh_from_db()
    assert plan.checklist == ["step_groups", "know_customer", "cross_functional_team"]
    text = plan_page(login(org.east_manager), plan)
    assert "关键客户战略四步" in text and "比你的客户更了解你的客户" in text
    ticked = re.findall(r'name="(?:steps|principles)" value="(\w+)"[^>]*checked', text)
    assert ticked == ["step_groups", "know_customer", "cross_functional_team"]
    assert plan_page(login(org.finance), plan).count("✓") == 3
    with pytest.raises(ValidationError):
        services.update_plan(plan, by=org.rep, expected_version=None, checklist=["made_up"])


# --- the API ----------------------------------------------------------------------------


def test_the_api_submits_reviews_and_lists_the_warnings(org, api):
    account = AccountFactory(owner=org.rep, tier=Tier.KEY)
    plan = AccountPlanFactory(account=account)
    base = f"/api/v1/account-plans/{plan.pk}/"
    assert api(org.rep).post(base + "submit/", {}).json()["status"] == "submitted"
    refused = api(org.rep).post(base + "approve/", {})
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "您不能批准或退回自己的计划。"
    assert api(org.east_manager).post(base + "return/", {}).status_code == 400
    sent_back = api(org.east_manager).post(base + "return/", {"comment": "补充预算"}).json()
    assert sent_back["status"] == "returned"
    assert sent_back["reviews"][0]["comment"] == "补充预算"
    warnings = api(org.rep).get("/api/v1/account-plans/warnings/?mine=1").json()["results"]
    assert [(w["account"], w["kind"], w["status"]) for w in warnings] == [
        (account.pk, "not_approved", "returned")
    ]
    assert api(org.north_rep).get("/api/v1/account-plans/warnings/").json()["count"] == 0
    assert api(org.north_rep).post(base + "submit/", {}).status_code == 404
