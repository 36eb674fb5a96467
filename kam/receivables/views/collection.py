"""Collection helpers: a broken promise dealt with, the response to an excuse."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.core.http import AuthenticatedHttpRequest
from kam.core.params import query_int
from kam.receivables import selectors, services
from kam.receivables.models import Excuse


@login_required
@require_POST
def resolve_alert(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(selectors.open_alerts(request.user), pk=pk)
    services.resolve_alert(alert, by=request.user)
    messages.success(request, _("Alert dealt with."))
    return redirect(request.POST.get("next") or reverse("receivables:index"))


@login_required
def excuse_response(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The recommended response to the excuse just picked (htmx partial)."""
    excuse_pk = query_int(request.GET, "excuse")
    excuse = Excuse.objects.filter(pk=excuse_pk).first() if excuse_pk is not None else None
    return render(request, "receivables/_excuse_response.html", {"excuse": excuse})
