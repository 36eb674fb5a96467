"""The influence map of an account or an opportunity: drawn, with lines and roles set on it
(htmx partials answering the refreshed map)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.accounts.models import Account
from kam.accounts.visibility import can_edit_account, require_edit
from kam.core.concurrency import ConflictError
from kam.core.http import AuthenticatedHttpRequest
from kam.core.params import query_int
from kam.pipeline.models import Opportunity
from kam.stakeholders import influence_map, selectors, services
from kam.stakeholders.forms import InfluenceLineForm, RoleForm
from kam.stakeholders.models import Contact, InfluenceLine
from kam.stakeholders.views.lookups import account_or_404, opportunity_or_404


def map_context(
    request: AuthenticatedHttpRequest,
    account: Account,
    opportunity: Opportunity | None,
    *,
    line_form: InfluenceLineForm | None = None,
    role_form: RoleForm | None = None,
    error: str = "",
) -> dict[str, Any]:
    """What the map partial shows: an opportunity's circle, or all of an account's people."""
    if opportunity is not None:
        nodes, edges = influence_map.opportunity_map(opportunity)
        members = [s for s in selectors.buying_circle(opportunity) if s.contact_id]
        people = Contact.objects.filter(pk__in=[s.contact_id for s in members]).order_by("name")
    else:
        nodes, edges = influence_map.account_map(account)
        members = []
        people = Contact.objects.filter(account=account).order_by("name")
    can_edit = can_edit_account(request.user, account)
    return {
        "account": account,
        "opportunity": opportunity,
        "map_option": influence_map.map_option(nodes, edges),
        "map_empty": not nodes,
        "can_edit": can_edit,
        "line_form": line_form or InfluenceLineForm(people=people),
        "role_form": role_form or RoleForm(members=members),
        "lines": selectors.influence_lines(account, people_ids=[p.pk for p in people]),
        "error": error,
    }


def _render_map(
    request: AuthenticatedHttpRequest, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(request, "stakeholders/_map.html", context, status=status)


@login_required
def account_map_partial(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(request, pk)
    opportunity = None
    if request.GET.get("opportunity"):
        opportunity_pk = query_int(request.GET, "opportunity")
        if opportunity_pk is None:
            raise Http404
        opportunity = opportunity_or_404(request, opportunity_pk)
        if opportunity.account_id != account.pk:
            raise Http404
    return _render_map(request, map_context(request, account, opportunity))


@login_required
@require_POST
def map_add_line(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Draw an influence line from the map page; answers the refreshed map (htmx)."""
    account = account_or_404(request, pk)
    require_edit(request.user, account)
    opportunity = None
    if request.POST.get("opportunity"):
        opportunity = opportunity_or_404(request, int(request.POST["opportunity"]))
    people = Contact.objects.filter(account=account)
    form = InfluenceLineForm(request.POST, people=people)
    if form.is_valid():
        try:
            services.add_influence_line(account, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            return _render_map(
                request,
                map_context(request, account, opportunity, error=" ".join(error.messages)),
                status=422,
            )
        return _render_map(request, map_context(request, account, opportunity))
    return _render_map(
        request, map_context(request, account, opportunity, line_form=form), status=422
    )


@login_required
@require_POST
def map_remove_line(request: AuthenticatedHttpRequest, pk: int, line: int) -> HttpResponse:
    account = account_or_404(request, pk)
    require_edit(request.user, account)
    opportunity = None
    if request.POST.get("opportunity"):
        opportunity = opportunity_or_404(request, int(request.POST["opportunity"]))
    found = InfluenceLine.objects.filter(account=account, pk=line).first()
    if found is None:
        return _render_map(
            request,
            map_context(
                request,
                account,
                opportunity,
                error=_("That line is no longer on the map (perhaps a colleague removed it)."),
            ),
            status=409,
        )
    services.remove_influence_line(found, by=request.user)
    return _render_map(request, map_context(request, account, opportunity))


@login_required
@require_POST
def map_set_role(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Give or take a buying role from the opportunity's map (htmx)."""
    opportunity = opportunity_or_404(request, pk)
    require_edit(request.user, opportunity.account)
    members = [s for s in selectors.buying_circle(opportunity) if s.contact_id]
    form = RoleForm(request.POST, members=members)
    if not form.is_valid():
        return _render_map(
            request,
            map_context(request, opportunity.account, opportunity, role_form=form),
            status=422,
        )
    member_pk, version = form.member_and_version()
    member = next(s for s in members if s.pk == member_pk)
    try:
        services.set_role(
            member,
            form.cleaned_data["role"],
            form.cleaned_data["held"],
            by=request.user,
            expected_version=version,
        )
    except (ValidationError, ConflictError) as error:
        text = str(error) if isinstance(error, ConflictError) else " ".join(error.messages)
        return _render_map(
            request,
            map_context(request, opportunity.account, opportunity, error=text),
            status=409 if isinstance(error, ConflictError) else 422,
        )
    return _render_map(request, map_context(request, opportunity.account, opportunity))
