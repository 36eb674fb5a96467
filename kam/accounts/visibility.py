"""The account half of KAM's one visibility rule (see :mod:`kam.core.visibility`).

Every selector, export, chart and API view starts from :func:`visible_accounts`
or, for records hanging off an account, from :func:`scope_to_visible_accounts`.
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet

from kam.accounts.models import Account, AccountMember, AccountPlan, PlanReview
from kam.core.models import Role, User
from kam.core.visibility import managed_team_ids, sees_all_accounts

M = TypeVar("M", bound=Model)


def _visible_q(user: User) -> Q | None:
    """The filter for the accounts ``user`` may read; None means all."""
    if sees_all_accounts(user):
        return None
    memberships = AccountMember.objects.filter(user=user).values("account_id")
    query = Q(owner=user) | Q(pk__in=memberships)
    team_ids = managed_team_ids(user)
    if team_ids:
        # The team's people as a subquery, not a join to the owner: each term of the OR
        # is then an index lookup (SQLite's multi-index OR) instead of a scan of every
        # account with its owner.
        query |= Q(owner_id__in=User.objects.filter(team_id__in=team_ids).values("pk"))
        query |= Q(
            pk__in=AccountMember.objects.filter(user__team_id__in=team_ids).values("account_id")
        )
    return query


def visible_accounts(user: User) -> QuerySet[Account]:
    """The accounts ``user`` may read."""
    if not user.is_authenticated or not user.is_active:
        return Account.objects.none()
    query = _visible_q(user)
    return Account.objects.all() if query is None else Account.objects.filter(query)


def scope_to_visible_accounts(
    queryset: QuerySet[M], user: User, account_field: str = "account"
) -> QuerySet[M]:
    """Restrict records that hang off an account to the accounts ``user`` may read."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if sees_all_accounts(user):
        return queryset
    return queryset.filter(**{f"{account_field}__in": visible_accounts(user).values("pk")})


def can_edit_account(user: User, account: Account) -> bool:
    """Whether ``user`` may change ``account`` and what hangs off it.

    Finance reads accounts but does not change them; everyone else may edit what
    they may see.
    """
    if not user.is_authenticated or not user.is_active or user.role == Role.FINANCE:
        return False
    if user.sees_everything:
        return True
    return visible_accounts(user).filter(pk=account.pk).exists()


def require_edit(
    user: User | None,
    account: Account,
    message: str | None = None,
    refusal: type[Exception] = PermissionDenied,
) -> None:
    """Refuse (``refusal(message)``) unless ``user`` may change ``account``.

    ``user=None`` is KAM itself (a job, a migration of data) and may. Services that
    show the refusal on a form pass ``ValidationError``; the rest answer 403.
    """
    if user is None or can_edit_account(user, account):
        return
    raise refusal(message) if message is not None else refusal()


def editable_accounts(user: User) -> QuerySet[Account]:
    """The accounts ``user`` may change, as one query (:func:`can_edit_account` for many)."""
    if not user.is_authenticated or not user.is_active or user.role == Role.FINANCE:
        return Account.objects.none()
    if user.sees_everything:
        return Account.objects.all()
    return visible_accounts(user)


def may_review(user: User | None, plan: AccountPlan) -> bool:
    """Whether ``user`` may approve or send back ``plan``: the account owner's manager
    (anyone whose teams include the owner's), a director or an administrator; never
    the owner, nor whoever submitted it (nobody approves their own plan)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    owner = plan.account.owner
    if user.pk == owner.pk:
        return False
    last_submit = plan.reviews.filter(step=PlanReview.Step.SUBMIT).first()
    if last_submit is not None and last_submit.by_id == user.pk:
        return False
    if user.sees_everything:
        return True
    return owner.team_id is not None and owner.team_id in managed_team_ids(user)
