"""Excel export of team performance (openpyxl): the scorecard of a scope, resource
efficiency, skill assessments and survey answers, each as the user may see them."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core.models import User
from kam.forecasting.exports import respond
from kam.performance import selectors
from kam.performance.models import Posture, SkillDimension
from kam.ui import spreadsheets
from kam.ui.exports import add_sheet


def performance_workbook(user: User, scope: selectors.Scope) -> HttpResponse:
    card = selectors.scorecard(scope)
    book = spreadsheets.new_workbook()
    postures = list(Posture.choices)
    add_sheet(
        book,
        _("Balanced scorecard"),
        [
            _("Indicator"),
            _("Perspective"),
            _("Target"),
            _("All accounts"),
            *(f"{label} · {_('value')}" for _k, label in postures),
            *(f"{label} · {_('score')}" for _k, label in postures),
            *(f"{label} · {_('weight')}" for _k, label in postures),
        ],
        [
            [
                row.indicator.name,
                row.indicator.get_perspective_display(),
                row.target,
                row.overall,
                *(row.by_posture[k].value for k, _l in postures),
                *(row.by_posture[k].score for k, _l in postures),
                *(row.by_posture[k].weight for k, _l in postures),
            ]
            for row in card.rows
        ]
        + [[_("Weighted score"), "", "", card.overall, *(card.totals[k] for k, _l in postures)]],
    )
    add_sheet(
        book,
        _("Resource efficiency"),
        [
            _("Account"),
            _("Segment"),
            _("Hours"),
            _("People"),
            _("Expenses"),
            _("Cost of selling"),
            _("Revenue"),
            _("Margin"),
            _("Collections"),
            _("Beyond the strategy's plan"),
        ],
        [
            [
                r.account.name,
                r.account.get_segment_display(),
                r.hours,
                r.people,
                r.expenses,
                r.cost,
                r.revenue,
                r.margin,
                r.collections,
                ", ".join(r.overruns),
            ]
            for r in selectors.efficiency(user)
        ],
        money=(5, 6, 7, 8, 9),
    )
    add_sheet(
        book,
        _("Skill assessments"),
        [
            _("Sales rep"),
            _("Assessed on"),
            *(str(d.label) for d in SkillDimension),
            _("Note"),
            _("Assessor"),
        ],
        [
            [
                str(a.rep),
                a.assessed_on,
                *(getattr(a, d.value) for d in SkillDimension),
                a.note,
                str(a.assessed_by or ""),
            ]
            for a in selectors.visible_assessments(user)
        ],
    )
    add_sheet(
        book,
        _("Survey answers"),
        [_("Account"), _("Answered on"), _("Supplier rating"), _("Loyalty"), _("Comment")],
        [
            [r.account.name, r.answered_on, r.supplier_score, r.loyalty_score, r.comment]
            for r in selectors.visible_responses(user).select_related("account")
        ],
    )
    filename = f"performance-{scope.key}-{timezone.localdate().isoformat()}.xlsx"
    return respond(book, filename, user=user, what=user)
