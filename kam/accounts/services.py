"""Every change to accounts and what hangs off them (DOMAIN.md §1).

Each function validates, writes in one transaction, records the audit trail and
returns the instance; views, the API, commands and the demo all call these.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts import calculations
from kam.accounts.models import (
    Account,
    AccountMember,
    AccountPlan,
    AccountPolicy,
    GrowthLever,
    LatentNeed,
    PlanAction,
    PlanObjective,
    ProductLine,
    QualificationCriterion,
    StrategyAllocation,
    Tier,
    WhitespaceCell,
)
from kam.accounts.visibility import can_edit_account, visible_accounts
from kam.core import audit
from kam.core.concurrency import save_versioned
from kam.core.models import AuditEvent, Interface, User
from kam.core.providers import Provider

# Fields of the account profile (§1.1) that people edit directly.
PROFILE_FIELDS = [
    "name",
    "industry",
    "nature",
    "scale",
    "city",
    "address",
    "post_code",
    "website",
    "employees",
    "business",
    "business_status",
    "competitive_environment",
    "core_business_structure",
    "financial_year",
    "annual_revenue",
    "annual_profit",
    "purchase_potential",
    "margin_pct",
    "payment_cycle_days",
    "goal_access",
    "openness",
    "owner",
    "parent",
]


class DuplicateAccountError(ValidationError):
    """The name is already taken; ``existing`` is the account to offer instead."""

    def __init__(self, existing: Account, visible: bool) -> None:
        self.existing = existing
        self.existing_visible = visible
        message = (
            _("An account with this name already exists: %(name)s. Open it instead.")
            if visible
            else _("An account with this name already exists; ask its owner to add you to it.")
        )
        super().__init__({"name": [message % {"name": existing.name}]})


def _require_edit(user: User | None, account: Account) -> None:
    if user is not None and not can_edit_account(user, account):
        raise PermissionDenied


def normalised_name(name: str) -> str:
    """The name as compared for duplicates: trimmed, single spaces, half-width brackets."""
    name = name.strip().replace("（", "(").replace("）", ")")
    return re.sub(r"\s+", " ", name)


def find_duplicate(name: str, exclude_pk: int | None = None) -> Account | None:
    """An existing account with the same name, written with either kind of bracket."""
    name = normalised_name(name)
    variants = {name, name.replace("(", "（").replace(")", "）")}
    query = models.Q()
    for variant in variants:
        query |= models.Q(name__iexact=variant)
    candidates = Account.objects.filter(query)
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    return candidates.order_by("pk").first()


def _check_duplicate(name: str, by: User | None, exclude_pk: int | None = None) -> None:
    existing = find_duplicate(name, exclude_pk)
    if existing is not None:
        visible = by is None or visible_accounts(by).filter(pk=existing.pk).exists()
        raise DuplicateAccountError(existing, visible)


def _check_parent(account: Account, parent: Account | None, by: User | None) -> None:
    """Refuse a parent that would make the group tree a cycle (§1.1 group structure),
    or one the user may not see (naming it would reveal it)."""
    if parent is None:
        return
    if by is not None and not visible_accounts(by).filter(pk=parent.pk).exists():
        raise ValidationError({"parent": _("Choose a parent company you can see.")})
    if account.pk is not None and parent.pk == account.pk:
        raise ValidationError({"parent": _("An account cannot be its own parent company.")})
    if account.pk is None:
        return
    seen: set[int] = set()
    current: int | None = parent.pk
    while current is not None and current not in seen:
        if current == account.pk:
            raise ValidationError(
                {
                    "parent": _(
                        "This parent company is itself a subsidiary of this account; "
                        "the group structure would go round in a circle."
                    )
                }
            )
        seen.add(current)
        current = Account.objects.filter(pk=current).values_list("parent_id", flat=True).first()


def _clean(instance: models.Model, exclude: list[str] | None = None) -> None:
    instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


@transaction.atomic
def create_account(
    *, name: str, owner: User, by: User | None, via: str = Interface.WEB, **fields: Any
) -> Account:
    """Create an account with its profile (§1.1); refuses a name that already exists."""
    if by is not None and by.role == "finance":
        raise PermissionDenied
    name = normalised_name(name)
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"unknown account fields: {sorted(unknown)}")
    account = Account(name=name, owner=owner, **fields)
    _clean(account)
    _check_duplicate(name, by)
    _check_parent(account, account.parent, by)
    account.save()
    audit.record(AuditEvent.Action.CREATE, account, by=by, via=via, changes=audit.snapshot(account))
    assess_account(account, by=by, via=via)
    return account


@transaction.atomic
def update_account(
    account: Account,
    *,
    by: User | None,
    expected_version: int | None,
    via: str = Interface.WEB,
    **fields: Any,
) -> Account:
    """Change the profile of an account; a stale edit raises ``ConflictError``."""
    _require_edit(by, account)
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"unknown account fields: {sorted(unknown)}")
    before = audit.snapshot(account)
    if "name" in fields:
        fields["name"] = normalised_name(fields["name"])
    for key, value in fields.items():
        setattr(account, key, value)
    try:
        _clean(account)
        if "name" in fields:
            _check_duplicate(account.name, by, exclude_pk=account.pk)
        if "parent" in fields and account.parent_id != before.get("parent_id"):
            _check_parent(account, account.parent, by)
    except ValidationError:
        account.refresh_from_db()
        raise
    attnames = [Account._meta.get_field(f).attname for f in fields]  # type: ignore[union-attr]
    changed = audit.diff(before, audit.snapshot(account, attnames))
    save_versioned(account, expected_version, attnames or ["name"])
    audit.record(
        AuditEvent.Action.UPDATE,
        account,
        by=by,
        via=via,
        changes=audit.diff(before, audit.snapshot(account)),
    )
    if changed:
        assess_account(account, by=by, via=via)
    return account


# --- the account team ---------------------------------------------------------


@transaction.atomic
def add_member(
    account: Account,
    *,
    user: User,
    role: str,
    by: User | None,
    via: str = Interface.WEB,
) -> AccountMember:
    """Put a colleague on the account team with a role; they then see the account."""
    _require_edit(by, account)
    if not user.is_active:
        raise ValidationError({"user": _("This colleague's user is disabled.")})
    if user.pk == account.owner_id:
        raise ValidationError({"user": _("The owner is on the account team already.")})
    if AccountMember.objects.filter(account=account, user=user).exists():
        raise ValidationError({"user": _("This colleague is on the account team already.")})
    member = AccountMember(account=account, user=user, role=role)
    _clean(member)
    member.save()
    audit.record(
        AuditEvent.Action.CREATE,
        member,
        by=by,
        via=via,
        changes={"account": account.pk, "user": user.pk, "role": role},
    )
    return member


@transaction.atomic
def change_member_role(
    member: AccountMember, *, role: str, by: User | None, via: str = Interface.WEB
) -> AccountMember:
    _require_edit(by, member.account)
    before = member.role
    member.role = role
    _clean(member)
    member.save(update_fields=["role"])
    audit.record(AuditEvent.Action.UPDATE, member, by=by, via=via, changes={"role": [before, role]})
    return member


@transaction.atomic
def remove_member(member: AccountMember, *, by: User | None, via: str = Interface.WEB) -> None:
    _require_edit(by, member.account)
    audit.record(
        AuditEvent.Action.DELETE,
        member,
        by=by,
        via=via,
        changes={"account": member.account_id, "user": member.user_id, "role": member.role},
    )
    member.delete()


# --- things recorded about an account (installed base, departments, competitors,
# notes, SWOT, latent needs, value periods) --------------------------------------


@transaction.atomic
def add_item(
    account: Account,
    model: type[models.Model],
    *,
    by: User | None,
    via: str = Interface.WEB,
    **fields: Any,
) -> Any:
    """Record one item about ``account`` (e.g. a competitor present there)."""
    _require_edit(by, account)
    item = model(account=account, **fields)
    if hasattr(item, "author_id") and by is not None and item.author_id is None:  # type: ignore[attr-defined]
        item.author = by  # type: ignore[attr-defined]
    _clean(item)
    if hasattr(item, "year"):
        clash = model._default_manager.filter(account=account, year=item.year)  # type: ignore[attr-defined]
        if clash.exists():
            raise ValidationError({"year": _("This year is recorded already; change that one.")})
    item.save()
    audit.record(AuditEvent.Action.CREATE, item, by=by, via=via, changes=audit.snapshot(item))
    return item


@transaction.atomic
def update_item(item: Any, *, by: User | None, via: str = Interface.WEB, **fields: Any) -> Any:
    _require_edit(by, item.account)
    before = audit.snapshot(item)
    for key, value in fields.items():
        setattr(item, key, value)
    try:
        _clean(item)
        if "year" in fields:
            clash = type(item)._default_manager.filter(account_id=item.account_id, year=item.year)
            if clash.exclude(pk=item.pk).exists():
                raise ValidationError(
                    {"year": _("This year is recorded already; change that one.")}
                )
    except ValidationError:
        item.refresh_from_db()
        raise
    item.save()
    audit.record(
        AuditEvent.Action.UPDATE,
        item,
        by=by,
        via=via,
        changes=audit.diff(before, audit.snapshot(item)),
    )
    return item


@transaction.atomic
def remove_item(item: Any, *, by: User | None, via: str = Interface.WEB) -> None:
    _require_edit(by, item.account)
    audit.record(AuditEvent.Action.DELETE, item, by=by, via=via, changes=audit.snapshot(item))
    item.delete()


# --- qualification, tier and segment (§1.2-§1.4) --------------------------------


def policy() -> AccountPolicy:
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
    its attack / defend segment (§1.2-§1.4)."""
    from kam.accounts import selectors

    assessment = selectors.assessment_for(account, today=today)
    before = {
        "tier": account.tier,
        "segment": account.segment,
        "score": account.qualification_score,
    }
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
    after = {"tier": account.tier, "segment": account.segment, "score": account.qualification_score}
    changes = audit.diff(
        {k: audit._plain(v) for k, v in before.items()},
        {k: audit._plain(v) for k, v in after.items()},
    )
    if changes:
        audit.record(AuditEvent.Action.UPDATE, account, by=by, via=via, changes=changes)
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
    _require_edit(by, account)
    if tier not in Tier.values:
        raise ValidationError({"tier": _("Choose a tier.")})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the tier differs from the score.")})
    before = audit.snapshot(account)
    account.tier = tier
    account.tier_overridden = True
    account.tier_override_reason = reason
    account.tier_override_by = by
    account.tier_override_at = timezone.now()
    save_versioned(
        account,
        expected_version,
        [
            "tier",
            "tier_overridden",
            "tier_override_reason",
            "tier_override_by_id",
            "tier_override_at",
        ],
    )
    audit.record(
        AuditEvent.Action.UPDATE,
        account,
        by=by,
        via=via,
        changes=audit.diff(before, audit.snapshot(account)),
    )
    return account


