"""Collection helpers: a broken promise dealt with, the response to an excuse, the call
script of an overdue invoice."""

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
from kam.receivables import forms, selectors, services
from kam.receivables.models import Excuse, NegotiationOutcome
from kam.receivables.selectors import playbook


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


@login_required
def collection_script(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The collection call of one invoice, prepared (§6, POWER): what it costs, the script."""
    rate_form = forms.FinancingRateForm(request.GET if "rate" in request.GET else None)
    rate = rate_form.cleaned_data["rate"] if rate_form.is_bound and rate_form.is_valid() else None
    brief = playbook.collection_brief(request.user, pk, rate_pct=rate)
    if rate is None:
        rate_form = forms.FinancingRateForm(initial={"rate": brief.cost.annual_rate_pct})
    return render(
        request,
        "receivables/collection_script.html",
        {
            "brief": brief,
            "invoice": brief.invoice,
            "cost": brief.cost,
            "rate_form": rate_form,
            "outcomes": NegotiationOutcome.choices,
        },
    )
