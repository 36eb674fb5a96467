"""Key-account plans and their pieces: levers, objectives, actions and the whitespace
map (DOMAIN.md §1.5, §1.7); the plan's review lives in :mod:`.plan_reviews`."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from kam.accounts import calculations
from kam.accounts.models import (
    Account,
    AccountPlan,
    GrowthLever,
    PlanAction,
    PlanObjective,
    ProductLine,
    WhitespaceCell,
)
from kam.accounts.visibility import require_edit
from kam.core import changes
from kam.core.models import Interface, User

M = TypeVar("M", bound=models.Model)

#: Set only by the review's steps (:mod:`.plan_reviews`), never by an edit of the plan.
REVIEW_FIELDS = {"status", "submitted_at", "approved_at", "approved_by"}


@transaction.atomic
def create_plan(
    account: Account, *, year: int, by: User | None, via: str = Interface.WEB, **fields: Any
) -> AccountPlan:
    """Start the account's plan for a year; one plan per account and year."""
    require_edit(by, account)
    plan = AccountPlan(account=account, year=year, **fields)
    changes.full_clean(plan)
    if AccountPlan.objects.filter(account=account, year=year).exists():
        raise ValidationError({"year": _("This account has a plan for this year already.")})
    return changes.create(plan, by=by, via=via, clean=None)


@transaction.atomic
def update_plan(
    plan: AccountPlan,
    *,
    by: User | None,
    expected_version: int | None,
    via: str = Interface.WEB,
    **fields: Any,
) -> AccountPlan:
    """Change a plan's goals and focus (its year stays); a stale edit raises
    ``ConflictError``, and every save is recorded."""
    require_edit(by, plan.account)
    fields.pop("year", None)
    if set(fields) & REVIEW_FIELDS:
        raise ValidationError(_("A plan's status changes only by submitting and reviewing it."))
    try:
        changes.update(
            plan,
            fields,
            by=by,
            via=via,
            expected_version=expected_version,
            # A save without a field still moves the version on.
            also_save=() if fields else ["value_proposition"],
            always=True,
        )
    except ValidationError:
        plan.refresh_from_db()
        raise
    return plan


@transaction.atomic
def add_plan_item(
    plan: AccountPlan,
    model: type[M],
    *,
    by: User | None,
    via: str = Interface.WEB,
    **fields: Any,
) -> M:
    """Add a growth lever or an objective to a plan."""
    require_edit(by, plan.account)
    return changes.create(model(plan=plan, **fields), by=by, via=via)


@transaction.atomic
def remove_plan_item(item: Any, *, by: User | None, via: str = Interface.WEB) -> None:
    """Remove a growth lever, an objective or an action from its plan."""
    plan = item.plan if hasattr(item, "plan") else item.objective.plan
    require_edit(by, plan.account)
    changes.delete(item, by=by, via=via)


@transaction.atomic
def set_whitespace(
    plan: AccountPlan,
    *,
    unit: str,
    product_line: ProductLine,
    status: str,
    by: User | None,
    via: str = Interface.WEB,
) -> WhitespaceCell | None:
    """Mark one cell of the whitespace map; an empty status clears it.

    A new cell's audit row carries its first values.
    """
    require_edit(by, plan.account)
    unit = unit.strip()
    if not unit:
        raise ValidationError({"unit": _("Name the business unit or subsidiary.")})
    cell = WhitespaceCell.objects.filter(plan=plan, unit=unit, product_line=product_line).first()
    if not status:
        if cell is not None:
            changes.delete(cell, by=by, via=via)
        return None
    if cell is not None:
        changes.update(cell, {"status": status}, by=by, via=via, always=True)
        return cell
    cell = WhitespaceCell(plan=plan, unit=unit, product_line=product_line, status=status)
    return changes.create(cell, by=by, via=via)


@transaction.atomic
def add_action(
    objective: PlanObjective,
    *,
    text: str,
    owner: User,
    due_date: date,
    by: User | None,
    via: str = Interface.WEB,
    **fields: Any,
) -> PlanAction:
    """An action towards an objective; may link an activity or opportunity of the account."""
    account = objective.plan.account
    require_edit(by, account)
    action = PlanAction(objective=objective, text=text, owner=owner, due_date=due_date, **fields)
    changes.full_clean(action)
    for linked in (action.activity, action.opportunity):
        if linked is not None and linked.account_id != account.pk:
            raise ValidationError(_("Link only activities and opportunities of this account."))
    return changes.create(action, by=by, via=via, clean=None)


@transaction.atomic
def set_action_status(
    action: PlanAction, *, status: str, by: User | None, via: str = Interface.WEB
) -> PlanAction:
    """Move an action on (recorded even when the status stays)."""
    require_edit(by, action.objective.plan.account)
    with changes.tracked(action, by=by, via=via) as changed:
        before = action.status
        action.status = status
        changes.full_clean(action)
        action.save(update_fields=["status"])
        # Kept on record even when it stays: the owner looked at the action and said so.
        changed["status"] = [before, status]
    return action


def priority(lever: GrowthLever) -> str:
    """Act now, wait or drop: the lever's place on the priority matrix (§1.5)."""
    return calculations.priority_for(lever.attractiveness, lever.probability)
