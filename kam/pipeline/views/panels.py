"""The deals panel of the account page (htmx)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from kam.accounts.visibility import can_edit_account, visible_accounts
from kam.core.http import AuthenticatedHttpRequest
from kam.pipeline import selectors

ACCOUNT_PANEL_ROWS = 10


@login_required
def account_panel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The account's deals, open first (htmx panel on the account page)."""
    account = get_object_or_404(visible_accounts(request.user), pk=pk)
    opportunities = selectors.opportunities_of_account(request.user, account.pk)
    return render(
        request,
        "pipeline/_account_panel.html",
        {
            "account": account,
            "opportunities": opportunities[:ACCOUNT_PANEL_ROWS],
            "total": opportunities.count(),
            "can_edit": can_edit_account(request.user, account),
        },
    )
