"""An opportunity's decision chain: its buying circle, assessments and red flags (§2.1–§2.3)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.accounts.visibility import can_edit_account, require_edit
from kam.core.concurrency import ConflictError
from kam.core.http import AuthenticatedHttpRequest
from kam.core.visibility import visible_users
from kam.pipeline.models import Status
from kam.stakeholders import selectors, services
from kam.stakeholders.forms import AssessmentForm, InterestsForm, StakeholderForm
from kam.stakeholders.models import Stakeholder
from kam.stakeholders.red_flags import red_flags_for
from kam.stakeholders.views.lookups import member_or_404, opportunity_or_404
from kam.stakeholders.views.maps import map_context


@login_required
def opportunity_chain(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The decision chain of one opportunity: circle, assessments, map, red flags."""
    opportunity = opportunity_or_404(request, pk)
    circle = selectors.buying_circle(opportunity)
    can_edit = can_edit_account(request.user, opportunity.account)
    add_form = StakeholderForm(
        opportunity=opportunity,
        staff=visible_users(request.user).filter(is_active=True),
    )
    return render(
        request,
        "stakeholders/opportunity.html",
        {
            "opportunity": opportunity,
            "circle": [
                (
                    s,
                    AssessmentForm(initial=_assessment_initial(s)),
                    InterestsForm(
                        initial={
                            "version": s.version,
                            "threatened_interests": s.threatened_interests,
                        },
                        prefix=f"interests-{s.pk}",
                    ),
                )
                for s in circle
            ],
            "flags": red_flags_for(opportunity) if opportunity.status == Status.OPEN else [],
            "add_form": add_form,
            "can_edit": can_edit,
            **map_context(request, opportunity.account, opportunity),
        },
    )


def _assessment_initial(s: Stakeholder) -> dict[str, Any]:
    latest = s.assessments.all()
    last = list(latest)[-1] if latest else None
    initial: dict[str, Any] = {"version": s.version}
    if last is not None:
        initial.update({f: getattr(last, f) for f in AssessmentForm.SCALES})
    return initial


@login_required
def opportunity_panel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """htmx panel on the opportunity page: who decides, who supports, who was never met."""
    opportunity = opportunity_or_404(request, pk)
    return render(
        request,
        "stakeholders/_opportunity_panel.html",
        {
            "opportunity": opportunity,
            "circle": selectors.buying_circle(opportunity),
            "flags": red_flags_for(opportunity) if opportunity.status == Status.OPEN else [],
        },
    )


@login_required
@require_POST
def stakeholder_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    opportunity = opportunity_or_404(request, pk)
    require_edit(request.user, opportunity.account)
    form = StakeholderForm(
        request.POST,
        opportunity=opportunity,
        staff=visible_users(request.user).filter(is_active=True),
    )
    if form.is_valid():
        try:
            services.add_stakeholder(opportunity, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Added to the buying circle."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("stakeholders:opportunity", opportunity.pk)


@login_required
@require_POST
def stakeholder_assess(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = member_or_404(request, pk)
    require_edit(request.user, member.opportunity.account)
    form = AssessmentForm(request.POST)
    if form.is_valid():
        try:
            services.assess(
                member,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                assessed_on=form.cleaned_data["assessed_on"],
                note=form.cleaned_data["note"],
                **form.values(),
            )
        except (ValidationError, ConflictError) as error:
            text = str(error) if isinstance(error, ConflictError) else " ".join(error.messages)
            messages.error(request, text)
        else:
            messages.success(request, _("Assessment recorded."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("stakeholders:opportunity", member.opportunity_id)


@login_required
@require_POST
def stakeholder_interests(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record what a person stands to lose if we win; the opponent flag watches them."""
    member = member_or_404(request, pk)
    require_edit(request.user, member.opportunity.account)
    form = InterestsForm(request.POST, prefix=f"interests-{member.pk}")
    if form.is_valid():
        try:
            services.update_stakeholder(
                member,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                threatened_interests=form.cleaned_data["threatened_interests"],
            )
        except (ValidationError, ConflictError) as error:
            text = str(error) if isinstance(error, ConflictError) else " ".join(error.messages)
            messages.error(request, text)
        else:
            messages.success(request, _("Saved."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("stakeholders:opportunity", member.opportunity_id)


@login_required
@require_POST
def stakeholder_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = member_or_404(request, pk)
    require_edit(request.user, member.opportunity.account)
    services.remove_stakeholder(member, by=request.user)
    messages.success(request, _("Removed from the buying circle."))
    return redirect("stakeholders:opportunity", member.opportunity_id)
