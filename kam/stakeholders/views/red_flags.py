"""The red flags of one's pipeline, and their thresholds (§2.3)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kam.core.forms import apply_errors
from kam.core.http import AuthenticatedHttpRequest
from kam.stakeholders import selectors, services
from kam.stakeholders.forms import RedFlagSettingsForm
from kam.stakeholders.models import RedFlagSettings
from kam.ui.listing import Listing

FLAGS_PER_PAGE = 50


@login_required
def pipeline_flags(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Red flags of the open deals the user owns (a rep) or may see (a manager)."""
    mine = request.GET.get("scope", "mine") != "all"
    deals = selectors.open_deals(request.user, mine=mine)
    template = (
        "stakeholders/_flags_panel.html"
        if request.headers.get("HX-Request")
        else "stakeholders/red_flags.html"
    )
    # Every deal's flags are computed (the most flagged come first); a page of them is shown.
    page = Paginator(selectors.flagged_deals(deals), FLAGS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    params = request.GET.copy()
    params.pop("page", None)
    listing = Listing(page=page, sort="", querystring=params.urlencode())
    return render(
        request, template, {"deal_flags": page.object_list, "listing": listing, "mine": mine}
    )


@login_required
def red_flag_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.is_kam_admin:
        raise PermissionDenied
    current = RedFlagSettings.current()
    form = RedFlagSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_red_flag_settings(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("stakeholders:settings")
    return render(request, "stakeholders/settings.html", {"form": form})
