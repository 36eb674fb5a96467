"""Opportunity pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.accounts.visibility import can_edit_account, visible_accounts
from kam.core.concurrency import ConflictError
from kam.core.params import query_int
from kam.core.visibility import visible_teams, visible_users
from kam.pipeline import calculations, selectors, services
from kam.pipeline import forms as pipeline_forms
from kam.pipeline.models import (
    DecisionFactor,
    Objection,
    Opportunity,
    OpportunityCompetitor,
    PipelineSettings,
    Stage,
    StageModel,
    Status,
)
from kam.ui.listing import paginate

SORTS = {
    "name": "name",
    "account": "account__name",
    "amount": "amount",
    "stage": "stage__order",
    "close": "expected_close_date",
    "owner": "owner__username",
}


@login_required
def opportunity_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.OpportunityFilters.from_params(request.GET)
    opportunities = selectors.opportunity_list(request.user, filters)  # type: ignore[arg-type]
    listing = paginate(request, opportunities, sorts=SORTS, default_sort="close")
    user = request.user
    return render(
        request,
        "pipeline/list.html",
        {
            "listing": listing,
            "filters": filters,
            "statuses": Status.choices,
            "stages": Stage.objects.select_related("model").order_by("model__pk", "order"),
            "owners": visible_users(user).order_by("username"),  # type: ignore[arg-type]
            "teams": visible_teams(user),  # type: ignore[arg-type]
            "account": (
                visible_accounts(user).filter(pk=filters.account).first()  # type: ignore[arg-type]
                if filters.account
                else None
            ),
            "can_create": user.role != "finance",  # type: ignore[union-attr]
        },
    )


# --- helpers ---------------------------------------------------------------------------


def _visible(request: HttpRequest, pk: int) -> Opportunity:
    try:
        return (
            selectors.visible_opportunities(request.user)  # type: ignore[arg-type]
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
    def wrapper(request: HttpRequest, pk: int, *args: Any, **kwargs: Any) -> HttpResponse:
        opportunity = _visible(request, pk)
        if not can_edit_account(request.user, opportunity.account):  # type: ignore[arg-type]
            raise PermissionDenied
        return view(request, opportunity, *args, **kwargs)

    return wrapper


def _apply_errors(form: Any, error: ValidationError | ConflictError) -> None:
    """Show a service's refusal on the form, field by field where it can."""
    if isinstance(error, ConflictError):
        form.add_error(None, str(error))
    elif hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _with_current_version(request: HttpRequest, opportunity: Opportunity) -> Any:
    """The posted data with the version the user now sees, so a resubmit applies."""
    data = request.POST.copy()
    data["version"] = str(opportunity.version)
    return data


def _back(opportunity: Opportunity, anchor: str = "") -> HttpResponse:
    url = reverse("pipeline:detail", args=[opportunity.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


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
    request: HttpRequest, pk: int, *, status: int = 200, **bound: Any
) -> HttpResponse:
    try:
        opportunity = selectors.opportunity_detail(request.user, pk)  # type: ignore[arg-type]
    except Opportunity.DoesNotExist:
        raise Http404 from None
    user = request.user
    evaluations = selectors.evaluation_history(opportunity)
    latest = evaluations[0] if evaluations else None
    gates = selectors.scorecard(latest)
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
            "can_edit": can_edit_account(user, opportunity.account),  # type: ignore[arg-type]
            "is_manager": services.is_manager(user),  # type: ignore[arg-type]
            "days_in_stage": calculations.days_in_stage(
                opportunity.stage_entered_at and timezone.localdate(opportunity.stage_entered_at),
                today,
            ),
            "history": selectors.stage_history(opportunity),
            "field_changes": list(opportunity.field_changes.all()),
            "stages": stages,
            "next_stages": [s for s in stages if s.order > current.order],
            "latest": latest,
            "evaluations": evaluations,
            "gates": gates,
            "grid": [(gate, [(q, *pairs[q.number]) for q in gate.questions]) for gate in gates],
            "evaluation_form": evaluation_form,
            "move_form": bound.get("move_form") or pipeline_forms.MoveForm(opportunity=opportunity),
            "close_form": bound.get("close_form")
            or pipeline_forms.CloseForm(initial={"version": opportunity.version}),
            "reopen_form": bound.get("reopen_form")
            or pipeline_forms.ReopenForm(initial={"version": opportunity.version}),
            "competitor_form": bound.get("competitor_form") or pipeline_forms.CompetitorForm(),
            "factor_form": bound.get("factor_form") or pipeline_forms.DecisionFactorForm(),
            "objection_form": bound.get("objection_form")
            or pipeline_forms.ObjectionForm(initial={"raised_on": today}),
            "total_max": calculations.TOTAL_MAX,
            "gate_max": calculations.GATE_MAX,
        },
        status=status,
    )


