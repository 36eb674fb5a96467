"""The review of key-account plans (DOMAIN.md §1.5: senior management reviews each plan
and allocates resources one by one): the owner submits, the owner's manager approves or
sends it back with comments; every step is kept in the plan's history and audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.models import AccountPlan, PlanReview, PlanSettings, PlanStatus
from kam.accounts.visibility import can_edit_account, may_review, require_edit
from kam.core import changes
from kam.core.concurrency import save_versioned
from kam.core.models import Interface, User


def _step(
    plan: AccountPlan,
    *,
    step: str,
    to: str,
    by: User | None,
    via: str,
    comment: str,
    expected_version: int | None,
    values: dict[str, Any],
) -> AccountPlan:
    """Move ``plan`` to ``to``: save the new status (versioned), keep the step in the
    plan's history, and record one audit row with the changed fields and the comment."""
    with changes.tracked(plan, by=by, via=via, always=True) as changed:
        plan.status = to
        for name, value in values.items():
            setattr(plan, name, value)
        save_versioned(plan, expected_version, ["status", *values])
        review = PlanReview(plan=plan, step=step, by=by, comment=comment)
        changes.full_clean(review)
        review.save()
        if comment:
            changed["comment"] = [None, comment]
    return plan


@transaction.atomic
def submit_plan(
    plan: AccountPlan,
    *,
    by: User | None,
    via: str = Interface.WEB,
    comment: str = "",
    expected_version: int | None = None,
) -> AccountPlan:
    """Hand the plan to the owner's manager for review; an approved plan is submitted
    again for its periodic review (it stays approved on record until then)."""
    require_edit(by, plan.account, _("You may not submit plans of this account."))
    if plan.status == PlanStatus.SUBMITTED:
        raise ValidationError(_("This plan is already awaiting review."))
    return _step(
        plan,
        step=PlanReview.Step.SUBMIT,
        to=PlanStatus.SUBMITTED,
        by=by,
        via=via,
        comment=comment.strip(),
        expected_version=expected_version,
        values={"submitted_at": timezone.now()},
    )


def _require_reviewer(by: User | None, plan: AccountPlan) -> None:
    if by is not None and not may_review(by, plan):
        if by.pk == plan.account.owner_id:
            raise PermissionDenied(_("You cannot approve or send back your own plan."))
        raise PermissionDenied(
            _("Only the account owner's manager or an administrator reviews this plan.")
        )
    if plan.status != PlanStatus.SUBMITTED:
        raise ValidationError(_("Only a plan awaiting review can be approved or sent back."))


@transaction.atomic
def approve_plan(
    plan: AccountPlan,
    *,
    by: User | None,
    via: str = Interface.WEB,
    comment: str = "",
    expected_version: int | None = None,
) -> AccountPlan:
    """Approve a submitted plan: its resources are allocated and the review period
    starts again."""
    _require_reviewer(by, plan)
    return _step(
        plan,
        step=PlanReview.Step.APPROVE,
        to=PlanStatus.APPROVED,
        by=by,
        via=via,
        comment=comment.strip(),
        expected_version=expected_version,
        values={"approved_at": timezone.now(), "approved_by": by},
    )


@transaction.atomic
def return_plan(
    plan: AccountPlan,
    *,
    by: User | None,
    comment: str,
    via: str = Interface.WEB,
    expected_version: int | None = None,
) -> AccountPlan:
    """Send a submitted plan back to its owner with what to change (a comment is needed)."""
    _require_reviewer(by, plan)
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": _("Say what the owner should change.")})
    return _step(
        plan,
        step=PlanReview.Step.RETURN,
        to=PlanStatus.RETURNED,
        by=by,
        via=via,
        comment=comment,
        expected_version=expected_version,
        values={},
    )


def may_submit(user: User, plan: AccountPlan) -> bool:
    """Whether the page offers ``user`` to submit ``plan``."""
    return plan.status != PlanStatus.SUBMITTED and can_edit_account(user, plan.account)


@transaction.atomic
def update_plan_settings(*, review_days: int, by: User, via: str = Interface.WEB) -> PlanSettings:
    """Change how often key accounts' plans must be reviewed (administrators only)."""
    if not by.is_kam_admin:
        raise PermissionDenied
    row = PlanSettings.current()
    changes.update(row, {"review_days": review_days}, by=by, via=via)
    return row
