"""The opportunity list, the deal page (the "deal room") and the changes made from it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.visibility import can_edit_account, visible_accounts
from kam.core.concurrency import ConflictError
from kam.core.forms import apply_errors
from kam.core.http import AuthenticatedHttpRequest
from kam.core.models import Role
from kam.core.params import query_int
from kam.core.visibility import visible_teams, visible_users
from kam.pipeline import calculations, funnel_screen, selectors, services
from kam.pipeline import forms as pipeline_forms
from kam.pipeline.models import (
    DecisionFactor,
    Objection,
    Opportunity,
    OpportunityCompetitor,
    Stage,
    Status,
)
from kam.pipeline.views.common import back, editing, visible_deal, with_current_version
from kam.ui.listing import paginate

SORTS = {
    "name": "name",
    "account": "account__name",
    "amount": "amount",
    "stage": "stage__order",
    "close": "expected_close_date",
    "owner": "owner__username",
    "score": "evaluation_total",
    "evaluated": "evaluated_at",
}


@login_required
def opportunity_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = selectors.OpportunityFilters.from_params(request.GET)
    opportunities = selectors.opportunity_list(request.user, filters)
    listing = paginate(request, opportunities, sorts=SORTS, default_sort="close")
    user = request.user
    return render(
        request,
        "pipeline/list.html",
        {
            "listing": listing,
            "rows": funnel_screen.with_screens(listing.rows),
            "filters": filters,
            "gates": [(key, label) for key, label, _questions in calculations.GATES],
            "statuses": Status.choices,
            "stages": Stage.objects.select_related("model").order_by("model__pk", "order"),
            "owners": visible_users(user).order_by("username"),
            "teams": visible_teams(user),
            "account": (
                visible_accounts(user).filter(pk=filters.account).first()
                if filters.account
                else None
            ),
            "can_create": user.role != Role.FINANCE,
        },
    )


# --- the opportunity page ("deal room") --------------------------------------------------


def _stages_left(opportunity: Opportunity, to_stage: Stage) -> list[int]:
    """Ids of the stages whose exit criteria a forward move passes (§3.1)."""
    if opportunity.status != Status.OPEN or to_stage.order <= opportunity.stage.order:
        return []
    return list(
        Stage.objects.filter(
            model_id=opportunity.stage.model_id,
            order__gte=opportunity.stage.order,
            order__lt=to_stage.order,
        ).values_list("pk", flat=True)
    )


def _render_detail(
    request: AuthenticatedHttpRequest, pk: int, *, status: int = 200, **bound: Any
) -> HttpResponse:
    try:
        opportunity = selectors.opportunity_detail(request.user, pk)
    except Opportunity.DoesNotExist:
        raise Http404 from None
    user = request.user
    evaluations = selectors.evaluation_history(opportunity)
    latest = evaluations[0] if evaluations else None
    panel = funnel_screen.screen_panel(opportunity, latest)
    gates = panel.gates
    evaluation_form = bound.get("evaluation_form") or pipeline_forms.EvaluationForm(latest=latest)
    pairs = evaluation_form.field_pairs()
    stages = list(opportunity.stage.model.stages.order_by("order"))
    current = opportunity.stage
    today = timezone.localdate()
    return render(
        request,
        "pipeline/detail.html",
        {
            "opportunity": opportunity,
            "can_edit": can_edit_account(user, opportunity.account),
            "is_manager": services.is_manager(user),
            "days_in_stage": calculations.days_in_stage(
                opportunity.stage_entered_at and timezone.localdate(opportunity.stage_entered_at),
                today,
            ),
            "history": selectors.stage_history(opportunity),
            "field_changes": selectors.field_history(opportunity),
            "stages": stages,
            "next_stages": [s for s in stages if s.order > current.order],
            "latest": latest,
            "evaluations": evaluations,
            "gates": gates,
            "screen": panel,
            "grid": [(gate, [(q, *pairs[q.number]) for q in gate.questions]) for gate in gates],
            "evaluation_form": evaluation_form,
            "move_form": bound.get("move_form") or pipeline_forms.MoveForm(opportunity=opportunity),
            "close_form": bound.get("close_form")
            or pipeline_forms.CloseForm(initial={"version": opportunity.version}),
            "reopen_form": bound.get("reopen_form")
            or pipeline_forms.ReopenForm(initial={"version": opportunity.version}),
            "competitor_form": bound.get("competitor_form") or pipeline_forms.CompetitorForm(),
            "factor_form": bound.get("factor_form") or pipeline_forms.DecisionFactorForm(),
            "factors": [
                (f, pipeline_forms.FactorStrategyForm(instance=f, prefix=f"factor-{f.pk}"))
                for f in opportunity.decision_factors.all()
            ],
            "objection_form": bound.get("objection_form")
            or pipeline_forms.ObjectionForm(initial={"raised_on": today}),
            "total_max": calculations.TOTAL_MAX,
            "gate_max": calculations.GATE_MAX,
        },
        status=status,
    )


@login_required
def opportunity_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, pk)


@login_required
def opportunity_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    """Open a deal, or change its record and qualification."""
    user = request.user
    instance = visible_deal(request, pk) if pk else None
    if instance is not None and not can_edit_account(user, instance.account):
        raise PermissionDenied
    if instance is None and user.role == Role.FINANCE:
        raise PermissionDenied
    initial: dict[str, Any] = {}
    if instance is None:
        initial = {"owner": user, "currency": "CNY", "exchange_rate": 1}
        account = query_int(request.GET, "account")
        if account:
            initial["account"] = account
    form = pipeline_forms.OpportunityForm(
        request.POST or None,
        instance=instance,
        initial=initial,
        user=user,
    )
    if request.method == "POST" and form.is_valid():
        data = form.service_fields()
        team = list(form.cleaned_data.get("team") or [])
        try:
            if instance is None:
                opportunity = services.create_opportunity(
                    account=form.cleaned_data["account"],
                    by=user,
                    team=team,
                    **data,
                )
            else:
                fresh = Opportunity.objects.select_related("account").get(pk=instance.pk)
                opportunity = services.update_opportunity(
                    fresh,
                    by=user,
                    expected_version=form.cleaned_data.get("version"),
                    team=team,
                    **data,
                )
        except ConflictError as error:
            current = Opportunity.objects.get(pk=error.instance.pk)
            form = pipeline_forms.OpportunityForm(
                with_current_version(request, current),
                instance=current,
                user=user,
            )
            form.is_valid()
            apply_errors(form, error)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return back(opportunity)
    return render(request, "pipeline/form.html", {"form": form, "instance": instance})


@editing
def opportunity_move(request: AuthenticatedHttpRequest, opportunity: Opportunity) -> HttpResponse:
    """Move to another stage from the deal page (§3.1, §3.2)."""
    form = pipeline_forms.MoveForm(request.POST, opportunity=opportunity)
    if form.is_valid():
        to_stage = form.cleaned_data["to_stage"]
        confirmed = _stages_left(opportunity, to_stage) if form.cleaned_data["confirm_exit"] else []
        try:
            moved = services.move_opportunity(
                opportunity,
                to_stage,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                confirmed_exit_stages=confirmed,
                override_reason=form.cleaned_data["override_reason"],
            )
        except ConflictError as error:
            fresh = visible_deal(request, opportunity.pk)
            form = pipeline_forms.MoveForm(with_current_version(request, fresh), opportunity=fresh)
            form.is_valid()
            apply_errors(form, error)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Moved to %(stage)s.") % {"stage": moved.stage.name})
            warning = getattr(moved, "credit_warning", "")
            if warning:
                messages.warning(request, warning)
            return back(moved, "stage")
    return _render_detail(request, opportunity.pk, status=400, move_form=form)


@editing
def opportunity_close(request: AuthenticatedHttpRequest, opportunity: Opportunity) -> HttpResponse:
    """Won, lost or no decision, with the reason."""
    form = pipeline_forms.CloseForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.close_opportunity(
                opportunity,
                status=data["status"],
                by=request.user,
                expected_version=data["version"],
                reason=data["reason"],
                winning_competitor=data["winning_competitor"],
                closed_on=data["closed_on"],
            )
        except ConflictError as error:
            fresh = visible_deal(request, opportunity.pk)
            form = pipeline_forms.CloseForm(with_current_version(request, fresh))
            form.is_valid()
            apply_errors(form, error)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The opportunity is closed."))
            return back(opportunity, "outcome")
    return _render_detail(request, opportunity.pk, status=400, close_form=form)


@editing
def opportunity_reopen(request: AuthenticatedHttpRequest, opportunity: Opportunity) -> HttpResponse:
    form = pipeline_forms.ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.reopen_opportunity(
                opportunity,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except ConflictError as error:
            fresh = visible_deal(request, opportunity.pk)
            form = pipeline_forms.ReopenForm(with_current_version(request, fresh))
            form.is_valid()
            apply_errors(form, error)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The opportunity is open again."))
            return back(opportunity, "outcome")
    return _render_detail(request, opportunity.pk, status=400, reopen_form=form)


@editing
def evaluation_add(request: AuthenticatedHttpRequest, opportunity: Opportunity) -> HttpResponse:
    """A new pass of the twenty questions (§3.3); earlier passes stay as history."""
    form = pipeline_forms.EvaluationForm(request.POST)
    if form.is_valid():
        try:
            services.record_evaluation(
                opportunity,
                answers=form.answers(),
                notes=form.notes(),
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Evaluation saved."))
            return back(opportunity, "scorecard")
    return _render_detail(request, opportunity.pk, status=400, evaluation_form=form)


def _add_item(
    request: AuthenticatedHttpRequest,
    opportunity: Opportunity,
    form: Any,
    add: Callable[..., Any],
    form_name: str,
    anchor: str,
) -> HttpResponse:
    """Competitors, decision factors, objections: parse, call the service, back to the page."""
    if form.is_valid():
        try:
            add(opportunity, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Added."))
            return back(opportunity, anchor)
    return _render_detail(request, opportunity.pk, status=400, **{form_name: form})


@editing
def competitor_add(request: AuthenticatedHttpRequest, opportunity: Opportunity) -> HttpResponse:
    form = pipeline_forms.CompetitorForm(request.POST)
    return _add_item(
        request, opportunity, form, services.add_competitor, "competitor_form", "competitors"
    )


@editing
def competitor_remove(
    request: AuthenticatedHttpRequest, opportunity: Opportunity, item: int
) -> HttpResponse:
    competitor = get_object_or_404(OpportunityCompetitor, pk=item, opportunity=opportunity)
    services.remove_competitor(competitor, by=request.user)
    messages.success(request, _("Removed."))
    return back(opportunity, "competitors")


@editing
def factor_add(request: AuthenticatedHttpRequest, opportunity: Opportunity) -> HttpResponse:
    form = pipeline_forms.DecisionFactorForm(request.POST)
    return _add_item(
        request, opportunity, form, services.add_decision_factor, "factor_form", "factors"
    )


@editing
def factor_update(
    request: AuthenticatedHttpRequest, opportunity: Opportunity, item: int
) -> HttpResponse:
    """Set who sets a factor, how we stand and the strategy with its actions."""
    factor = get_object_or_404(DecisionFactor, pk=item, opportunity=opportunity)
    form = pipeline_forms.FactorStrategyForm(request.POST, prefix=f"factor-{factor.pk}")
    if form.is_valid():
        try:
            services.update_decision_factor(factor, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Saved."))
    else:
        for text in (str(e) for errors in form.errors.values() for e in errors):
            messages.error(request, text)
    return back(opportunity, "factors")


@editing
def factor_remove(
    request: AuthenticatedHttpRequest, opportunity: Opportunity, item: int
) -> HttpResponse:
    factor = get_object_or_404(DecisionFactor, pk=item, opportunity=opportunity)
    services.remove_decision_factor(factor, by=request.user)
    messages.success(request, _("Removed."))
    return back(opportunity, "factors")


@editing
def objection_add(request: AuthenticatedHttpRequest, opportunity: Opportunity) -> HttpResponse:
    form = pipeline_forms.ObjectionForm(request.POST)
    return _add_item(
        request, opportunity, form, services.log_objection, "objection_form", "objections"
    )


@editing
def objection_update(
    request: AuthenticatedHttpRequest, opportunity: Opportunity, item: int
) -> HttpResponse:
    objection = get_object_or_404(Objection, pk=item, opportunity=opportunity)
    form = pipeline_forms.ObjectionResponseForm(request.POST)
    if form.is_valid():
        services.update_objection(
            objection,
            by=request.user,
            response=form.cleaned_data["response"],
            resolved=form.cleaned_data["resolved"],
        )
        messages.success(request, _("Saved."))
    return back(opportunity, "objections")
