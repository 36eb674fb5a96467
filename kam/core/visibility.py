"""Who may see whose work: the team half of KAM's one visibility rule.

The rule (issue 2): a rep sees the accounts they own or are on the account team
of, and everything hanging off them; a manager sees everything of their team's
subtree; directors and administrators see everything; finance sees all
receivables and reads accounts. The account half lives in
:mod:`kam.accounts.visibility`, which every selector starts from.
"""

from __future__ import annotations

from django.db.models import Q

from kam.core.models import Role, Team, User


def managed_team_ids(user: User) -> list[int]:
    """Ids of every team in the subtrees this user manages (empty for a rep)."""
    if not user.is_authenticated or not user.is_active:
        return []
    roots = list(Team.objects.filter(manager=user).values_list("path", flat=True))
    if user.role == Role.MANAGER and user.team_id is not None:
        own = Team.objects.filter(pk=user.team_id).values_list("path", flat=True).first()
        if own:
            roots.append(own)
    if not roots:
        return []
    query = Q()
    for path in roots:
        query |= Q(path__startswith=path)
    return list(Team.objects.filter(query).values_list("pk", flat=True))


def sees_all_accounts(user: User) -> bool:
    """Directors, administrators and finance read every account."""
    return (
        user.is_authenticated
        and user.is_active
        and (user.sees_everything or user.role == Role.FINANCE)
    )


def visible_users(user: User):  # type: ignore[no-untyped-def]
    """The colleagues whose work this user may see (for filters and roll-ups)."""
    if not user.is_authenticated or not user.is_active:
        return User.objects.none()
    if sees_all_accounts(user):
        return User.objects.all()
    team_ids = managed_team_ids(user)
    return User.objects.filter(Q(pk=user.pk) | Q(team_id__in=team_ids))


def visible_teams(user: User):  # type: ignore[no-untyped-def]
    if not user.is_authenticated or not user.is_active:
        return Team.objects.none()
    if sees_all_accounts(user):
        return Team.objects.all()
    ids = managed_team_ids(user)
    if user.team_id:
        ids.append(user.team_id)
    return Team.objects.filter(pk__in=ids)