@transaction.atomic
def clear_tier_override(
    account: Account, *, by: User, expected_version: int | None, via: str = Interface.WEB
) -> Account:
    """Let the score set the tier again."""
    _require_edit(by, account)
    account.tier_overridden = False
    account.tier_override_reason = ""
    account.tier_override_by = None
    account.tier_override_at = None
    save_versioned(
        account,
        expected_version,
        ["tier_overridden", "tier_override_reason", "tier_override_by_id", "tier_override_at"],
    )
    audit.record(
        AuditEvent.Action.UPDATE,
        account,
        by=by,
        via=via,
        changes={"tier_overridden": [True, False]},
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
        before = audit.snapshot(criterion)
        for key in ("weight", "zero_at", "full_at"):
            if key in row:
                setattr(criterion, key, row[key])
        _clean(criterion)
        if criterion.zero_at == criterion.full_at:
            raise ValidationError(
                {criterion.key: _("The values for 0 and for 100 points must differ.")}
            )
        criterion.save()
        changes = audit.diff(before, audit.snapshot(criterion))
        if changes:
            audit.record(AuditEvent.Action.UPDATE, criterion, by=by, via=via, changes=changes)
    if sum((c.weight for c in criteria), Decimal(0)) <= 0:
        raise ValidationError(_("At least one criterion needs a weight above zero."))
    return criteria


@transaction.atomic
def update_policy(*, by: User | None, via: str = Interface.WEB, **fields: Any) -> AccountPolicy:
    """Change the tier thresholds and the matrix thresholds (admins only)."""
    _require_admin(by)
    current = policy()
    before = audit.snapshot(current)
    for key, value in fields.items():
        setattr(current, key, value)
    _clean(current)
    if current.important_min_score > current.key_min_score:
        raise ValidationError(
            {"important_min_score": _("The important tier must start below the key tier.")}
        )
    if current.intrude_below_pct > current.high_share_from_pct:
        raise ValidationError(
            {"intrude_below_pct": _("A competitor stronghold must lie below a high share.")}
        )
    current.save()
    audit.record(
        AuditEvent.Action.UPDATE,
        current,
        by=by,
        via=via,
        changes=audit.diff(before, audit.snapshot(current)),
    )
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
    if by is not None and not (by.sees_everything or by.role == "manager"):
        raise PermissionDenied
    allocation = StrategyAllocation.objects.filter(year=year, strategy=strategy).first()
    created = allocation is None
    allocation = allocation or StrategyAllocation(year=year, strategy=strategy)
    before = audit.snapshot(allocation)
    allocation.planned_hours = planned_hours
    allocation.planned_people = planned_people
    allocation.planned_budget = planned_budget
    _clean(allocation)
    allocation.save()
    audit.record(
        AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        allocation,
        by=by,
        via=via,
        changes=audit.diff(before, audit.snapshot(allocation)),
    )
    return allocation


# --- latent needs into opportunities (§1.6) --------------------------------------


def _no_pipeline(**fields: Any) -> Any:
    raise ValidationError(_("Opportunities cannot be created here yet."))


#: Opening a deal at an account (keyword arguments of
#: ``kam.pipeline.services.create_opportunity``); the pipeline answers (``kam.pipeline.apps``).
open_opportunity: Provider[..., Any] = Provider("opening an opportunity", _no_pipeline)


@transaction.atomic
def turn_need_into_opportunity(
    need: LatentNeed,
    *,
    name: str,
    amount: Decimal,
    expected_close_date: date,
    by: User,
    via: str = Interface.WEB,
) -> Any:
    """Open an opportunity for a latent need in one step, and link the two."""
    _require_edit(by, need.account)
    if need.opportunity_id is not None:
        raise ValidationError(_("This need has an opportunity already."))
    if amount is None or amount < 0:
        raise ValidationError({"amount": _("The amount cannot be negative.")})
    opportunity = open_opportunity(
        account=need.account,
        name=name,
        amount=amount,
        owner=need.account.owner,
        expected_close_date=expected_close_date,
        by=by,
        via=via,
    )
    need.opportunity = opportunity
    need.save(update_fields=["opportunity"])
    audit.record(
        AuditEvent.Action.UPDATE,
        need,
        by=by,
        via=via,
        changes={"opportunity": [None, opportunity.pk]},
    )
    return opportunity


# --- account plans (§1.5, §1.7) -------------------------------------------------


@transaction.atomic
def create_plan(
    account: Account, *, year: int, by: User | None, via: str = Interface.WEB, **fields: Any
) -> AccountPlan:
    _require_edit(by, account)
    plan = AccountPlan(account=account, year=year, **fields)
    _clean(plan)
    if AccountPlan.objects.filter(account=account, year=year).exists():
        raise ValidationError({"year": _("This account has a plan for this year already.")})
    plan.save()
    audit.record(AuditEvent.Action.CREATE, plan, by=by, via=via, changes=audit.snapshot(plan))
    return plan


@transaction.atomic
def update_plan(
    plan: AccountPlan,
    *,
    by: User | None,
    expected_version: int | None,
    via: str = Interface.WEB,
    **fields: Any,
) -> AccountPlan:
    _require_edit(by, plan.account)
    before = audit.snapshot(plan)
    fields.pop("year", None)
    for key, value in fields.items():
        setattr(plan, key, value)
    try:
        _clean(plan)
    except ValidationError:
        plan.refresh_from_db()
        raise
    save_versioned(plan, expected_version, list(fields) or ["value_proposition"])
    audit.record(
        AuditEvent.Action.UPDATE,
        plan,
        by=by,
        via=via,
        changes=audit.diff(before, audit.snapshot(plan)),
    )
    return plan


@transaction.atomic
def add_plan_item(
    plan: AccountPlan,
    model: type[models.Model],
    *,
    by: User | None,
    via: str = Interface.WEB,
    **fields: Any,
) -> Any:
    """Add a growth lever or an objective to a plan."""
    _require_edit(by, plan.account)
    item = model(plan=plan, **fields)
    _clean(item)
    item.save()
    audit.record(AuditEvent.Action.CREATE, item, by=by, via=via, changes=audit.snapshot(item))
    return item


@transaction.atomic
def remove_plan_item(item: Any, *, by: User | None, via: str = Interface.WEB) -> None:
    plan = item.plan if hasattr(item, "plan") else item.objective.plan
    _require_edit(by, plan.account)
    audit.record(AuditEvent.Action.DELETE, item, by=by, via=via, changes=audit.snapshot(item))
    item.delete()


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
    """Mark one cell of the whitespace map; an empty status clears it."""
    _require_edit(by, plan.account)
    unit = unit.strip()
    if not unit:
        raise ValidationError({"unit": _("Name the business unit or subsidiary.")})
    cell = WhitespaceCell.objects.filter(plan=plan, unit=unit, product_line=product_line).first()
    if not status:
        if cell is not None:
            audit.record(
                AuditEvent.Action.DELETE, cell, by=by, via=via, changes=audit.snapshot(cell)
            )
            cell.delete()
        return None
    before = audit.snapshot(cell) if cell else {}
    cell = cell or WhitespaceCell(plan=plan, unit=unit, product_line=product_line)
    cell.status = status
    _clean(cell)
    cell.save()
    audit.record(
        AuditEvent.Action.UPDATE if before else AuditEvent.Action.CREATE,
        cell,
        by=by,
        via=via,
        changes=audit.diff(before, audit.snapshot(cell)),
    )
    return cell


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
    _require_edit(by, account)
    action = PlanAction(objective=objective, text=text, owner=owner, due_date=due_date, **fields)
    _clean(action)
    for linked in (action.activity, action.opportunity):
        if linked is not None and linked.account_id != account.pk:
            raise ValidationError(_("Link only activities and opportunities of this account."))
    action.save()
    audit.record(AuditEvent.Action.CREATE, action, by=by, via=via, changes=audit.snapshot(action))
    return action


@transaction.atomic
def set_action_status(
    action: PlanAction, *, status: str, by: User | None, via: str = Interface.WEB
) -> PlanAction:
    _require_edit(by, action.objective.plan.account)
    before = action.status
    action.status = status
    _clean(action)
    action.save(update_fields=["status"])
    audit.record(
        AuditEvent.Action.UPDATE, action, by=by, via=via, changes={"status": [before, status]}
    )
    return action


def priority(lever: GrowthLever) -> str:
    return calculations.priority_for(lever.attractiveness, lever.probability)
