"""An account's plans: goals, levers, the whitespace map, objectives and actions
(DOMAIN.md §1.5, §1.7)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.accounts import forms as account_forms
from kam.accounts import selectors, services
from kam.accounts.models import (
    Account,
    AccountPlan,
    ActionStatus,
    GrowthLever,
    PlanAction,
    PlanObjective,
    PlanSettings,
    PlanStatus,
)
from kam.accounts.views.editing import account_or_404, back_to, editing, flash_errors
from kam.accounts.visibility import can_edit_account
from kam.core.concurrency import ConflictError
from kam.core.forms import apply_errors
from kam.core.http import AuthenticatedHttpRequest
from kam.core.params import query_int


@editing
def plan_create(request: AuthenticatedHttpRequest, account: Account) -> HttpResponse:
    form = account_forms.PlanForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        try:
            plan = services.create_plan(account, by=request.user, **data)
        except ValidationError as error:
            flash_errors(request, error)
        else:
            return redirect("accounts:plan", pk=account.pk, plan_pk=plan.pk)
    else:
        flash_errors(request, form)
    return back_to(account, "plans")


@login_required
def plan_detail(request: AuthenticatedHttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    account = account_or_404(request, pk)
    plan = get_object_or_404(AccountPlan, pk=plan_pk, account=account)
    can_edit = can_edit_account(request.user, account)
    form = account_forms.PlanForm(request.POST or None, instance=plan)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version", None)
            data.pop("year", None)
            try:
                fresh = AccountPlan.objects.select_related("account").get(pk=plan.pk)
                services.update_plan(fresh, by=request.user, expected_version=version, **data)
            except (ValidationError, ConflictError) as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("accounts:plan", pk=account.pk, plan_pk=plan.pk)
    view = selectors.plan_view(plan)
    return render(
        request,
        "accounts/plan.html",
        {
            "account": account,
            "plan": plan,
            "view": view,
            "form": form,
            "can_edit": can_edit,
            "may_submit": services.may_submit(request.user, plan),
            "may_review": plan.status == PlanStatus.SUBMITTED
            and services.may_review(request.user, plan),
            "reviews": selectors.review_history(plan),
            "review_form": account_forms.ReviewForm(initial={"version": plan.version}),
            "checklist_form": account_forms.ChecklistForm.for_plan(plan),
            "ticked": set(plan.checklist),
            "resources": selectors.resource_use(plan),
            "lever_form": account_forms.LeverForm(),
            "objective_form": account_forms.ObjectiveForm(),
            "action_form": account_forms.ActionForm(plan=plan, initial={"owner": request.user}),
            "whitespace_form": account_forms.WhitespaceForm(),
            "priority_chart": _priority_chart(view),
            "statuses": ActionStatus.choices,
        },
    )


PLAN_ITEMS: dict[str, tuple[type, Callable[[], type]]] = {
    "lever": (GrowthLever, lambda: account_forms.LeverForm),
    "objective": (PlanObjective, lambda: account_forms.ObjectiveForm),
}


@editing
def plan_item(
    request: AuthenticatedHttpRequest, account: Account, plan_pk: int, kind: str
) -> HttpResponse:
    """Add or remove a growth lever, an objective, an action or a whitespace cell."""
    plan = get_object_or_404(AccountPlan, pk=plan_pk, account=account)
    back = redirect(reverse("accounts:plan", args=[account.pk, plan.pk]) + f"#{kind}")
    user = request.user
    try:
        if kind in PLAN_ITEMS:
            model, form_class = PLAN_ITEMS[kind]
            if request.POST.get("remove"):
                item: Any = get_object_or_404(
                    model, pk=query_int(request.POST, "remove"), plan=plan
                )
                services.remove_plan_item(item, by=user)
                return back
            form = form_class()(request.POST)
            if not form.is_valid():
                flash_errors(request, form)
                return back
            services.add_plan_item(plan, model, by=user, **form.cleaned_data)
        elif kind == "action":
            if request.POST.get("status"):
                action = get_object_or_404(
                    PlanAction, pk=query_int(request.POST, "action"), objective__plan=plan
                )
                services.set_action_status(action, status=request.POST["status"], by=user)
                return back
            form = account_forms.ActionForm(request.POST, plan=plan)
            if not form.is_valid():
                flash_errors(request, form)
                return back
            data = dict(form.cleaned_data)
            objective = data.pop("objective")
            services.add_action(objective, by=user, **data)
        elif kind == "checklist":
            form = account_forms.ChecklistForm(request.POST)
            if not form.is_valid():
                flash_errors(request, form)
                return back
            services.update_plan(
                plan,
                by=user,
                expected_version=form.cleaned_data["version"],
                checklist=form.checklist(),
            )
        elif kind == "whitespace":
            form = account_forms.WhitespaceForm(request.POST)
            if not form.is_valid():
                flash_errors(request, form)
                return back
            services.set_whitespace(plan, by=user, **form.cleaned_data)
        else:
            raise Http404
    except ConflictError as error:
        messages.error(request, str(error))
        return back
    except ValidationError as error:
        flash_errors(request, error)
        return back
    messages.success(request, _("Saved."))
    return back


#: Each step of the review: its service and what the page says once it is done.
REVIEW_STEPS: dict[str, tuple[Callable[..., AccountPlan], Callable[[], str]]] = {
    "submit": (services.submit_plan, lambda: _("Submitted for review.")),
    "approve": (services.approve_plan, lambda: _("Plan approved.")),
    "return": (services.return_plan, lambda: _("Plan sent back to its owner.")),
}


@login_required
@require_POST
def plan_review(
    request: AuthenticatedHttpRequest, pk: int, plan_pk: int, step: str
) -> HttpResponse:
    """Submit a plan, or approve it or send it back with a comment; a refusal shows on
    the plan's page."""
    account = account_or_404(request, pk)
    plan = get_object_or_404(
        AccountPlan.objects.select_related("account__owner"), pk=plan_pk, account=account
    )
    if step not in REVIEW_STEPS:
        raise Http404
    service, done = REVIEW_STEPS[step]
    form = account_forms.ReviewForm(request.POST)
    back = redirect(reverse("accounts:plan", args=[account.pk, plan.pk]) + "#review")
    if not form.is_valid():
        flash_errors(request, form)
        return back
    try:
        service(
            plan,
            by=request.user,
            comment=form.cleaned_data["comment"],
            expected_version=form.cleaned_data["version"],
        )
    except (ValidationError, PermissionDenied, ConflictError) as error:
        if isinstance(error, ValidationError):
            flash_errors(request, error)
        else:
            messages.error(request, str(error) or _("You may not do this."))
        return back
    messages.success(request, done())
    return back


