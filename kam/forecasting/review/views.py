"""The funnel review page, its decisions and its export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kam.core.forms import apply_errors
from kam.core.http import AuthenticatedHttpRequest
from kam.forecasting import progress as weekly
from kam.forecasting.periods import Week, parse_week
from kam.forecasting.review import export, services
from kam.forecasting.review.agenda import Agenda, AgendaDeal, build_agenda
from kam.forecasting.review.forms import DecisionForm
from kam.forecasting.scopes import Scope, resolve_scope, scope_choices
from kam.forecasting.services import can_manage
from kam.pipeline.selectors import visible_opportunities


def _scope_and_week(request: AuthenticatedHttpRequest) -> tuple[Scope, Week, str]:
    """The team (or rep) and week asked for; a week that does not parse says so."""
    params = request.POST if request.method == "POST" else request.GET
    error = ""
    try:
        scope = resolve_scope(request.user, params.get("scope"))
    except ValidationError as exc:
        scope, error = resolve_scope(request.user, None), " ".join(exc.messages)
    raw = (params.get("week") or "").strip()
    week = weekly.latest_snapshot_week() or Week.of(timezone.localdate())
    if raw:
        try:
            week = parse_week(raw)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    return scope, week, error


def _may_decide(request: AuthenticatedHttpRequest, scope: Scope) -> bool:
    return scope.team is not None and can_manage(request.user, team=scope.team)


@login_required
def review(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The agenda of the team's weekly funnel review, per rep, with what to ask."""
    scope, week, error = _scope_and_week(request)
    agenda: Agenda | None = None
    if scope.team is not None or scope.rep is not None:
        agenda = build_agenda(request.user, scope, week)
    context = {
        "scope": scope,
        "week": week,
        "error": error,
        "agenda": agenda,
        "may_decide": _may_decide(request, scope),
        "scope_choices": [c for c in scope_choices(request.user) if c[0] != "company"],
        "snapshot_weeks": weekly.snapshot_weeks(26),
        "form": DecisionForm(),
    }
    return render(request, "forecasting/review.html", context)


@login_required
@require_POST
def decide(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Record a decision and the next step for one deal (htmx swaps the deal's block)."""
    scope, week, error = _scope_and_week(request)
    if error or scope.team is None:
        raise Http404
    raw = request.POST.get("opportunity", "")
    deal = visible_opportunities(request.user).filter(pk=int(raw) if raw.isdigit() else 0).first()
    if deal is None:
        raise Http404
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.record_decision(
                team=scope.team,
                week=week,
                opportunity=deal,
                decision=form.cleaned_data["decision"],
                next_step=form.cleaned_data["next_step"],
                due_on=form.cleaned_data["due_on"],
                by=request.user,
            )
        except ValidationError as refusal:
            apply_errors(form, refusal)
        else:
            form = DecisionForm()
    if not request.headers.get("HX-Request"):
        url = reverse("forecasting:review") + f"?scope={scope.key}&week={week.key}"
        return redirect(f"{url}#deal-{deal.pk}")
    agenda = build_agenda(request.user, scope, week)
    item = next(
        (d for r in agenda.reps for d in r.deals if d.opportunity.pk == deal.pk),
        AgendaDeal(deal),
    )
    context = {
        "scope": scope,
        "week": week,
        "d": item,
        "may_decide": True,
        "form": form,
    }
    return render(request, "forecasting/_review_deal.html", context)


@login_required
def export_agenda(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The agenda as a workbook, for the meeting's minutes."""
    scope, week, _error = _scope_and_week(request)
    if scope.team is None and scope.rep is None:
        raise Http404
    return export.agenda_workbook(request.user, build_agenda(request.user, scope, week))
