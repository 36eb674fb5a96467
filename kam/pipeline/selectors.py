"""Reads of opportunities; all start from account visibility."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, F, Prefetch, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from kam.accounts.visibility import scope_to_visible_accounts
from kam.core.audit_display import changes_display
from kam.core.models import AuditEvent, Team, User
from kam.core.params import query_date, query_int
from kam.core.selectors import history_for
from kam.core.visibility import sees_all_accounts
from kam.pipeline import calculations, screening
from kam.pipeline.cards import Card, cards
from kam.pipeline.models import (
    Answer,
    Evaluation,
    Objection,
    Opportunity,
    PipelineSettings,
    Stage,
    StageChange,
    StageModel,
    Status,
)


def visible_opportunities(user: User) -> QuerySet[Opportunity]:
    """Every opportunity on an account the user may see."""
    return scope_to_visible_accounts(Opportunity.objects.all(), user)


@dataclass(frozen=True)
class OpportunityFilters:
    """The list page's filters, parsed leniently from the query string."""

    q: str = ""
    status: str = Status.OPEN
    stage: int | None = None
    owner: int | None = None
    team: int | None = None
    account: int | None = None
    close_from: date | None = None
    close_to: date | None = None
    #: the funnel screen (§3.3): a gate failed ("any" for any of the four) ...
    gate: str = ""
    #: ... and the deals due for a new evaluation
    due: bool = False

    @classmethod
    def from_params(cls, params: Any) -> OpportunityFilters:
        status = params.get("status", Status.OPEN)
        if status not in Status.values:
            status = ""
        return cls(
            q=str(params.get("q", "") or "").strip(),
            status=status,
            stage=query_int(params, "stage"),
            owner=query_int(params, "owner"),
            team=query_int(params, "team"),
            account=query_int(params, "account"),
            close_from=query_date(params, "close_from"),
            close_to=query_date(params, "close_to"),
            gate=gate if (gate := str(params.get("gate", "") or "")) in GATE_FILTERS else "",
            due=str(params.get("due", "") or "") in ("1", "true", "on"),
        )


def _in_team(opportunities: QuerySet[Opportunity], team_id: int) -> QuerySet[Opportunity]:
    """Deals owned by anyone in the team's subtree."""
    team = Team.objects.filter(pk=team_id).only("path").first()
    if team is None:
        return opportunities.none()
    return opportunities.filter(owner__team__path__startswith=team.path)


def opportunity_list(
    user: User,
    filters: OpportunityFilters | None = None,
    *,
    q: str = "",
    status: str = "",
) -> QuerySet[Opportunity]:
    filters = filters or OpportunityFilters(q=q, status=status)
    opportunities = visible_opportunities(user).select_related("account", "stage", "owner")
    if filters.q:
        opportunities = opportunities.filter(
            Q(name__icontains=filters.q) | Q(account__name__icontains=filters.q)
        )
    if filters.status:
        opportunities = opportunities.filter(status=filters.status)
    if filters.stage:
        opportunities = opportunities.filter(stage_id=filters.stage)
    if filters.owner:
        opportunities = opportunities.filter(owner_id=filters.owner)
    if filters.team:
        opportunities = _in_team(opportunities, filters.team)
    if filters.account:
        opportunities = opportunities.filter(account_id=filters.account)
    if filters.close_from:
        opportunities = opportunities.filter(expected_close_date__gte=filters.close_from)
    if filters.close_to:
        opportunities = opportunities.filter(expected_close_date__lte=filters.close_to)
    if filters.gate == "any":
        opportunities = opportunities.filter(gates_passed__lt=len(screening.GATE_KEYS))
    elif filters.gate:
        opportunities = opportunities.filter(**{f"passes_{filters.gate}": False})
    if filters.due:
        opportunities = opportunities.filter(
            reevaluation_due(PipelineSettings.current().evaluation_max_age_days)
        )
    return opportunities


GATE_FILTERS = ("any", *screening.GATE_KEYS)


def reevaluation_due(max_age_days: int, now: datetime | None = None) -> Q:
    """The deals due for a new twenty-question evaluation, as
    :func:`kam.pipeline.screening.reevaluation_due` judges one: none yet, older than
    ``max_age_days``, or made before the deal's last stage move."""
    now = now or timezone.now()
    return (
        Q(evaluated_at__isnull=True)
        | Q(evaluated_at__lt=now - timedelta(days=max_age_days))
        | Q(evaluated_at__lt=F("stage_entered_at"))
    )


