"""Who may see whose work: the team half of KAM's one visibility rule.

The rule: a rep sees the accounts they own or are on the account team
of, and everything hanging off them; a manager sees everything of their team's
subtree; directors and administrators see everything; finance sees all
receivables and reads accounts. The account half lives in
:mod:`kam.accounts.visibility`, which every selector starts from.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from kam.core.models import ApiToken, Role, Team, User


def managed_team_ids(user: User) -> list[int]:
    """Ids of every team in the subtrees this user manages (empty for a rep).

    Remembered on the user object, which lives for one request, so a page that
    applies the rule several times asks the database once.
    """
    if not user.is_authenticated or not user.is_active:
        return []
    cached = user.__dict__.get("_kam_managed_team_ids")
    if cached is not None:
        return list(cached)
    roots = Q(manager=user)
    if user.role == Role.MANAGER and user.team_id is not None:
        roots |= Q(pk=user.team_id)
    paths = list(Team.objects.filter(roots).values_list("path", flat=True))
    ids: list[int] = []
    if paths:
        query = Q()
        for path in paths:
            query |= Q(path__startswith=path)
        ids = list(Team.objects.filter(query).values_list("pk", flat=True))
    user.__dict__["_kam_managed_team_ids"] = tuple(ids)
    return ids


def sees_all_accounts(user: User) -> bool:
    """Directors, administrators and finance read every account."""
    return (
        user.is_authenticated
        and user.is_active
        and (user.sees_everything or user.role == Role.FINANCE)
    )


def visible_users(user: User) -> QuerySet[User]:
    """The colleagues whose work this user may see (for filters and roll-ups)."""
    if not user.is_authenticated or not user.is_active:
        return User.objects.none()
    if sees_all_accounts(user):
        return User.objects.all()
    team_ids = managed_team_ids(user)
    return User.objects.filter(Q(pk=user.pk) | Q(team_id__in=team_ids))


def visible_teams(user: User) -> QuerySet[Team]:
    if not user.is_authenticated or not user.is_active:
        return Team.objects.none()
    if sees_all_accounts(user):
        return Team.objects.all()
    ids = managed_team_ids(user)
    if user.team_id:
        ids.append(user.team_id)
    return Team.objects.filter(pk__in=ids)


def visible_api_tokens(user: User) -> QuerySet[ApiToken]:
    """The live API tokens this user may list and revoke: their own; an administrator's
    sees everyone's. Expired tokens no longer authenticate and are not listed."""
    if not user.is_authenticated or not user.is_active:
        return ApiToken.objects.none()
    tokens = ApiToken.objects.filter(
        Q(auth_token__expiry__gt=timezone.now()) | Q(auth_token__expiry__isnull=True)
    ).select_related("auth_token__user")
    if user.is_kam_admin:
        return tokens
    return tokens.filter(auth_token__user=user)
