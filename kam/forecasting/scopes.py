"""Whose numbers: the company, a team's subtree, one rep, or one account.

A scope is named by a key (``company``, ``team:5``, ``rep:7``, ``account:3``)
and resolved against the viewer's visibility: a team, rep or account the user
may not see is a 404, exactly like the object pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from kam.accounts.models import Account
from kam.accounts.visibility import visible_accounts
from kam.core.models import Role, Team, User
from kam.core.visibility import (
    managed_team_ids,
    sees_all_accounts,
    visible_teams,
    visible_users,
)

COMPANY = "company"
TEAM = "team"
REP = "rep"
ACCOUNT = "account"

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Scope:
    kind: str
    team: Team | None = None
    rep: User | None = None
    account: Account | None = None

    @property
    def key(self) -> str:
        if self.team is not None:
            return f"{TEAM}:{self.team.pk}"
        if self.rep is not None:
            return f"{REP}:{self.rep.pk}"
        if self.account is not None:
            return f"{ACCOUNT}:{self.account.pk}"
        return COMPANY

    @property
    def label(self) -> str:
        if self.team is not None:
            return str(self.team)
        if self.rep is not None:
            return str(self.rep)
        if self.account is not None:
            return str(self.account)
        return str(_("Company"))

    @cached_property
    def subtree_team_ids(self) -> list[int]:
        """The team and every team below it (read once per scope)."""
        assert self.team is not None
        return list(
            Team.objects.filter(path__startswith=self.team.path).values_list("pk", flat=True)
        )

    @cached_property
    def subtree_member_ids(self) -> list[int]:
        """Everyone whose team is in the subtree, now (read once per scope)."""
        assert self.team is not None
        return list(
            User.objects.filter(team__path__startswith=self.team.path).values_list("pk", flat=True)
        )

    def filter(
        self,
        queryset: QuerySet[M],
        *,
        owner: str = "owner",
        account: str = "account",
        team: str | None = None,
    ) -> QuerySet[M]:
        """Narrow records (already limited to what the viewer sees) to this scope.

        ``team`` names a team field recorded on the row itself (snapshots keep
        the owner's team of that week); otherwise the owner's current team counts.
        The subtree is a list of team (owner) ids, not a join on the path, so the
        database looks the rows up by an index on the team (owner).
        """
        if self.team is not None:
            if team:
                return queryset.filter(**{f"{team}__in": self.subtree_team_ids})
            return queryset.filter(**{f"{owner}__in": self.subtree_member_ids})
        if self.rep is not None:
            return queryset.filter(**{owner: self.rep})
        if self.account is not None:
            return queryset.filter(**{account: self.account})
        return queryset


def sees_whole(user: User, scope: Scope) -> bool:
    """Whether the user sees every figure of the scope, not only the part their visibility
    leaves in it.

    Only then does a figure of the whole scope (its target, a manager's adjusted
    forecast) stand beside its forecast; set beside a partial forecast it would be
    both misleading and a figure the user may not see. Directors, administrators and
    finance see the company; a manager the teams they manage and everyone in them; a
    rep themselves. An account has no target.
    """
    if sees_all_accounts(user) or scope.account is not None:
        return True
    if scope.team is not None:
        return scope.team.pk in managed_team_ids(user)
    if scope.rep is not None:
        return scope.rep.pk == user.pk or scope.rep.team_id in managed_team_ids(user)
    return False


def default_scope(user: User) -> Scope:
    """A rep starts on their own numbers, a manager on their team, others on the company."""
    if user.role == Role.REP:
        return Scope(REP, rep=user)
    if user.role == Role.MANAGER:
        managed = Team.objects.filter(pk__in=managed_team_ids(user)).order_by("path").first()
        if managed is not None:
            return Scope(TEAM, team=managed)
    return Scope(COMPANY)


def resolve_scope(user: User, key: str | None) -> Scope:
    """The scope named by ``key`` if the user may see it; 404 otherwise."""
    key = (key or "").strip()
    if not key:
        return default_scope(user)
    if key == COMPANY:
        return Scope(COMPANY)
    kind, _sep, raw_id = key.partition(":")
    if kind not in (TEAM, REP, ACCOUNT) or not raw_id.isdigit():
        raise ValidationError(
            _("“%(value)s” is not a scope. Use company, team:<id>, rep:<id> or account:<id>."),
            code="invalid_scope",
            params={"value": key[:40]},
        )
    pk = int(raw_id)
    if kind == TEAM:
        team = visible_teams(user).filter(pk=pk).first()
        if team is None:
            raise Http404
        return Scope(TEAM, team=team)
    if kind == REP:
        rep = visible_users(user).filter(pk=pk).select_related("team").first()
        if rep is None:
            raise Http404
        return Scope(REP, rep=rep)
    account = visible_accounts(user).filter(pk=pk).first()
    if account is None:
        raise Http404
    return Scope(ACCOUNT, account=account)


def scope_choices(user: User) -> list[tuple[str, str]]:
    """The scopes offered in the picker: company, visible teams (indented), visible reps."""
    choices = [(COMPANY, str(_("Company")))]
    for team in visible_teams(user).order_by("path"):
        choices.append((f"{TEAM}:{team.pk}", "\u2003" * max(team.depth, 0) + team.name))
    reps = visible_users(user).filter(Q(role=Role.REP) | Q(pk=user.pk)).filter(is_active=True)
    for rep in reps.order_by("team__path", "username"):
        choices.append((f"{REP}:{rep.pk}", f"· {rep}"))
    return choices