@login_required
def opportunity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, pk)


@login_required
def opportunity_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Open a deal, or change its record and qualification (issue 5 nos. 2–3)."""
    user = request.user
    instance = _visible(request, pk) if pk else None
    if instance is not None and not can_edit_account(user, instance.account):  # type: ignore[arg-type]
        raise PermissionDenied
    if instance is None and user.role == "finance":  # type: ignore[union-attr]
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
        user=user,  # type: ignore[arg-type]
    )
    if request.method == "POST" and form.is_valid():
        data = form.service_fields()
        team = list(form.cleaned_data.get("team") or [])
        try:
            if instance is None:
                opportunity = services.create_opportunity(
                    account=form.cleaned_data["account"],
                    by=user,  # type: ignore[arg-type]
                    team=team,
                    **data,
                )
            else:
                fresh = Opportunity.objects.select_related("account").get(pk=instance.pk)
                opportunity = services.update_opportunity(
                    fresh,
                    by=user,  # type: ignore[arg-type]
                    expected_version=form.cleaned_data.get("version"),
                    team=team,
                    **data,
                )
        except ConflictError as error:
            current = Opportunity.objects.get(pk=instance.pk)  # type: ignore[union-attr]
            form = pipeline_forms.OpportunityForm(
                _with_current_version(request, current),
                instance=current,
                user=user,  # type: ignore[arg-type]
            )
            form.is_valid()
            _apply_errors(form, error)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return _back(opportunity)
    return render(request, "pipeline/form.html", {"form": form, "instance": instance})


@editing
def opportunity_move(request: HttpRequest, opportunity: Opportunity) -> HttpResponse:
    """Move to another stage from the deal page (§3.1, §3.2)."""
    form = pipeline_forms.MoveForm(request.POST, opportunity=opportunity)
    if form.is_valid():
        to_stage = form.cleaned_data["to_stage"]
        confirmed = _stages_left(opportunity, to_stage) if form.cleaned_data["confirm_exit"] else []
        try:
            moved = services.move_opportunity(
                opportunity,
                to_stage,
                by=request.user,  # type: ignore[arg-type]
                expected_version=form.cleaned_data["version"],
                confirmed_exit_stages=confirmed,
                override_reason=form.cleaned_data["override_reason"],
            )
        except ConflictError as error:
            fresh = _visible(request, opportunity.pk)
            form = pipeline_forms.MoveForm(_with_current_version(request, fresh), opportunity=fresh)
            form.is_valid()
            _apply_errors(form, error)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Moved to %(stage)s.") % {"stage": moved.stage.name})
            warning = getattr(moved, "credit_warning", "")
            if warning:
                messages.warning(request, warning)
            return _back(moved, "stage")
    return _render_detail(request, opportunity.pk, status=400, move_form=form)


@editing
def opportunity_close(request: HttpRequest, opportunity: Opportunity) -> HttpResponse:
    """Won, lost or no decision (issue 5 no. 7)."""
    form = pipeline_forms.CloseForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.close_opportunity(
                opportunity,
                status=data["status"],
                by=request.user,  # type: ignore[arg-type]
                expected_version=data["version"],
                reason=data["reason"],
                winning_competitor=data["winning_competitor"],
                closed_on=data["closed_on"],
            )
        except ConflictError as error:
            fresh = _visible(request, opportunity.pk)
            form = pipeline_forms.CloseForm(_with_current_version(request, fresh))
            form.is_valid()
            _apply_errors(form, error)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The opportunity is closed."))
            return _back(opportunity, "outcome")
    return _render_detail(request, opportunity.pk, status=400, close_form=form)


@editing
def opportunity_reopen(request: HttpRequest, opportunity: Opportunity) -> HttpResponse:
    form = pipeline_forms.ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.reopen_opportunity(
                opportunity,
                by=request.user,  # type: ignore[arg-type]
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except ConflictError as error:
            fresh = _visible(request, opportunity.pk)
            form = pipeline_forms.ReopenForm(_with_current_version(request, fresh))
            form.is_valid()
            _apply_errors(form, error)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The opportunity is open again."))
            return _back(opportunity, "outcome")
    return _render_detail(request, opportunity.pk, status=400, reopen_form=form)


@editing
def evaluation_add(request: HttpRequest, opportunity: Opportunity) -> HttpResponse:
    """A new pass of the twenty questions (§3.3); earlier passes stay as history."""
    form = pipeline_forms.EvaluationForm(request.POST)
    if form.is_valid():
        try:
            services.record_evaluation(
                opportunity,
                answers=form.answers(),
                notes=form.notes(),
                by=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Evaluation saved."))
            return _back(opportunity, "scorecard")
    return _render_detail(request, opportunity.pk, status=400, evaluation_form=form)


def _add_item(
    request: HttpRequest,
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
            _apply_errors(form, error)
        else:
            messages.success(request, _("Added."))
            return _back(opportunity, anchor)
    return _render_detail(request, opportunity.pk, status=400, **{form_name: form})


@editing
def competitor_add(request: HttpRequest, opportunity: Opportunity) -> HttpResponse:
    form = pipeline_forms.CompetitorForm(request.POST)
    return _add_item(
        request, opportunity, form, services.add_competitor, "competitor_form", "competitors"
    )


@editing
def competitor_remove(request: HttpRequest, opportunity: Opportunity, item: int) -> HttpResponse:
    competitor = get_object_or_404(OpportunityCompetitor, pk=item, opportunity=opportunity)
    services.remove_competitor(competitor, by=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Removed."))
    return _back(opportunity, "competitors")


@editing
def factor_add(request: HttpRequest, opportunity: Opportunity) -> HttpResponse:
    form = pipeline_forms.DecisionFactorForm(request.POST)
    return _add_item(
        request, opportunity, form, services.add_decision_factor, "factor_form", "factors"
    )


@editing
def factor_remove(request: HttpRequest, opportunity: Opportunity, item: int) -> HttpResponse:
    factor = get_object_or_404(DecisionFactor, pk=item, opportunity=opportunity)
    services.remove_decision_factor(factor, by=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Removed."))
    return _back(opportunity, "factors")


@editing
def objection_add(request: HttpRequest, opportunity: Opportunity) -> HttpResponse:
    form = pipeline_forms.ObjectionForm(request.POST)
    return _add_item(
        request, opportunity, form, services.log_objection, "objection_form", "objections"
    )


@editing
def objection_update(request: HttpRequest, opportunity: Opportunity, item: int) -> HttpResponse:
    objection = get_object_or_404(Objection, pk=item, opportunity=opportunity)
    form = pipeline_forms.ObjectionResponseForm(request.POST)
    if form.is_valid():
        services.update_objection(
            objection,
            by=request.user,  # type: ignore[arg-type]
            response=form.cleaned_data["response"],
            resolved=form.cleaned_data["resolved"],
        )
        messages.success(request, _("Saved."))
    return _back(opportunity, "objections")


# --- the funnel board (issue 5 no. 5) ------------------------------------------------------


def _board_scope(request: HttpRequest) -> dict[str, int | None]:
    return {"owner": query_int(request.GET, "owner"), "team": query_int(request.GET, "team")}


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """One column per stage of a model; the first page of cards in each, the rest on demand."""
    user = request.user
    model = selectors.stage_model(request.GET.get("model", ""))
    scope = _board_scope(request)
    columns = selectors.board(user, model, **scope)  # type: ignore[arg-type]
    params = request.GET.copy()
    params.pop("offset", None)
    return render(
        request,
        "pipeline/board.html",
        {
            "model": model,
            "models": StageModel.objects.order_by("-is_default", "pk"),
            "columns": columns,
            "scope": scope,
            "querystring": params.urlencode(),
            "owners": visible_users(user).order_by("username"),  # type: ignore[arg-type]
            "teams": visible_teams(user),  # type: ignore[arg-type]
        },
    )


@login_required
def board_column(request: HttpRequest, stage: int) -> HttpResponse:
    """The next page of one column's cards (htmx "more")."""
    column_stage = get_object_or_404(Stage, pk=stage)
    offset = query_int(request.GET, "offset") or 0
    opportunities = selectors.board_opportunities(request.user, **_board_scope(request))  # type: ignore[arg-type]
    cards, next_offset = selectors.column_cards(
        opportunities,
        column_stage,
        offset=offset,
        user=request.user,  # type: ignore[arg-type]
    )
    params = request.GET.copy()
    params.pop("offset", None)
    return render(
        request,
        "pipeline/_column_cards.html",
        {
            "cards": cards,
            "stage": column_stage,
            "next_offset": next_offset,
            "querystring": params.urlencode(),
        },
    )


