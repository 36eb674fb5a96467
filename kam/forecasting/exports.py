"""Excel exports of the forecast reports (openpyxl); figures exact, formatted to the cent."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from kam.core import audit
from kam.core.models import AuditEvent, Interface, User
from kam.ui.exports import add_sheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def respond(wb: Workbook, filename: str, *, user: User, what: Any) -> HttpResponse:
    if "Sheet" in wb.sheetnames and len(wb.sheetnames) > 1:
        del wb["Sheet"]
    buffer = BytesIO()
    wb.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    audit.record(
        AuditEvent.Action.EXPORT, what, by=user, via=Interface.WEB, changes={"file": filename}
    )
    return response


def forecast_workbook(user: User, report: Any) -> HttpResponse:
    forecast = report.forecast
    wb = Workbook()
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
