"""Excel exports of the forecast reports (openpyxl); figures exact, formatted to the cent."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from kam.core import audit
from kam.core.models import AuditEvent, Interface, User

MONEY = "#,##0.00"
PERCENT = "0.00%"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(
    wb: Workbook,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    money: Sequence[int] = (),
    percent: Sequence[int] = (),
) -> None:
    ws = wb.create_sheet(title[:31])
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(list(row))
    for col in money:
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = MONEY
    for col in percent:
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = PERCENT
    ws.column_dimensions["A"].width = 28


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
    _sheet(
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
    _sheet(
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