def _card(request: HttpRequest, pk: int, *, message: str = "", level: str = "info") -> HttpResponse:
    opportunity = _visible(request, pk)
    return render(
        request,
        "pipeline/_card.html",
        {"card": opportunity, "card_message": message, "card_level": level},
    )


@editing
def board_move(request: HttpRequest, opportunity: Opportunity) -> HttpResponse:
    """A card dropped on another column (htmx); answers the card as it now stands.

    A refusal or a conflict answers the card from the database with the reason, so
    the board never shows a move that did not happen.
    """
    from_stage = opportunity.stage
    to_stage_pk = query_int(request.POST, "to_stage")
    to_stage = Stage.objects.filter(pk=to_stage_pk).first() if to_stage_pk is not None else None
    if to_stage is None:
        return _card(request, opportunity.pk, message=_("Choose a stage."), level="danger")
    version = query_int(request.POST, "version")
    if version is None:
        return _card(request, opportunity.pk, message=_("Reload the board."), level="warning")
    confirmed = [
        int(pk)
        for value in request.POST.getlist("confirmed_exit_stages")
        for pk in value.split(",")
        if pk.strip().isdigit()
    ]
    try:
        moved = services.move_opportunity(
            opportunity,
            to_stage,
            by=request.user,  # type: ignore[arg-type]
            expected_version=version,
            confirmed_exit_stages=confirmed,
        )
    except ConflictError as error:
        return _card(request, opportunity.pk, message=str(error), level="warning")
    except ValidationError as error:
        return _card(request, opportunity.pk, message=" ".join(error.messages), level="danger")
    message = getattr(moved, "credit_warning", "") or _("Moved to %(stage)s.") % {
        "stage": moved.stage.name
    }
    response = _card(request, moved.pk, message=message, level="success")
    # The heads of the two columns, swapped in out of band so their counts follow the card.
    scope = {"owner": query_int(request.POST, "owner"), "team": query_int(request.POST, "team")}
    for stage, count, amount in selectors.column_totals(
        request.user,  # type: ignore[arg-type]
        [from_stage, moved.stage],
        **scope,
    ):
        response.content += render_to_string(
            "pipeline/_column_total.html",
            {"stage": stage, "count": count, "amount": amount, "oob": True},
            request=request,
        ).encode()
    return response


