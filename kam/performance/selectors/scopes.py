"""Whose scorecard: one rep, a team's subtree or the company, as the reader may see."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from kam.core.models import Team, User
from kam.core.visibility import managed_team_ids


@dataclass(frozen=True)
class Scope:
    """Whose scorecard: one rep, a team's subtree, or the company."""

    key: str
    label: str
    rep_ids: tuple[int, ...]
    rep: User | None = None
    team: Team | None = None


def rep_scope(rep: User) -> Scope:
    return Scope(key=f"rep-{rep.pk}", label=str(rep), rep_ids=(rep.pk,), rep=rep)


def team_scopes(user: User) -> list[Scope]:
    """The teams (and, for directors, the company) whose scorecard ``user`` may read."""
    if not user.is_authenticated or not user.is_active:
        return []
    scopes: list[Scope] = []
    teams = list(Team.objects.all()) if user.sees_everything else []
    if user.sees_everything:
        scopes.append(
            Scope(
                key="company",
                label=str(_company_label()),
                rep_ids=tuple(User.objects.filter(is_active=True).values_list("pk", flat=True)),
            )
        )
    else:
        ids = managed_team_ids(user)
        teams = list(Team.objects.filter(pk__in=ids))
    members: dict[int, list[int]] = defaultdict(list)
    for pk, team_id in User.objects.filter(is_active=True, team__isnull=False).values_list(
        "pk", "team_id"
    ):
        members[team_id].append(pk)
    all_teams = list(Team.objects.values_list("pk", "path"))
    for team in teams:
        subtree = [pk for pk, path in all_teams if path.startswith(team.path)]
        reps = tuple(sorted(pk for t in subtree for pk in members.get(t, [])))
        scopes.append(Scope(key=f"team-{team.pk}", label=team.name, rep_ids=reps, team=team))
    return scopes


def _company_label() -> str:
    from django.utils.translation import gettext

    return gettext("Company")
