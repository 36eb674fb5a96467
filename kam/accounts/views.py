"""Account pages: the list and the account 360 page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from kam.accounts import selectors
from kam.accounts.models import Account, Industry, Tier
from kam.core.visibility import visible_teams, visible_users
from kam.ui.listing import paginate

SORTS = {
    "name": "name",
    "tier": "tier",
    "industry": "industry",
    "owner": "owner__username",
    "amount": "open_amount",
    "updated": "updated_at",
}


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.AccountFilters.from_params(request.GET)
    accounts = selectors.account_list(request.user, filters)  # type: ignore[arg-type]
    listing = paginate(request, accounts, sorts=SORTS, default_sort="name")
    return render(
        request,
        "accounts/list.html",
        {
            "listing": listing,
            "filters": filters,
            "tiers": Tier.choices,
            "industries": Industry.choices,
            "owners": visible_users(request.user).order_by("username"),  # type: ignore[arg-type]
            "teams": visible_teams(request.user),  # type: ignore[arg-type]
        },
    )


@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        account = selectors.account_detail(request.user, pk)  # type: ignore[arg-type]
    except Account.DoesNotExist:
        raise Http404 from None
    return render(request, "accounts/detail.html", {"account": account})