# --- stage models and funnel settings (administrators, §3.1) -------------------------------


def _reordered(model: StageModel, stage_pk: int | None, direction: str) -> list[int]:
    """The model's stage ids with one stage moved up or down a place."""
    ids = list(model.stages.order_by("order").values_list("pk", flat=True))
    if stage_pk in ids:
        index = ids.index(stage_pk)
        target = index - 1 if direction == "up" else index + 1
        if 0 <= target < len(ids):
            ids[index], ids[target] = ids[target], ids[index]
    return ids


@login_required
def stage_settings(request: HttpRequest) -> HttpResponse:
    """Names (both languages), rates, order and exit criteria of every stage model.

    Rates are read into each StageChange when it happens, so editing them never
    rewrites history.
    """
    user = request.user
    part = request.POST.get("part", "")
    bound: dict[str, Any] = {}
    if request.method == "POST":
        if not user.is_kam_admin:  # type: ignore[union-attr]
            raise PermissionDenied
        try:
            if part == "stage":
                stage = get_object_or_404(Stage, pk=query_int(request.POST, "stage"))
                form: Any = pipeline_forms.StageForm(
                    request.POST, instance=stage, prefix=f"stage-{stage.pk}"
                )
                bound[f"stage-{stage.pk}"] = form
                if form.is_valid():
                    services.update_stage(
                        Stage.objects.get(pk=stage.pk),
                        by=user,  # type: ignore[arg-type]
                        **{f: form.cleaned_data[f] for f in pipeline_forms.STAGE_FIELDS},
                    )
                    messages.success(request, _("Saved. Past stage changes keep their rates."))
                    return redirect("pipeline:settings")
            elif part == "new_stage":
                model = get_object_or_404(StageModel, pk=query_int(request.POST, "model"))
                form = pipeline_forms.NewStageForm(request.POST, prefix=f"new-{model.pk}")
                bound[f"new-{model.pk}"] = form
                if form.is_valid():
                    data = dict(form.cleaned_data)
                    services.add_stage(model, by=user, **data)  # type: ignore[arg-type]
                    messages.success(request, _("Stage added."))
                    return redirect("pipeline:settings")
            elif part == "order":
                model = get_object_or_404(StageModel, pk=query_int(request.POST, "model"))
                ids = _reordered(
                    model, query_int(request.POST, "stage"), request.POST.get("direction", "")
                )
                services.reorder_stages(model, ids, by=user)  # type: ignore[arg-type]
                messages.success(request, _("Order saved."))
                return redirect("pipeline:settings")
            elif part == "settings":
                form = pipeline_forms.PipelineSettingsForm(request.POST)
                bound["settings"] = form
                if form.is_valid():
                    services.update_pipeline_settings(by=user, **form.cleaned_data)  # type: ignore[arg-type]
                    messages.success(request, _("Saved."))
                    return redirect("pipeline:settings")
        except ValidationError as error:
            target = next(iter(bound.values()), None)
            if target is not None:
                _apply_errors(target, error)
            else:
                for message in error.messages:
                    messages.error(request, message)
    models = []
    for model in StageModel.objects.prefetch_related("stages").order_by("-is_default", "pk"):
        stages = sorted(model.stages.all(), key=lambda s: s.order)
        models.append(
            {
                "model": model,
                "stages": [
                    (
                        stage,
                        bound.get(f"stage-{stage.pk}")
                        or pipeline_forms.StageForm(instance=stage, prefix=f"stage-{stage.pk}"),
                    )
                    for stage in stages
                ],
                "new_form": bound.get(f"new-{model.pk}")
                or pipeline_forms.NewStageForm(prefix=f"new-{model.pk}"),
            }
        )
    return render(
        request,
        "pipeline/settings.html",
        {
            "models": models,
            "settings_form": bound.get("settings")
            or pipeline_forms.PipelineSettingsForm(instance=PipelineSettings.current()),
            "can_edit": user.is_kam_admin,  # type: ignore[union-attr]
        },
        status=400 if bound else 200,
    )


# --- panel on the account page --------------------------------------------------------------

ACCOUNT_PANEL_ROWS = 10


@login_required
def account_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The account's deals, open first (htmx panel on the account page)."""
    account = get_object_or_404(visible_accounts(request.user), pk=pk)  # type: ignore[arg-type]
    opportunities = selectors.opportunities_of_account(request.user, account.pk)  # type: ignore[arg-type]
    return render(
        request,
        "pipeline/_account_panel.html",
        {
            "account": account,
            "opportunities": opportunities[:ACCOUNT_PANEL_ROWS],
            "total": opportunities.count(),
            "can_edit": can_edit_account(request.user, account),  # type: ignore[arg-type]
        },
    )
