"""The funnel screen kept on each deal (DOMAIN.md §3.3).

The latest twenty-question evaluation's date, score and gates passed are stored on the
opportunity so the list sorts and filters by them and the board shows them in bounded
queries. :func:`refresh_screening` recomputes them from the evaluations and the
company's pass mark; recording an evaluation and changing the screen's settings call it
in their own transaction, bulk loaders after they insert evaluations.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import OuterRef, Q, Subquery

from kam.pipeline import screening
from kam.pipeline.models import Evaluation, Opportunity, PipelineSettings

STORED_FIELDS = [
    "evaluated_at",
    "evaluation_total",
    "gates_passed",
    *(f"passes_{key}" for key in screening.GATE_KEYS),
]
CHUNK = 1000


def screen_rules(row: PipelineSettings | None = None) -> screening.ScreenRules:
    """The company's pass mark, critical questions and re-evaluation age."""
    row = row or PipelineSettings.current()
    return screening.ScreenRules(
        pass_mark=row.gate_pass_mark,
        critical=screening.critical_choices(row.critical_questions or []),
        max_age_days=row.evaluation_max_age_days,
    )


def stored_values(evaluation: Evaluation | None, rules: screening.ScreenRules) -> dict[str, object]:
    """What a deal stores of its latest ``evaluation`` under ``rules``."""
    if evaluation is None:
        return dict.fromkeys(STORED_FIELDS)
    gates = screening.gate_results(screening.answers_of(evaluation.answers), rules)
    values: dict[str, object] = {
        "evaluated_at": evaluation.evaluated_at,
        "evaluation_total": sum(g.score for g in gates),
        "gates_passed": sum(g.passed for g in gates),
    }
    values.update({f"passes_{g.key}": g.passed for g in gates})
    return values


def refresh_screening(
    opportunity_ids: Iterable[int] | None = None,
    *,
    rules: screening.ScreenRules | None = None,
) -> int:
    """Recompute the stored screen of the deals ``opportunity_ids`` (all deals that have
    or had an evaluation when None); returns the number of deals written."""
    rules = rules or screen_rules()
    if opportunity_ids is None:
        ids = list(
            Opportunity.objects.filter(Q(evaluated_at__isnull=False) | Q(evaluations__isnull=False))
            .values_list("pk", flat=True)
            .distinct()
            .order_by("pk")
        )
    else:
        ids = sorted({pk for pk in opportunity_ids if pk is not None})
    newest = Evaluation.objects.filter(opportunity=OuterRef("pk")).order_by("-evaluated_at", "-pk")
    written = 0
    for start in range(0, len(ids), CHUNK):
        deals = list(
            Opportunity.objects.filter(pk__in=ids[start : start + CHUNK])
            .annotate(latest_id=Subquery(newest.values("pk")[:1]))
            .only("pk", *STORED_FIELDS)
        )
        latest = Evaluation.objects.in_bulk([d.latest_id for d in deals if d.latest_id])
        changed = []
        for deal in deals:
            values = stored_values(latest.get(deal.latest_id), rules)
            if any(getattr(deal, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(deal, name, value)
                changed.append(deal)
        Opportunity.objects.bulk_update(changed, STORED_FIELDS, batch_size=500)
        written += len(changed)
    return written
