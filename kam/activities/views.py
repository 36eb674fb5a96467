"""Activity pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kam.activities import selectors
from kam.activities.models import ActivityStatus
from kam.ui.listing import paginate

SORTS = {"when": "starts_at", "account": "account__name", "kind": "kind"}


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in ActivityStatus.values:
        status = ""
    activities = selectors.activity_list(request.user, status=status)  # type: ignore[arg-type]
    listing = paginate(request, activities, sorts=SORTS, default_sort="-when")
    return render(
        request,
        "activities/list.html",
        {"listing": listing, "status": status, "statuses": ActivityStatus.choices},
    )
