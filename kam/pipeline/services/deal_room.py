"""What the deal page records about a deal: the twenty-question evaluation (§3.3), its
competitors and the customer's decision factors (§3.4), and the objections (§3.5)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core import changes
from kam.core.concurrency import save_versioned
from kam.core.models import Interface, User
from kam.pipeline import calculations
from kam.pipeline.models import (
    CompetitionStatus,
    DecisionFactor,
    Evaluation,
    Objection,
    Opportunity,
    OpportunityCompetitor,
)
from kam.pipeline.services.opportunities import require_editor
from kam.pipeline.services.screening import STORED_FIELDS, refresh_screening

# --- the twenty-question evaluation (§3.3) ---------------------------------------------


@transaction.atomic
def record_evaluation(
    opportunity: Opportunity,
    *,
    answers: Mapping[int, str],
    notes: Mapping[int, str] | None = None,
    by: User | None,
    via: str = Interface.WEB,
) -> Evaluation:
    """Answer the twenty questions; each pass is kept, the newest is the scorecard and
    the deal's funnel screen (the gates it passes, read by the list and the board)."""
    require_editor(by, opportunity.account)
    notes = notes or {}
    clean: dict[str, dict[str, str]] = {}
    for number in calculations.QUESTION_NUMBERS:
        answer = answers.get(number, "") or ""
        if answer not in ("", *calculations.ANSWER_POINTS):
            raise ValidationError(_("Answer each question yes, unsure or no."))
        note = (notes.get(number) or "").strip()
        if answer or note:
            clean[str(number)] = {"answer": answer, "note": note}
    if not any(v["answer"] for v in clean.values()):
        raise ValidationError(_("Answer at least one of the twenty questions."))
    card = calculations.score_evaluation({int(k): v["answer"] for k, v in clean.items()})
    evaluation = Evaluation(
        opportunity=opportunity,
        evaluated_at=timezone.now(),
        evaluated_by=by if by is not None and by.pk else None,
        answers=clean,
        project_score=card.project,
        ours_score=card.ours,
        win_score=card.win,
        worth_score=card.worth,
        total_score=card.total,
    )
    changes.create(evaluation, by=by, via=via, clean=None)
    refresh_screening([opportunity.pk])
    stored = Opportunity.objects.filter(pk=opportunity.pk).values(*STORED_FIELDS).get()
    for name, value in stored.items():
        setattr(opportunity, name, value)
    return evaluation


# --- competitors, decision factors, objections -------------------------------------------


def required(value: str, field: str, message: str) -> str:
    """``value`` stripped, or a ValidationError on ``field`` when nothing is left."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: [message]})
    return value


@transaction.atomic
def add_competitor(
    opportunity: Opportunity, *, name: str, by: User | None, via: str = Interface.WEB, **fields: Any
) -> OpportunityCompetitor:
    """Record a competitor in the deal; knowing one is present updates the competition status."""
    require_editor(by, opportunity.account)
    competitor = OpportunityCompetitor(
        opportunity=opportunity,
        name=required(name, "name", _("Name the competitor.")),
        **fields,
    )
    changes.create(competitor, by=by, via=via)
    if opportunity.competition_status != CompetitionStatus.PRESENT:
        opportunity.competition_status = CompetitionStatus.PRESENT
        save_versioned(opportunity, None, ["competition_status"])
    return competitor


@transaction.atomic
def update_competitor(
    competitor: OpportunityCompetitor, *, by: User | None, via: str = Interface.WEB, **fields: Any
) -> OpportunityCompetitor:
    require_editor(by, competitor.opportunity.account)
    with changes.tracked(competitor, by=by, via=via, always=True):
        for name, value in fields.items():
            setattr(competitor, name, value)
        competitor.name = required(competitor.name, "name", _("Name the competitor."))
        competitor.full_clean()
        competitor.save()
    return competitor


@transaction.atomic
def remove_competitor(
    competitor: OpportunityCompetitor, *, by: User | None, via: str = Interface.WEB
) -> None:
    require_editor(by, competitor.opportunity.account)
    changes.delete(competitor, by=by, via=via)


@transaction.atomic
def add_decision_factor(
    opportunity: Opportunity, *, name: str, by: User | None, via: str = Interface.WEB, **fields: Any
) -> DecisionFactor:
    """A criterion the customer decides by, its type, priority and how we stand (§3.4)."""
    require_editor(by, opportunity.account)
    factor = DecisionFactor(
        opportunity=opportunity,
        name=required(name, "name", _("Name the decision factor.")),
        **fields,
    )
    _check_strategy(factor)
    return changes.create(factor, by=by, via=via)


def _check_strategy(factor: DecisionFactor) -> None:
    """A strategy to shape a criterion comes with what we will do about it."""
    factor.strategy_actions = (factor.strategy_actions or "").strip()
    if factor.strategy and not factor.strategy_actions:
        raise ValidationError(
            {"strategy_actions": [_("Say what we will do to carry out this strategy.")]}
        )


#: What the deal page and the API change on a decision factor once recorded.
FACTOR_FIELDS = ("priority", "standing", "set_by", "strategy", "strategy_actions")


@transaction.atomic
def update_decision_factor(
    factor: DecisionFactor, *, by: User | None, via: str = Interface.WEB, **fields: Any
) -> DecisionFactor:
    """Who sets the criterion, how we stand and the strategy to shape it, with its actions."""
    require_editor(by, factor.opportunity.account)
    unknown = set(fields) - set(FACTOR_FIELDS)
    if unknown:
        raise TypeError(f"not editable on a decision factor: {sorted(unknown)}")
    with changes.tracked(factor, by=by, via=via):
        for name, value in fields.items():
            setattr(factor, name, value)
        _check_strategy(factor)
        factor.full_clean()
        factor.save(update_fields=list(fields))
    return factor


@transaction.atomic
def remove_decision_factor(
    factor: DecisionFactor, *, by: User | None, via: str = Interface.WEB
) -> None:
    require_editor(by, factor.opportunity.account)
    changes.delete(factor, by=by, via=via)


@transaction.atomic
def log_objection(
    opportunity: Opportunity,
    *,
    kind: str,
    said: str,
    by: User | None,
    response: str = "",
    resolved: bool = False,
    raised_on: date | None = None,
    via: str = Interface.WEB,
) -> Objection:
    """Log an objection of one of the eight kinds (§3.5) and our response."""
    require_editor(by, opportunity.account)
    objection = Objection(
        opportunity=opportunity,
        kind=kind,
        said=required(said, "said", _("Write down what the customer said.")),
        response=(response or "").strip(),
        resolved=resolved,
        raised_on=raised_on or timezone.localdate(),
        created_by=by if by is not None and by.pk else None,
    )
    return changes.create(objection, by=by, via=via, clean=_check_objection)


def _check_objection(objection: Objection) -> None:
    """The objection's own checks; who logged it is set by the service, not chosen."""
    changes.full_clean(objection, exclude=["created_by"])


@transaction.atomic
def update_objection(
    objection: Objection,
    *,
    by: User | None,
    response: str | None = None,
    resolved: bool | None = None,
    via: str = Interface.WEB,
) -> Objection:
    require_editor(by, objection.opportunity.account)
    with changes.tracked(objection, by=by, via=via, always=True):
        if response is not None:
            objection.response = response.strip()
        if resolved is not None:
            objection.resolved = resolved
        objection.save(update_fields=["response", "resolved"])
    return objection