def default_stage_model() -> StageModel:
    return StageModel.objects.get(is_default=True)


def stage_model(key: str = "") -> StageModel:
    """The model named by ``key``, else the default one."""
    if key:
        found = StageModel.objects.filter(key=key).first()
        if found is not None:
            return found
    return default_stage_model()


# --- the opportunity page (the "deal room") ------------------------------------------

EVALUATION_HISTORY = 12  # passes shown on the page; older ones stay in the database


def opportunity_detail(user: User, pk: int) -> Opportunity:
    """One visible opportunity with everything its page shows, in a fixed number of queries.

    Raises ``Opportunity.DoesNotExist`` for a deal the user may not see.
    """
    return (
        visible_opportunities(user)
        .select_related(
            "account",
            "owner",
            "stage__model",
            "qualification_override_by",
        )
        .prefetch_related(
            "team",
            "competitors",
            "decision_factors",
            Prefetch("objections", queryset=Objection.objects.select_related("created_by")),
            Prefetch(
                "stage_changes",
                queryset=StageChange.objects.select_related(
                    "from_stage", "to_stage", "changed_by"
                ).order_by("changed_at", "pk"),
            ),
        )
        .get(pk=pk)
    )


#: The fields whose changes the deal page lists under "changes to the record", as the
#: audit trail names them.
TRACKED_FIELDS = (
    "name",
    "amount",
    "currency",
    "exchange_rate",
    "expected_close_date",
    "owner_id",
    "forecast_category",
)


@dataclass(frozen=True)
class FieldChange:
    """One field of one edit of a deal, as the deal page shows it."""

    changed_at: datetime
    field: str  # the field's name, e.g. "owner"
    label: str  # its name in the reader's language
    old_value: str
    new_value: str
    changed_by: User | None


def field_history(opportunity: Opportunity) -> list[FieldChange]:
    """The edits of a deal's amount, close date, owner and the like, newest first.

    Read from the audit trail, the one record of who changed what: every edit of a deal
    (:func:`kam.pipeline.services.update_opportunity`) records the before and after of
    each changed field there, put into the reader's words by
    :func:`kam.core.audit_display.changes_display`. Two queries at most, however long
    the history.
    """
    events = list(
        history_for(opportunity).filter(
            action=AuditEvent.Action.UPDATE, changes__has_any_keys=list(TRACKED_FIELDS)
        )
    )
    shown = changes_display(events)
    order = [f.attname for f in Opportunity._meta.concrete_fields]
    rows = []
    for event in events:
        changes = sorted(
            (c for c in shown[event.pk] if c.key in TRACKED_FIELDS and c.before is not None),
            key=lambda c: order.index(c.key),
            reverse=True,
        )
        for change in changes:
            assert change.before is not None
            rows.append(
                FieldChange(
                    changed_at=event.at,
                    field=change.key.removesuffix("_id"),
                    label=change.label,
                    old_value=change.before.text,
                    new_value=change.after.text,
                    changed_by=event.actor,
                )
            )
    return rows


def evaluation_history(opportunity: Opportunity) -> list[Evaluation]:
    """The newest passes of the twenty questions, newest first."""
    return list(
        opportunity.evaluations.select_related("evaluated_by").order_by("-evaluated_at", "-pk")[
            :EVALUATION_HISTORY
        ]
    )


@dataclass(frozen=True)
class StageSpell:
    """One row of the stage history: where the deal was, from when, for how long."""

    change: StageChange
    days: int


def stage_history(opportunity: Opportunity, *, now: datetime | None = None) -> list[StageSpell]:
    """Stage changes (prefetched) with the days spent after each, newest first."""
    now = now or timezone.now()
    changes = list(opportunity.stage_changes.all())
    spells = []
    for index, change in enumerate(changes):
        until = changes[index + 1].changed_at if index + 1 < len(changes) else now
        days = (
            calculations.days_in_stage(
                timezone.localdate(change.changed_at), timezone.localdate(until)
            )
            or 0
        )
        spells.append(StageSpell(change=change, days=days))
    return list(reversed(spells))


@dataclass(frozen=True)
class QuestionRow:
    number: int
    text: str
    answer: str
    note: str

    @property
    def answer_label(self) -> str:
        """The answer in the reader's language ("是", "Yes"); "" when there is none."""
        return str(Answer(self.answer).label) if self.answer in Answer.values else self.answer


