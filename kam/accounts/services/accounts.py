"""Creating and changing accounts and their team (DOMAIN.md §1.1)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from kam.accounts.models import Account, AccountMember
from kam.accounts.services.qualification import assess_account
from kam.accounts.visibility import require_edit, visible_accounts
from kam.core import changes
from kam.core.models import Interface, Role, User

# Fields of the account profile (§1.1) that people edit directly.
PROFILE_FIELDS = [
    "name",
    "industry",
    "nature",
    "scale",
    "attitude",
    "product_usage",
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
    "credit_standing",
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


def _check_profile_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"unknown account fields: {sorted(unknown)}")


@transaction.atomic
def create_account(
    *, name: str, owner: User, by: User | None, via: str = Interface.WEB, **fields: Any
) -> Account:
    """Create an account with its profile (§1.1); refuses a name that already exists."""
    if by is not None and by.role == Role.FINANCE:
        raise PermissionDenied
    name = normalised_name(name)
    _check_profile_fields(fields)
    account = Account(name=name, owner=owner, **fields)
    changes.full_clean(account)
    _check_duplicate(name, by)
    _check_parent(account, account.parent, by)
    changes.create(account, by=by, via=via, clean=None)
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
    """Change the profile of an account; a stale edit raises ``ConflictError``.

    Every save is recorded, even one that changes nothing; the account is assessed
    again only when its profile changed.
    """
    require_edit(by, account)
    _check_profile_fields(fields)
    if "name" in fields:
        fields["name"] = normalised_name(fields["name"])
    parent_before = account.parent_id

    def clean(instance: models.Model) -> None:
        changes.full_clean(instance)
        if "name" in fields:
            _check_duplicate(account.name, by, exclude_pk=account.pk)
        if "parent" in fields and account.parent_id != parent_before:
            _check_parent(account, account.parent, by)

    try:
        changed = changes.update(
            account,
            fields,
            by=by,
            via=via,
            expected_version=expected_version,
            clean=clean,
            # A save without a field still moves the version on.
            also_save=() if fields else ["name"],
            always=True,
        )
    except ValidationError:
        account.refresh_from_db()
        raise
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
    require_edit(by, account)
    if not user.is_active:
        raise ValidationError({"user": _("This colleague's user is disabled.")})
    if user.pk == account.owner_id:
        raise ValidationError({"user": _("The owner is on the account team already.")})
    if AccountMember.objects.filter(account=account, user=user).exists():
        raise ValidationError({"user": _("This colleague is on the account team already.")})
    return changes.create(AccountMember(account=account, user=user, role=role), by=by, via=via)


@transaction.atomic
def change_member_role(
    member: AccountMember, *, role: str, by: User | None, via: str = Interface.WEB
) -> AccountMember:
    """Change a colleague's role on the account team (recorded even when it stays)."""
    require_edit(by, member.account)
    changes.update(member, {"role": role}, by=by, via=via, always=True)
    return member


@transaction.atomic
def remove_member(member: AccountMember, *, by: User | None, via: str = Interface.WEB) -> None:
    """Take a colleague off the account team."""
    require_edit(by, member.account)
    changes.delete(member, by=by, via=via)
