"""What the pipeline's pages share: finding a visible deal, the editing guard, going back."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from kam.accounts.visibility import can_edit_account
from kam.core.http import AuthenticatedHttpRequest
from kam.pipeline import selectors
from kam.pipeline.models import Opportunity


def visible_deal(request: AuthenticatedHttpRequest, pk: int) -> Opportunity:
    """The deal ``pk`` if the user may see it, else 404."""
    try:
        return (
            selectors.visible_opportunities(request.user)
            .select_related("account", "stage__model", "owner")
            .get(pk=pk)
        )
    except Opportunity.DoesNotExist:
        raise Http404 from None


def editing(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A POST that changes a deal: 404 if unseen, 403 if read-only (finance)."""

    @wraps(view)
    @login_required
    @require_POST
    def wrapper(
        request: AuthenticatedHttpRequest, pk: int, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        opportunity = visible_deal(request, pk)
        if not can_edit_account(request.user, opportunity.account):
            raise PermissionDenied
        return view(request, opportunity, *args, **kwargs)

    return wrapper


def with_current_version(request: AuthenticatedHttpRequest, opportunity: Opportunity) -> Any:
    """The posted data with the version the user now sees, so a resubmit applies."""
    data = request.POST.copy()
    data["version"] = str(opportunity.version)
    return data


def back(opportunity: Opportunity, anchor: str = "") -> HttpResponse:
    """Back to the deal page, at the section ``anchor``."""
    url = reverse("pipeline:detail", args=[opportunity.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)
