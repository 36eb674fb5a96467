"""Reads of the funnel screen (DOMAIN.md §3.3): the deals' stored screen as the pages
show it, the deal page's gates and guidance, the deals failing "Is it worth it?" late in
their funnel (a red flag, read by the decision chain's minefields) and the manager's
dashboard counts. Every read starts from the deals the caller may see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from kam.pipeline import screening
from kam.pipeline.models import Evaluation, Opportunity, PipelineSettings, Status
from kam.pipeline.selectors import GateRow, reevaluation_due, scorecard
from kam.pipeline.services.screening import screen_rules


def with_screens(deals: Iterable[Opportunity]) -> list[tuple[Opportunity, screening.Screen]]:
    """Each deal with its funnel screen, read off its stored fields: one read of the
    company's settings, however many deals."""
    rules = screen_rules()
    now = timezone.now()
    return [(deal, screening.screen_of(deal, rules, now)) for deal in deals]


@dataclass(frozen=True)
class ScreenPanel:
    """The deal page's funnel screen: the rules, the gates, what to do about each question
    of a failed gate, and whether the deal is due for a new evaluation."""

    rules: screening.ScreenRules
    gates: list[GateRow]
    failed: list[screening.FailedQuestion]
    screen: screening.Screen


def screen_panel(opportunity: Opportunity, latest: Evaluation | None) -> ScreenPanel:
    rules = screen_rules()
    answers = screening.answers_of(latest.answers) if latest is not None else {}
    return ScreenPanel(
        rules=rules,
        gates=scorecard(latest, rules),
        failed=screening.failed_questions(answers, rules) if latest is not None else [],
        screen=screening.screen_of(opportunity, rules, timezone.now()),
    )


def _worth_gate_from() -> Subquery:
    """The order of the stage of a deal's own model from which failing "Is it worth it?"
    is a red flag (the company's one settings row); NULL when the model has none."""
    chosen = PipelineSettings.worth_gate_stages.through.objects.filter(
        pipelinesettings_id=PipelineSettings.current_pk,
        stage__model_id=OuterRef("stage__model_id"),
    )
    return Subquery(chosen.order_by("stage__order").values("stage__order")[:1])


def worth_gate_failures(opportunity_ids: Iterable[int]) -> dict[int, str]:
    """The deals among ``opportunity_ids`` failing "Is it worth it?" at or past the stage
    of their own stage model from which the company counts it a red flag, with the name
    of the stage they are in (one query)."""
    ids = list(opportunity_ids)
    if not ids:
        return {}
    rows = (
        Opportunity.objects.filter(pk__in=ids, passes_worth=False)
        .annotate(from_order=_worth_gate_from())
        .select_related("stage")
        .only("pk", "stage__name_zh", "stage__name_en", "stage__order", "stage__model_id")
    )
    return {
        deal.pk: deal.stage.name
        for deal in rows
        if screening.worth_gate_late(deal.stage.order, deal.from_order)
    }


@dataclass(frozen=True)
class ScreenCounts:
    """A manager's open deals by the funnel screen."""

    open: int
    failing: int
    due: int
    worth_late: int


def screen_counts(opportunities: QuerySet[Opportunity]) -> ScreenCounts:
    """How many of ``opportunities`` (visible, open) fail a gate, are due for a new
    evaluation, and fail "Is it worth it?" late in their funnel (two queries)."""
    max_age_days = PipelineSettings.current().evaluation_max_age_days
    row: dict[str, Any] = opportunities.filter(status=Status.OPEN).aggregate(
        open=Count("*"),
        failing=Count("pk", filter=Q(gates_passed__lt=len(screening.GATE_KEYS))),
        due=Count("pk", filter=reevaluation_due(max_age_days)),
    )
    late = opportunities.filter(
        status=Status.OPEN, passes_worth=False, stage__order__gte=_worth_gate_from()
    ).count()
    return ScreenCounts(open=row["open"], failing=row["failing"], due=row["due"], worth_late=late)


@dataclass(frozen=True)
class ScreenSummary:
    """The manager's panel: the counts and the largest open deals failing a gate."""

    counts: ScreenCounts
    largest: list[tuple[Opportunity, screening.Screen]]


def screen_summary(opportunities: QuerySet[Opportunity], *, limit: int = 5) -> ScreenSummary:
    """The funnel screen of ``opportunities`` (visible): counts and the ``limit`` largest
    open deals failing a gate, a bounded number of queries however many deals."""
    failing = (
        opportunities.filter(status=Status.OPEN, gates_passed__lt=len(screening.GATE_KEYS))
        .select_related("account", "owner", "stage")
        .order_by("-amount", "pk")[:limit]
    )
    return ScreenSummary(counts=screen_counts(opportunities), largest=with_screens(failing))
