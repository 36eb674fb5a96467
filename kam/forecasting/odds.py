"""Honest odds, part one: stage win rates learned from closed history (issue 6.6a).

Of the opportunities that reached a stage (read from the append-only
StageChange history) and closed in the last N months, the share that was won.
One grouped query; the team roll-up follows the team tree's paths.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q

from kam.core.models import Team, User
from kam.forecasting.scopes import Scope
from kam.pipeline.models import StageChange, Status
from kam.pipeline.selectors import visible_opportunities

CLOSED = (Status.WON, Status.LOST, Status.NO_DECISION)
DEFAULT_MONTHS = 12
MIN_SAMPLE = 10  # fewer deals than this: the learned rate is shown but not used


def months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    last = [
        31,
        29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][month - 1]
    return date(year, month, min(day.day, last))


@dataclass(frozen=True)
class StageRate:
    reached: int
    won: int

    @property
    def rate(self) -> Decimal | None:
        """Percent won, to two decimals like a configured rate; None without history."""
        if not self.reached:
            return None
        return (Decimal(100) * self.won / self.reached).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )

    @property
    def trusted(self) -> bool:
        return self.reached >= MIN_SAMPLE


def learned_stage_rates(
    user: User, *, today: date, months: int = DEFAULT_MONTHS
) -> tuple[dict[int, StageRate], dict[int, dict[int, StageRate]]]:
    """(company rates, rates per team subtree) over the deals ``user`` may see."""
    since = months_before(today, months)
    closed = visible_opportunities(user).filter(
        status__in=CLOSED, closed_on__gt=since, closed_on__lte=today
    )
    rows = (
        StageChange.objects.filter(opportunity__in=closed.values("pk"))
        .values("to_stage_id", "opportunity__owner__team_id")
        .annotate(
            reached=Count("opportunity_id", distinct=True),
            won=Count("opportunity_id", distinct=True, filter=Q(opportunity__status=Status.WON)),
        )
        .order_by()
    )
    company: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    by_team: dict[int | None, dict[int, list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0])
    )
    for row in rows:
        for bucket in (
            company[row["to_stage_id"]],
            by_team[row["opportunity__owner__team_id"]][row["to_stage_id"]],
        ):
            bucket[0] += row["reached"]
            bucket[1] += row["won"]
    teams = list(Team.objects.values_list("pk", "path"))
    paths = dict(teams)
    rolled: dict[int, dict[int, StageRate]] = {}
    for team_id, path in teams:
        totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for member_team, stages in by_team.items():
            if member_team is not None and paths.get(member_team, "").startswith(path):
                for stage_id, (reached, won) in stages.items():
                    totals[stage_id][0] += reached
                    totals[stage_id][1] += won
        if totals:
            rolled[team_id] = {s: StageRate(r, w) for s, (r, w) in totals.items()}
    return {s: StageRate(r, w) for s, (r, w) in company.items()}, rolled


def learned_rate_map(
    user: User, scope: Scope, *, today: date, months: int = DEFAULT_MONTHS
) -> dict[int, Decimal]:
    """The learned rate per stage to weight a forecast with.

    The scope's team subtree when it has enough history for a stage, else the
    company's (what the user sees); a stage without enough history keeps its
    configured rate.
    """
    company, teams = learned_stage_rates(user, today=today, months=months)
    team_id = (
        scope.team.pk
        if scope.team is not None
        else (scope.rep.team_id if scope.rep is not None else None)
    )
    chosen: dict[int, Decimal] = {}
    for stage_id, rate in company.items():
        local = teams.get(team_id, {}).get(stage_id) if team_id else None
        use = local if local is not None and local.trusted else rate
        if use.trusted and use.rate is not None:
            chosen[stage_id] = use.rate
    return chosen
