"""Targets: explicit where set, rolled up the team tree where not (§5)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from kam.core.models import Role, Team, User
from kam.core.visibility import visible_teams
from kam.forecasting import scopes
from kam.forecasting.calculations import ZERO, TargetNode
from kam.forecasting.models import Target
from kam.forecasting.periods import Period
from kam.forecasting.scopes import Scope


@dataclass(frozen=True)
class TargetFigure:
    """A scope's target: the explicit one (if set), the roll-up of its members, the one used."""

    explicit: Decimal | None
    rolled_up: Decimal
    target_id: int | None = None
    version: int | None = None

    @property
    def effective(self) -> Decimal | None:
        if self.explicit is not None:
            return self.explicit
        return self.rolled_up if self.rolled_up else None


class TargetBook:
    """All targets of one metric and period, rolled up the team tree (bounded queries)."""

    def __init__(self, metric: str, period: Period) -> None:
        self.metric, self.period = metric, period
        rows = list(
            Target.objects.filter(
                metric=metric, period_kind=period.kind, period_start=period.start
            ).values("pk", "version", "team_id", "user_id", "user__team_id", "amount")
        )
        self.user_rows = {r["user_id"]: r for r in rows if r["user_id"]}
        self.team_rows = {r["team_id"]: r for r in rows if r["team_id"]}
        company = [r for r in rows if not r["user_id"] and not r["team_id"]]
        self.company_row = company[0] if company else None
        teams = list(Team.objects.values("pk", "parent_id"))
        self.nodes = {
            t["pk"]: TargetNode(
                team_id=t["pk"],
                explicit=self.team_rows[t["pk"]]["amount"] if t["pk"] in self.team_rows else None,
            )
            for t in teams
        }
        self.roots: list[TargetNode] = []
        for t in teams:
            parent = self.nodes.get(t["parent_id"]) if t["parent_id"] else None
            (parent.children if parent else self.roots).append(self.nodes[t["pk"]])
        self.unteamed: list[Decimal] = []
        for row in self.user_rows.values():
            node = self.nodes.get(row["user__team_id"])
            (node.member_targets if node else self.unteamed).append(row["amount"])

    def for_user(self, user: User) -> TargetFigure:
        row = self.user_rows.get(user.pk)
        if row is None:
            return TargetFigure(explicit=None, rolled_up=ZERO)
        return TargetFigure(row["amount"], ZERO, row["pk"], row["version"])

    def for_team(self, team: Team) -> TargetFigure:
        node = self.nodes[team.pk]
        row = self.team_rows.get(team.pk)
        return TargetFigure(
            node.explicit, node.rolled_up, row["pk"] if row else None, row and row["version"]
        )

    def for_company(self) -> TargetFigure:
        rolled = sum((n.effective for n in self.roots), ZERO) + sum(self.unteamed, ZERO)
        row = self.company_row
        return TargetFigure(
            row["amount"] if row else None,
            rolled,
            row["pk"] if row else None,
            row and row["version"],
        )

    def for_scope(self, scope: Scope, *, viewer: User) -> TargetFigure:
        """The scope's target, if the viewer sees the whole scope (:func:`scopes.sees_whole`);
        no target otherwise."""
        if not scopes.sees_whole(viewer, scope):
            return TargetFigure(explicit=None, rolled_up=ZERO)
        if scope.team is not None:
            return self.for_team(scope.team)
        if scope.rep is not None:
            return self.for_user(scope.rep)
        if scope.account is not None:
            return TargetFigure(explicit=None, rolled_up=ZERO)
        return self.for_company()


def target_for(
    metric: str,
    period: Period,
    *,
    user: User | None = None,
    team: Team | None = None,
) -> TargetFigure:
    """The target of a rep, a team (explicit, else rolled up) or, with neither, the company.

    ``metric`` is :class:`Metric` (bookings or collections). The receivables
    area reads collection targets through this function.
    """
    book = TargetBook(metric, period)
    if user is not None:
        return book.for_user(user)
    if team is not None:
        return book.for_team(team)
    return book.for_company()


@dataclass(frozen=True)
class TargetLine:
    """One row of the targets page."""

    scope_key: str
    label: str
    depth: int
    kind: str
    figure: TargetFigure
    team_id: int | None = None
    user_id: int | None = None
    member_team_id: int | None = None


def target_lines(viewer: User, metric: str, period: Period) -> list[TargetLine]:
    """The company, every visible team and its members, with explicit and rolled-up targets."""
    book = TargetBook(metric, period)
    lines = []
    if viewer.sees_everything or viewer.role == Role.FINANCE:
        lines.append(
            TargetLine(
                scopes.COMPANY,
                str(scopes.Scope(scopes.COMPANY).label),
                0,
                "company",
                book.for_company(),
            )
        )
    teams = list(visible_teams(viewer).order_by("path"))
    members: dict[int | None, list[User]] = defaultdict(list)
    for user in User.objects.filter(team__in=teams, is_active=True).order_by("username"):
        members[user.team_id].append(user)
    for team in teams:
        depth = team.depth + 1
        lines.append(
            TargetLine(
                f"team:{team.pk}", team.name, depth, "team", book.for_team(team), team_id=team.pk
            )
        )
        for user in members[team.pk]:
            lines.append(
                TargetLine(
                    f"rep:{user.pk}",
                    str(user),
                    depth + 1,
                    "rep",
                    book.for_user(user),
                    user_id=user.pk,
                    member_team_id=team.pk,
                )
            )
    return lines