@dataclass(frozen=True)
class GateRow:
    key: str
    label: str
    score: int
    questions: list[QuestionRow]
    #: under the company's pass mark; None without an evaluation
    passed: bool | None = None
    critical_noes: tuple[int, ...] = ()


def scorecard(
    evaluation: Evaluation | None, rules: screening.ScreenRules | None = None
) -> list[GateRow]:
    """The twenty questions grouped by gate, with the answers of ``evaluation`` and,
    given the company's ``rules``, whether each gate passes (§3.3)."""
    answers: dict[str, Any] = evaluation.answers if evaluation else {}
    results = (
        {g.key: g for g in screening.gate_results(screening.answers_of(answers), rules)}
        if evaluation is not None and rules is not None
        else {}
    )
    scores = (
        {
            "project": evaluation.project_score,
            "ours": evaluation.ours_score,
            "win": evaluation.win_score,
            "worth": evaluation.worth_score,
        }
        if evaluation
        else {}
    )
    return [
        GateRow(
            key=key,
            label=str(label),
            score=scores.get(key, 0),
            questions=[
                QuestionRow(
                    number=number,
                    text=str(text),
                    answer=(answers.get(str(number)) or {}).get("answer", ""),
                    note=(answers.get(str(number)) or {}).get("note", ""),
                )
                for number, text in questions
            ],
            passed=results[key].passed if key in results else None,
            critical_noes=results[key].critical_noes if key in results else (),
        )
        for key, label, questions in calculations.GATES
    ]


# --- the funnel board ------------------------------------------------------------------

BOARD_PAGE = 20  # cards per column before "more" (more on demand, htmx)


@dataclass(frozen=True)
class BoardColumn:
    stage: Stage
    cards: list[Card]
    count: int
    amount: Decimal
    next_offset: int | None


def board_opportunities(
    user: User, *, owner: int | None = None, team: int | None = None
) -> QuerySet[Opportunity]:
    """Open deals the user may see, optionally one owner's or one team's."""
    opportunities = visible_opportunities(user)
    if sees_all_accounts(user):
        opportunities = opportunities.filter(status=Status.OPEN)
    else:
        # SQLite knows no row counts: given "status = open" it would walk every open
        # deal of the company, checking each against the user's accounts. Wrapped, the
        # status is checked on the deals of those accounts only, far less work for a rep
        # or a manager (PostgreSQL plans it the same way either way).
        opportunities = opportunities.alias(open_status=Coalesce("status", Value(""))).filter(
            open_status=Status.OPEN
        )
    if owner:
        opportunities = opportunities.filter(owner_id=owner)
    if team:
        opportunities = _in_team(opportunities, team)
    return opportunities


def _sorted_column_keys(
    opportunities: QuerySet[Opportunity], stage_ids: set[int]
) -> dict[int, list[tuple[date, int, Decimal]]]:
    """(close date, id, amount) of every deal of a user who sees some accounts, per stage,
    soonest close first: a rep's or a team's few thousand deals, read off the account index
    (the stages are picked here, not in SQL, so that SQLite keeps to that index)."""
    columns: dict[int, list[tuple[date, int, Decimal]]] = {}
    for pk, stage_id, close, amount in opportunities.order_by().values_list(
        "pk", "stage_id", "expected_close_date", "amount"
    ):
        if stage_id in stage_ids:
            columns.setdefault(stage_id, []).append((close, pk, amount))
    for keys in columns.values():
        keys.sort()
    return columns


def _cards(ids: list[int]) -> list[Opportunity]:
    """The cards of ``ids`` (already visible), in that order."""
    found = {
        card.pk: card
        for card in Opportunity.objects.filter(pk__in=ids)
        .select_related("account", "owner")
        .only(*CARD_FIELDS)
    }
    return [found[pk] for pk in ids if pk in found]


# What a card shows and moves with (pipeline/_card.html, board.js): not the deal's long texts.
CARD_FIELDS = (
    "pk",
    "version",
    "name",
    "account__name",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    "stage_id",
    "amount",
    "currency",
    "expected_close_date",
    # the funnel screen (§3.3)
    "stage_entered_at",
    "evaluated_at",
    "evaluation_total",
    "passes_project",
    "passes_ours",
    "passes_win",
    "passes_worth",
)