@login_required
def plan_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """How often key accounts' plans are reviewed: a card of the qualification settings
    page (administrators change it, everyone reads it)."""
    user = request.user
    form = account_forms.PlanSettingsForm(request.POST or None, instance=PlanSettings.current())
    if request.method == "POST":
        if not user.is_kam_admin:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.update_plan_settings(review_days=form.cleaned_data["review_days"], by=user)
            except ValidationError as error:
                flash_errors(request, error)
            else:
                messages.success(request, _("Saved."))
        else:
            flash_errors(request, form)
        return redirect(reverse("accounts:qualification_settings") + "#plan-settings")
    return render(
        request,
        "accounts/_plan_settings.html",
        {"plan_settings_form": form, "can_edit": user.is_kam_admin},
    )


def _priority_chart(view: selectors.PlanView) -> dict[str, Any]:
    colours = {"act_now": "#2e7d32", "wait": "#b35c00", "drop": "#8a8f98"}
    return {
        "grid": {"left": 50, "right": 20, "top": 20, "bottom": 45},
        "xAxis": {
            "name": _("Probability of success"),
            "nameLocation": "middle",
            "nameGap": 28,
            "min": 0,
            "max": 6,
            "interval": 1,
        },
        "yAxis": {
            "name": _("Attractiveness"),
            "nameLocation": "middle",
            "nameGap": 30,
            "min": 0,
            "max": 6,
            "interval": 1,
        },
        "tooltip": {"trigger": "item"},
        "series": [
            {
                "type": "scatter",
                "symbolSize": 18,
                "markLine": {
                    "silent": True,
                    "symbol": "none",
                    "lineStyle": {"type": "dashed", "color": "#aab"},
                    "data": [{"xAxis": 2.5}, {"yAxis": 2.5}],
                },
                "data": [
                    {
                        "value": [lever.probability, lever.attractiveness],
                        "name": lever.description[:40],
                        "itemStyle": {"color": colours[priority]},
                    }
                    for lever, priority in view.levers
                ],
            }
        ],
    }
