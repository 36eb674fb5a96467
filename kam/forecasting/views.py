"""Forecast pages: the weekly funnel report."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kam.forecasting import selectors
from kam.forecasting.calculations import funnel_totals
from kam.pipeline.selectors import default_stage_model


@login_required
def index(request: HttpRequest) -> HttpResponse:
    model = default_stage_model()
    rows = selectors.funnel_rows(request.user, model)  # type: ignore[arg-type]
    return render(
        request,
        "forecasting/index.html",
        {"rows": rows, "totals": funnel_totals(rows), "model": model},
    )
