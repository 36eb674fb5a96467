"""Decision-chain pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kam.stakeholders import selectors
from kam.ui.listing import paginate

SORTS = {"name": "name", "account": "account__name", "level": "level"}


@login_required
def contact_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    contacts = selectors.contact_list(request.user, q)  # type: ignore[arg-type]
    listing = paginate(request, contacts, sorts=SORTS, default_sort="account")
    return render(request, "stakeholders/list.html", {"listing": listing, "q": q})
