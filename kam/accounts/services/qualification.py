"""Qualification, tier and segment of accounts, and the company's rules for them
(DOMAIN.md §1.2-§1.4)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts import selectors
from kam.accounts.models import (
    Account,
    AccountPolicy,
    QualificationCriterion,
    StrategyAllocation,
    Tier,
)
from kam.accounts.visibility import require_edit
from kam.core import changes
from kam.core.models import AuditEvent, Interface, Role, User


def policy() -> AccountPolicy:
    """The company's thresholds, created with the defaults when missing."""
    found = AccountPolicy.objects.first()
    if found is None:
        found = AccountPolicy.objects.create(
            key_min_score=Decimal(70),
            important_min_score=Decimal(45),
            high_potential_from=Decimal(3000000),
            high_share_from_pct=Decimal(40),
            intrude_below_pct=Decimal(10),
        )
    return found


@transaction.atomic
def assess_account(
    account: Account, *, by: User | None, via: str = Interface.WEB, today: date | None = None
) -> Account:
    """Score the account on the seven criteria, set its tier (unless set by hand) and
    its attack / defend segment (§1.2-§1.4).

    The computed figures are written without a version step (an edit open in a form
    stays valid) and recorded as ``tier``, ``segment`` and ``qualification_score`` when
    they move (not the time of every assessment).
    """
    assessment = selectors.assessment_for(account, today=today)
    with changes.tracked(
        account, by=by, via=via, fields=["tier", "segment", "qualification_score"]
    ):
        account.qualification_score = assessment.qualification.total
        account.qualified_at = timezone.now()
        if not account.tier_overridden:
            account.tier = assessment.suggested_tier
        account.segment = assessment.strategy or ""
        Account.objects.filter(pk=account.pk).update(
            qualification_score=account.qualification_score,
            qualified_at=account.qualified_at,
            tier=account.tier,
            segment=account.segment,
        )
    return account


@transaction.atomic
def override_tier(
    account: Account,
    *,
    tier: str,
    reason: str,
    by: User,
    expected_version: int | None,
    via: str = Interface.WEB,
) -> Account:
    """Set the tier by hand, recording who and why (§1.3)."""
    require_edit(by, account)
    if tier not in Tier.values:
        raise ValidationError({"tier": _("Choose a tier.")})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the tier differs from the score.")})
    changes.update(
        account,
        {
            "tier": tier,
            "tier_overridden": True,
            "tier_override_reason": reason,
            "tier_override_by": by,
            "tier_override_at": timezone.now(),
        },
        by=by,
        via=via,
        expected_version=expected_version,
        clean=None,
        always=True,
    )
    return account


@transaction.atomic
def clear_tier_override(
    account: Account, *, by: User, expected_version: int | None, via: str = Interface.WEB
) -> Account:
    """Let the score set the tier again.

    Recorded as the override cleared (flag, reason, who, when); the reassessment that
    follows records the tier.
    """
    require_edit(by, account)
    changes.update(
        account,
        {
            "tier_overridden": False,
            "tier_override_reason": "",
            "tier_override_by": None,
            "tier_override_at": None,
        },
        by=by,
        via=via,
        expected_version=expected_version,
        clean=None,
        always=True,
    )
    return assess_account(account, by=by, via=via)


def _require_admin(by: User | None) -> None:
    if by is not None and not by.is_kam_admin:
        raise PermissionDenied


@transaction.atomic
def update_criteria(
    values: dict[str, dict[str, Decimal]], *, by: User | None, via: str = Interface.WEB
) -> list[QualificationCriterion]:
    """Change the company's weights and scales of the seven criteria (admins only)."""
    _require_admin(by)
    criteria = list(QualificationCriterion.objects.order_by("order"))
    for criterion in criteria:
        row = values.get(criterion.key)
        if not row:
            continue

        def clean(instance: models.Model, criterion: QualificationCriterion = criterion) -> None:
            changes.full_clean(instance)
            if criterion.zero_at == criterion.full_at:
                raise ValidationError(
                    {criterion.key: _("The values for 0 and for 100 points must differ.")}
                )

        changes.update(
            criterion,
            {key: row[key] for key in ("weight", "zero_at", "full_at") if key in row},
            by=by,
            via=via,
            clean=clean,
        )
    if sum((c.weight for c in criteria), Decimal(0)) <= 0:
        raise ValidationError(_("At least one criterion needs a weight above zero."))
    return criteria


@transaction.atomic
def update_policy(*, by: User | None, via: str = Interface.WEB, **fields: Any) -> AccountPolicy:
    """Change the tier thresholds and the matrix thresholds (admins only)."""
    _require_admin(by)
    current = policy()

    def clean(instance: models.Model) -> None:
        changes.full_clean(instance)
        if current.important_min_score > current.key_min_score:
            raise ValidationError(
                {"important_min_score": _("The important tier must start below the key tier.")}
            )
        if current.intrude_below_pct > current.high_share_from_pct:
            raise ValidationError(
                {"intrude_below_pct": _("A competitor stronghold must lie below a high share.")}
            )

    changes.update(current, fields, by=by, via=via, clean=clean, always=True)
    return current


@transaction.atomic
def save_allocation(
    *,
    year: int,
    strategy: str,
    planned_hours: Decimal,
    planned_people: int,
    planned_budget: Decimal,
    by: User | None,
    via: str = Interface.WEB,
) -> StrategyAllocation:
    """Plan the time, people and money for one strategy in a year (§1.4)."""
    if by is not None and not (by.sees_everything or by.role == Role.MANAGER):
        raise PermissionDenied
    allocation = StrategyAllocation.objects.filter(year=year, strategy=strategy).first()
    created = allocation is None
    allocation = allocation or StrategyAllocation(year=year, strategy=strategy)
    action = AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE
    with changes.tracked(allocation, by=by, via=via, action=action, always=True):
        allocation.planned_hours = planned_hours
        allocation.planned_people = planned_people
        allocation.planned_budget = planned_budget
        changes.full_clean(allocation)
        allocation.save()
    return allocation
