"""Opportunity pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kam.pipeline import selectors
from kam.pipeline.models import Status
from kam.ui.listing import paginate

SORTS = {
    "name": "name",
    "account": "account__name",
    "amount": "amount",
    "stage": "stage__order",
    "close": "expected_close_date",
    "owner": "owner__username",
}


@login_required
def opportunity_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", Status.OPEN)
    if status not in Status.values and status != "":
        status = Status.OPEN
    opportunities = selectors.opportunity_list(request.user, q=q, status=status)  # type: ignore[arg-type]
    listing = paginate(request, opportunities, sorts=SORTS, default_sort="close")
    return render(
        request,
        "pipeline/list.html",
        {"listing": listing, "q": q, "status": status, "statuses": Status.choices},
    )
