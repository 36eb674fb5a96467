"""The cash forecast page and its spreadsheet (DOMAIN.md §6)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kam.core.http import AuthenticatedHttpRequest
from kam.forecasting.exports import respond
from kam.forecasting.scopes import resolve_scope, scope_choices
from kam.receivables import charts, selectors
from kam.ui import spreadsheets
from kam.ui.exports import add_sheet


def _cash_forecast(request: AuthenticatedHttpRequest) -> tuple[selectors.CashForecast, str]:
    user = request.user
    error = ""
    try:
        scope = resolve_scope(user, request.GET.get("scope"))
    except ValidationError as exc:
        scope, error = resolve_scope(user, None), " ".join(exc.messages)
    granularity = request.GET.get("by", "month")
    return selectors.cash_forecast(user, scope, granularity), error


@login_required
def cash_forecast(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Expected collections per week or month, against the collection targets (§6)."""
    forecast, error = _cash_forecast(request)
    return render(
        request,
        "receivables/cash.html",
        {
            "forecast": forecast,
            "error": error,
            "chart": charts.cash(forecast),
            "scope_choices": scope_choices(request.user),
            "granularities": [("week", _("By week")), ("month", _("By month"))],
        },
    )


@login_required
def export_cash_forecast(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The cash forecast of the page, same scope, same buckets, same numbers."""
    user = request.user
    forecast, _error = _cash_forecast(request)
    book = spreadsheets.new_workbook()
    rows: list[list[Any]] = [
        [
            b.start,
            b.end,
            b.invoices,
            b.installments,
            b.pipeline,
            b.total,
            b.target,
        ]
        for b in [*forecast.buckets, forecast.totals]
    ]
    rows[-1][0:2] = [_("Total"), ""]
    add_sheet(
        book,
        _("Cash forecast"),
        [
            _("From"),
            _("To"),
            *(label for _key, label in charts.cash_source_labels()),
            _("Expected cash"),
            _("Collection target"),
        ],
        rows,
        money=range(3, 8),
    )
    filename = f"cash-forecast-{forecast.granularity}-{forecast.today.isoformat()}.xlsx"
    return respond(book, filename, user=user, what=user)