def column_cards(
    opportunities: QuerySet[Opportunity], stage: Stage, *, offset: int = 0, user: User | None = None
) -> tuple[list[Opportunity], int | None]:
    """One page of a column's cards, soonest close first, and the offset of the next page."""
    if user is not None and not sees_all_accounts(user):
        keys = _sorted_column_keys(opportunities, {stage.pk}).get(stage.pk, [])
        ids = [pk for _close, pk, _amount in keys[offset : offset + BOARD_PAGE + 1]]
        rows = _cards(ids)
    else:
        rows = list(
            opportunities.filter(stage=stage)
            .select_related("account", "owner")
            .only(*CARD_FIELDS)
            .order_by("expected_close_date", "pk")[offset : offset + BOARD_PAGE + 1]
        )
    more = len(rows) > BOARD_PAGE
    return rows[:BOARD_PAGE], (offset + BOARD_PAGE if more else None)


def board(
    user: User, model: StageModel, *, owner: int | None = None, team: int | None = None
) -> list[BoardColumn]:
    """The columns of ``model`` with their first page of cards and their totals.

    Queries grow with the number of stages, never with the number of cards. Who sees
    every account gets each column off the (status, stage, close date) index; who sees
    some accounts gets their deals' keys in one narrow query and the cards in another.
    What the cards show beyond the deal (red flags, evaluation, next activity) is read
    once for every card of the board (:func:`kam.pipeline.cards.cards`).
    """
    opportunities = board_opportunities(user, owner=owner, team=team)
    stages = list(model.stages.order_by("order"))
    # Per stage: its first page of deals, its count and amount, the offset of its next page.
    pages: list[tuple[Stage, list[Opportunity], int, Decimal, int | None]] = []
    if not sees_all_accounts(user):
        keys = _sorted_column_keys(opportunities, {stage.pk for stage in stages})
        first = {
            stage.pk: [pk for _close, pk, _amount in keys.get(stage.pk, [])[: BOARD_PAGE + 1]]
            for stage in stages
        }
        found = {card.pk: card for card in _cards([pk for ids in first.values() for pk in ids])}
        for stage in stages:
            rows = [found[pk] for pk in first[stage.pk] if pk in found]
            column = keys.get(stage.pk, [])
            pages.append(
                (
                    stage,
                    rows[:BOARD_PAGE],
                    len(column),
                    sum((amount for _close, _pk, amount in column), Decimal(0)),
                    BOARD_PAGE if len(rows) > BOARD_PAGE else None,
                )
            )
    else:
        totals = {
            row["stage_id"]: row
            for row in opportunities.filter(stage_id__in=[stage.pk for stage in stages])
            .order_by()
            .values("stage_id")
            .annotate(n=Count("*"), total=Sum("amount"))
        }
        for stage in stages:
            page, next_offset = column_cards(opportunities, stage)
            row: Mapping[str, Any] = totals.get(stage.pk, {})
            pages.append(
                (stage, page, row.get("n", 0), row.get("total") or Decimal(0), next_offset)
            )
    shown = iter(cards([deal for _stage, page, *_rest in pages for deal in page]))
    return [
        BoardColumn(
            stage=stage,
            cards=[next(shown) for _deal in page],
            count=count,
            amount=amount,
            next_offset=next_offset,
        )
        for stage, page, count, amount, next_offset in pages
    ]


def column_totals(
    user: User, stages: list[Stage], *, owner: int | None = None, team: int | None = None
) -> list[tuple[Stage, int, Decimal]]:
    """The count and amount of some board columns, as the board's heads show them."""
    totals: dict[int, tuple[int, Decimal]] = {
        row["stage_id"]: (row["n"], row["total"] or Decimal(0))
        for row in board_opportunities(user, owner=owner, team=team)
        .filter(stage_id__in=[stage.pk for stage in stages])
        .order_by()
        .values("stage_id")
        .annotate(n=Count("*"), total=Sum("amount"))
    }
    return [(stage, *totals.get(stage.pk, (0, Decimal(0)))) for stage in stages]


def opportunities_of_account(user: User, account_id: int) -> QuerySet[Opportunity]:
    """Deals of one account for its 360 page: open first, then the latest closed."""
    return (
        visible_opportunities(user)
        .filter(account_id=account_id)
        .select_related("stage", "owner")
        .annotate(closed=Case(When(status=Status.OPEN, then=0), default=1))
        .order_by("closed", "-closed_on", "expected_close_date", "pk")
    )
