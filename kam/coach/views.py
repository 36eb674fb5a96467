"""Pages of call preparation (拜访准备) and the objection playbook (异议手册)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.accounts.visibility import can_edit_account
from kam.coach import guidance, selectors, services
from kam.coach.forms import CallPlanForm, ObjectiveMetForm, PlaybookEntryForm, ResponseUsedForm
from kam.coach.models import PlaybookEntry
from kam.core.concurrency import ConflictError
from kam.core.forms import apply_errors
from kam.core.http import AuthenticatedHttpRequest
from kam.pipeline.models import Objection


def _plan_form(request: AuthenticatedHttpRequest, prep: selectors.Preparation) -> CallPlanForm:
    plan = prep.plan
    if plan is None:
        initial = dict(prep.initial)
    else:
        initial = {name: getattr(plan, name) for name in services.PLAN_FIELDS}
        initial["version"] = plan.version
    return CallPlanForm(request.POST or None, initial=initial)


def _context(
    request: AuthenticatedHttpRequest, prep: selectors.Preparation, form: CallPlanForm
) -> dict[str, object]:
    can_edit = can_edit_account(request.user, prep.activity.account)
    return {
        "prep": prep,
        "activity": prep.activity,
        "plan": prep.plan,
        "form": form,
        "can_edit": can_edit and prep.is_planned,
        "can_log": can_edit,
        "guidance": guidance,
        "response_form": ResponseUsedForm(),
    }


@login_required
def call_plan(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Prepare a planned call; KAM pre-fills what it knows (DOMAIN §4, COACHING §6)."""
    activity = selectors.visible_activity(request.user, pk)
    prep = selectors.call_preparation(activity)
    form = _plan_form(request, prep)
    if request.method == "POST":
        if not can_edit_account(request.user, activity.account):
            raise PermissionDenied
        if form.is_valid():
            plan = prep.plan
            try:
                services.save_call_plan(
                    activity,
                    by=request.user,
                    expected_version=form.cleaned_data.get("version") if plan else None,
                    **form.plan_values(),
                )
            except (ValidationError, ConflictError) as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Call plan saved."))
                return redirect("coach:plan", activity.pk)
    return render(request, "coach/plan.html", _context(request, prep, form))


@login_required
@require_POST
def objective_met(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """After the call: which objective the customer's action met (from the outcome page)."""
    activity = selectors.visible_activity(request.user, pk)
    plan = selectors.plan_of(activity)
    if plan is None:
        raise Http404
    form = ObjectiveMetForm(request.POST, has_fallback=bool(plan.fallback_objective))
    error = ""
    if form.is_valid():
        try:
            services.record_objective_met(
                plan,
                met=form.cleaned_data["objective_met"],
                by=request.user,
                expected_version=form.cleaned_data.get("version"),
            )
        except PermissionDenied:
            raise
        except (ValidationError, ConflictError) as refusal:
            error = " ".join(getattr(refusal, "messages", [str(refusal)]))
    else:
        error = _("Choose which objective was met.")
    if request.headers.get("HX-Request"):
        return render(
            request,
            "coach/_beside_outcome.html",
            {
                "plan": plan,
                "activity": activity,
                "met_form": _met_form(plan),
                "expected_labels": selectors.expected_labels(plan),
                "error": error,
            },
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Saved."))
    return redirect("coach:plan", activity.pk)


def _met_form(plan: object) -> ObjectiveMetForm:
    return ObjectiveMetForm(
        initial={
            "objective_met": getattr(plan, "objective_met", ""),
            "version": getattr(plan, "version", None),
        },
        has_fallback=bool(getattr(plan, "fallback_objective", "")),
    )


@login_required
@require_POST
def response_used(request: AuthenticatedHttpRequest, pk: int, objection: int) -> HttpResponse:
    """Log the answer given to an open objection of the call's deal (§3.5)."""
    activity = selectors.visible_activity(request.user, pk)
    if activity.opportunity_id is None:
        raise Http404
    try:
        found = selectors.visible_objections(request.user).get(
            pk=objection, opportunity_id=activity.opportunity_id
        )
    except Objection.DoesNotExist:
        raise Http404 from None
    form = ResponseUsedForm(request.POST)
    if form.is_valid():
        try:
            services.log_response(
                found,
                by=request.user,
                entry=form.cleaned_data.get("entry"),
                response=form.cleaned_data.get("response", ""),
                resolved=form.cleaned_data.get("resolved") or None,
                activity=activity,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The answer is logged with the objection."))
    else:
        messages.error(request, _("Choose a playbook answer or write the one you gave."))
    return redirect(reverse("coach:plan", args=[activity.pk]) + "#objections")


@login_required
def playbook(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The objection playbook: surface excuse, root cause, solution-selling answer."""
    return render(
        request,
        "coach/playbook.html",
        {
            "entries": selectors.playbook(),
            "can_edit": selectors.can_edit_playbook(request.user),
        },
    )


@login_required
def playbook_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not selectors.can_edit_playbook(request.user):
        raise PermissionDenied
    try:
        entry = PlaybookEntry.objects.get(pk=pk)
    except PlaybookEntry.DoesNotExist:
        raise Http404 from None
    form = PlaybookEntryForm(
        request.POST or None, instance=entry, initial={"version": entry.version}
    )
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in services.PLAYBOOK_FIELDS}
        try:
            entry = PlaybookEntry.objects.get(pk=pk)
            services.update_playbook_entry(
                entry,
                by=request.user,
                expected_version=form.cleaned_data.get("version"),
                **values,
            )
        except (ValidationError, ConflictError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("coach:playbook")
    return render(request, "coach/playbook_edit.html", {"form": form, "entry": entry})
