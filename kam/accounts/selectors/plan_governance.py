"""Key accounts whose plan needs attention, plans awaiting review, and a plan's resources
against what was spent (DOMAIN.md §1.4, §1.5); every read starts from visibility."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kam.accounts import calculations
from kam.accounts.models import (
    Account,
    AccountPlan,
    PlanReview,
    PlanSettings,
    PlanStatus,
    Tier,
)
from kam.accounts.selectors.facts import account_spend
from kam.accounts.visibility import may_review, scope_to_visible_accounts, visible_accounts
from kam.core.models import User

#: How many rows a dashboard panel lists (the count says how many there are in all).
PANEL_ROWS = 10
_ORDER = {calculations.NO_PLAN: 0, calculations.NOT_APPROVED: 1, calculations.REVIEW_OVERDUE: 2}


@dataclass(frozen=True)
class PlanWarning:
    """Why a key account's plan for the year needs attention, in words for its owner."""

    account: Account
    kind: str  # calculations.NO_PLAN, NOT_APPROVED or REVIEW_OVERDUE
    year: int
    plan_id: int | None
    status: str | None
    approved_on: date | None
    message: str


def _local_day(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment is not None else None


def _message(kind: str, year: int, status: str | None, approved_on: date | None, days: int) -> str:
    if kind == calculations.NO_PLAN:
        return _("Key account without a plan for %(year)s.") % {"year": year}
    if kind == calculations.REVIEW_OVERDUE and approved_on is not None:
        return _(
            "The plan for %(year)s was last approved on %(date)s, more than %(days)s days ago: "
            "submit it for review."
        ) % {"year": year, "date": date_format(approved_on), "days": days}
    if status == PlanStatus.SUBMITTED:
        return _("The plan for %(year)s awaits the manager's review.") % {"year": year}
    if status == PlanStatus.RETURNED:
        return _("The plan for %(year)s was sent back: change it and submit it again.") % {
            "year": year
        }
    return _("The plan for %(year)s is not approved yet: submit it for review.") % {"year": year}


def _warning(
    account: Account,
    *,
    plan_id: int | None,
    status: str | None,
    approved_at: datetime | None,
    today: date,
    review_days: int,
) -> PlanWarning | None:
    approved_on = _local_day(approved_at)
    kind = calculations.plan_warning(
        is_key=account.tier == Tier.KEY,
        has_plan=plan_id is not None,
        approved_on=approved_on,
        today=today,
        review_days=review_days,
    )
    if kind is None:
        return None
    return PlanWarning(
        account=account,
        kind=kind,
        year=today.year,
        plan_id=plan_id,
        status=status,
        approved_on=approved_on,
        message=_message(kind, today.year, status, approved_on, review_days),
    )


def plan_warning_for(account: Account, today: date | None = None) -> PlanWarning | None:
    """The warning on a key account's page when its plan for this year is missing, not
    approved, or not reviewed within the company's period."""
    if account.tier != Tier.KEY:
        return None
    today = today or timezone.localdate()
    plan = AccountPlan.objects.filter(account=account, year=today.year).first()
    return _warning(
        account,
        plan_id=plan.pk if plan else None,
        status=plan.status if plan else None,
        approved_at=plan.approved_at if plan else None,
        today=today,
        review_days=PlanSettings.current().review_days,
    )


def _current_plans(accounts: QuerySet[Account], year: int) -> QuerySet[Account]:
    plan = AccountPlan.objects.filter(account=OuterRef("pk"), year=year)
    return accounts.annotate(
        plan_id=Subquery(plan.values("pk")[:1]),
        plan_status=Subquery(plan.values("status")[:1]),
        plan_approved_at=Subquery(plan.values("approved_at")[:1]),
    )


def plan_warnings(
    user: User, *, owned_only: bool = False, today: date | None = None
) -> list[PlanWarning]:
    """The key accounts ``user`` sees (``owned_only``: owns) whose plan needs attention:
    no plan first, then plans not approved, then overdue reviews, oldest first."""
    today = today or timezone.localdate()
    accounts = visible_accounts(user).filter(tier=Tier.KEY).select_related("owner")
    if owned_only:
        accounts = accounts.filter(owner=user)
    review_days = PlanSettings.current().review_days
    rows = []
    for account in _current_plans(accounts, today.year).order_by("name"):
        warning = _warning(
            account,
            plan_id=getattr(account, "plan_id"),  # noqa: B009
            status=getattr(account, "plan_status"),  # noqa: B009
            approved_at=getattr(account, "plan_approved_at"),  # noqa: B009
            today=today,
            review_days=review_days,
        )
        if warning is not None:
            rows.append(warning)
    rows.sort(key=lambda w: (_ORDER[w.kind], w.approved_on or date.min))
    return rows


def plans_to_review(user: User) -> list[AccountPlan]:
    """The submitted plans of the accounts ``user`` sees that ``user`` may approve."""
    plans = scope_to_visible_accounts(
        AccountPlan.objects.filter(status=PlanStatus.SUBMITTED).select_related("account__owner"),
        user,
    ).order_by("submitted_at", "pk")
    return [plan for plan in plans if may_review(user, plan)]


def review_history(plan: AccountPlan) -> list[PlanReview]:
    """The plan's review steps, newest first, with who took them."""
    return list(plan.reviews.select_related("by"))


def resource_use(plan: AccountPlan) -> calculations.ResourceUse:
    """The plan's allocated time, people and money beside what the activities at its
    account spent in the plan's year, and the expected return of its growth levers."""
    spend = account_spend(plan.account_id, plan.year)
    expected = sum((lever.expected_revenue for lever in plan.levers.all()), calculations.ZERO)
    return calculations.resource_use(
        allocated_hours=plan.allocated_hours,
        allocated_people=plan.allocated_people,
        allocated_budget=plan.allocated_budget,
        spent_minutes=spend.minutes,
        spent_people=spend.people,
        spent_budget=spend.expenses,
        expected_return=expected,
    )
