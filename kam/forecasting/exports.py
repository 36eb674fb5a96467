"""Excel exports of the forecast reports (openpyxl); figures exact, formatted to the cent."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

from kam.core import audit
from kam.core.models import AuditEvent, Interface, User
from kam.ui import spreadsheets
from kam.ui.exports import add_sheet, xlsx_response
from kam.ui.spreadsheets import Workbook


def respond(wb: Workbook, filename: str, *, user: User, what: Any) -> HttpResponse:
    response = xlsx_response(spreadsheets.workbook_bytes(wb), filename)
    audit.record(
        AuditEvent.Action.EXPORT, what, by=user, via=Interface.WEB, changes={"file": filename}
    )
    return response


def forecast_workbook(user: User, report: Any) -> HttpResponse:
    forecast = report.forecast
    wb = spreadsheets.new_workbook()
    add_sheet(
        wb,
        _("Forecast"),
        [
            _("Scope"),
            _("Period"),
            _("Closed"),
            _("Weighted pipeline"),
            _("Off-funnel sales"),
            _("Forecast"),
            _("Target"),
            _("Coverage"),
            _("Adjusted forecast"),
        ],
        [
            [
                report.scope.label,
                report.period.key,
                forecast.closed,
                forecast.weighted,
                forecast.off_funnel,
                forecast.total,
                forecast.target,
                forecast.coverage,
                forecast.adjusted,
            ]
        ]
        + [
            [
                line.label,
                report.period.key,
                line.forecast.closed,
                line.forecast.weighted,
                line.forecast.off_funnel,
                line.forecast.total,
                line.forecast.target,
                line.forecast.coverage,
                line.forecast.adjusted,
            ]
            for line in report.breakdown
        ],
        money=(3, 4, 5, 6, 7, 9),
        percent=(8,),
    )
    add_sheet(
        wb,
        _("Funnel report"),
        [_("Stage"), _("Win rate"), _("Opportunities"), _("Total amount"), _("Weighted amount")],
        [[r.stage_name, r.win_rate / 100, r.count, r.total, r.weighted] for r in forecast.rows]
        + [
            [
                _("Total"),
                None,
                forecast.totals.count,
                forecast.totals.total,
                forecast.totals.weighted,
            ]
        ],
        money=(4, 5),
        percent=(2,),
    )
    return respond(wb, f"forecast-{report.period.key}.xlsx", user=user, what=user)
