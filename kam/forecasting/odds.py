"""Honest odds, part one: stage win rates learned from closed history (§5.1).

Of the opportunities that reached a stage (read from the append-only
StageChange history) and closed in the last N months, the share that was won.
One grouped query; the team roll-up follows the team tree's paths.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from kam.activities.models import Activity, Outcome
from kam.core.models import Team, User
from kam.forecasting.models import WinModel
from kam.forecasting.scopes import Scope
from kam.forecasting.winmodel import NAMES, age_feature
from kam.pipeline.models import Evaluation, Opportunity, StageChange, Status
from kam.pipeline.selectors import visible_opportunities
from kam.stakeholders.models import RELATIONSHIP_ORDER, Stakeholder, Support

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


# --- features of the learned win probability ---------------------------------------

GATES_MAX = 40  # twenty questions, yes = 2


def deal_features(opportunities: QuerySet[Opportunity]) -> dict[int, dict[str, float]]:
    """Per deal, the features that do not depend on when it is looked at (four queries).

    Twenty-question score of the latest evaluation, decision-chain coverage (of
    the four buying roles), the best relationship level and the balance of
    supporters and opponents in the buying circle, activity outcomes, and the
    four qualification questions.
    """
    latest = Evaluation.objects.filter(opportunity=OuterRef("pk")).order_by("-evaluated_at", "-pk")
    features: dict[int, dict[str, float]] = {}
    rows = opportunities.annotate(gates=Subquery(latest.values("total_score")[:1])).values_list(
        "pk", "gates", "has_need", "has_authority", "has_budget", "has_timeline"
    )
    for pk, gates, *qualification in rows.order_by():
        features[pk] = {
            "gates": (gates or 0) / GATES_MAX,
            "qualified": sum(bool(q) for q in qualification) / 4,
            "coverage": 0.0,
            "relationship": 0.0,
            "support": 0.0,
            "advances": 0.0,
            "stalls": 0.0,
        }
    ids = opportunities.values("pk")
    level = Case(
        *[When(relationship=value, then=Value(n)) for value, n in RELATIONSHIP_ORDER.items()],
        default=Value(0),
        output_field=IntegerField(),
    )
    circle = (
        Stakeholder.objects.filter(opportunity__in=ids)
        .values("opportunity_id")
        .annotate(
            n=Count("*"),
            dm=Count("pk", filter=Q(is_decision_maker=True)),
            users=Count("pk", filter=Q(is_user=True)),
            gatekeepers=Count("pk", filter=Q(is_technical_gatekeeper=True)),
            coaches=Count("pk", filter=Q(is_coach=True)),
            best=Max(level),
            supporters=Count("pk", filter=Q(support=Support.SUPPORTER)),
            opponents=Count("pk", filter=Q(support=Support.OPPONENT)),
        )
        .order_by()
    )
    for row in circle:
        f = features.get(row["opportunity_id"])
        if f is None:
            continue
        roles = (row["dm"], row["users"], row["gatekeepers"], row["coaches"])
        f["coverage"] = sum(1 for r in roles if r) / 4
        f["relationship"] = (row["best"] or 0) / len(RELATIONSHIP_ORDER)
        f["support"] = (row["supporters"] - row["opponents"]) / row["n"]
    calls = (
        Activity.objects.filter(opportunity__in=ids)
        .exclude(outcome="")
        .values("opportunity_id")
        .annotate(
            n=Count("*"),
            advances=Count("pk", filter=Q(outcome__in=[Outcome.ADVANCE, Outcome.ORDER])),
            stalls=Count("pk", filter=Q(outcome__in=[Outcome.CONTINUATION, Outcome.NO_SALE])),
        )
        .order_by()
    )
    for pk, n, advances, stalls in calls.values_list("opportunity_id", "n", "advances", "stalls"):
        f = features.get(pk)
        if f is not None:
            f["advances"] = math.log1p(advances)
            f["stalls"] = stalls / n
    return features


@dataclass(frozen=True)
class Example:
    """One closed deal as it stood on entering one stage, and whether it was won."""

    opportunity_id: int
    closed_on: date
    stage_id: int
    stage_rate: Decimal
    row: list[float]
    won: int


def _row(stage_rate: Decimal, age_days: int, features: dict[str, float]) -> list[float]:
    values = {"stage": float(stage_rate) / 100, "age": age_feature(age_days)} | features
    return [values[name] for name in NAMES]


def training_examples(*, today: date, months: int) -> list[Example]:
    """Every stage each deal closed in the window entered, with the deal's features."""
    since = months_before(today, months)
    closed = Opportunity.objects.filter(
        status__in=CLOSED, closed_on__gt=since, closed_on__lte=today
    )
    features = deal_features(closed)
    outcome = dict(closed.values_list("pk", "status"))
    closed_on: dict[int, date] = {
        pk: day for pk, day in closed.values_list("pk", "closed_on") if day is not None
    }
    entries = (
        StageChange.objects.filter(opportunity__in=closed.values("pk"), status=Status.OPEN)
        .order_by("opportunity_id", "changed_at", "pk")
        .values_list("opportunity_id", "to_stage_id", "to_stage__win_rate", "changed_at")
    )
    examples: list[Example] = []
    first: dict[int, date] = {}
    seen: set[tuple[int, int]] = set()
    tz = timezone.get_current_timezone()  # once: localdate() looks it up per call
    for pk, stage_id, rate, changed_at in entries.iterator(chunk_size=5000):
        day = changed_at.astimezone(tz).date()
        start = first.setdefault(pk, day)
        if (pk, stage_id) in seen or pk not in features or pk not in closed_on:
            continue
        seen.add((pk, stage_id))
        examples.append(
            Example(
                pk,
                closed_on[pk],
                stage_id,
                rate,
                _row(rate, (day - start).days, features[pk]),
                int(outcome[pk] == Status.WON),
            )
        )
    return examples


def open_deal_rows(*, today: date) -> tuple[list[int], list[list[float]]]:
    """Every open deal's features as of today: its stage now and its age since it entered."""
    deals = Opportunity.objects.filter(status=Status.OPEN)
    features = deal_features(deals)
    started = dict(
        StageChange.objects.filter(opportunity__in=deals.values("pk"))
        .values("opportunity_id")
        .annotate(first=Min("changed_at"))
        .order_by()
        .values_list("opportunity_id", "first")
    )
    ids, rows = [], []
    tz = timezone.get_current_timezone()
    for pk, rate, created in deals.values_list("pk", "stage__win_rate", "created_at").order_by():
        start = (started.get(pk) or created).astimezone(tz).date()
        ids.append(pk)
        rows.append(_row(rate, (today - start).days, features[pk]))
    return ids, rows


def latest_win_model() -> WinModel | None:
    return WinModel.objects.first()
