"""The funnel review's agenda as a workbook: one row per item, with its question."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _

from kam.core import audit
from kam.core.models import AuditEvent, Interface, User
from kam.forecasting.review.agenda import Agenda
from kam.ui import spreadsheets
from kam.ui.exports import add_sheet, xlsx_response


def agenda_rows(agenda: Agenda) -> list[list[object]]:
    rows: list[list[object]] = []
    for rep in agenda.reps:
        for d in rep.deals:
            decided = "; ".join(f"{x.decision} → {x.next_step}" for x in d.decisions)
            for item in d.items:
                rows.append(
                    [
                        str(rep.rep),
                        d.opportunity.account.name,
                        d.opportunity.name,
                        d.opportunity.stage.name,
                        d.opportunity.amount,
                        item.label,
                        item.detail,
                        item.question,
                        decided,
                    ]
                )
    return rows


def rep_rows(agenda: Agenda) -> list[list[object]]:
    return [
        [str(r.rep), len(r.deals), r.forecast, r.forecast_change, r.target, r.coverage]
        for r in agenda.reps
    ]


def agenda_workbook(user: User, agenda: Agenda) -> HttpResponse:
    wb = spreadsheets.new_workbook()
    add_sheet(
        wb,
        _("Agenda"),
        [
            _("Rep"),
            _("Account"),
            _("Opportunity"),
            _("Stage"),
            _("Amount"),
            _("Why it is on the agenda"),
            _("Detail"),
            _("Question to ask"),
            _("Decisions"),
        ],
        agenda_rows(agenda),
        money=(5,),
    )
    add_sheet(
        wb,
        _("Reps"),
        [
            _("Rep"),
            _("Deals to discuss"),
            _("Forecast"),
            _("Change in the week"),
            _("Quarter target"),
            _("Coverage"),
        ],
        rep_rows(agenda),
        money=(3, 4, 5),
        percent=(6,),
    )
    filename = f"funnel-review-{agenda.week.key}.xlsx"
    response = xlsx_response(spreadsheets.workbook_bytes(wb), filename)
    subject = agenda.scope.team or agenda.scope.rep
    assert subject is not None  # the page exports a team's or a rep's agenda only
    audit.record(
        AuditEvent.Action.EXPORT, subject, by=user, via=Interface.WEB, changes={"file": filename}
    )
    return response
