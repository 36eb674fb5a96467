"""Forecast pages: the §5.1 forecast, the funnel report, targets, drill-down, export."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.core.concurrency import ConflictError
from kam.core.http import AuthenticatedHttpRequest
from kam.core.params import query_int
from kam.forecasting import charts, exports, odds, selectors, services
from kam.forecasting import progress as weekly
from kam.forecasting.calculations import funnel_totals
from kam.forecasting.forms import AdjustmentForm, TargetForm
from kam.forecasting.models import Method, Metric
from kam.forecasting.periods import QUARTER, Period, Week, parse_period, parse_week
from kam.forecasting.scopes import Scope, resolve_scope, scope_choices
from kam.pipeline.models import Stage, StageModel
from kam.pipeline.selectors import default_stage_model
from kam.ui.listing import paginate


@dataclass(frozen=True)
class Query:
    """The page's filters, parsed: scope (visibility-checked), period, method."""

    scope: Scope
    period: Period | None
    method: str
    error: str = ""

    def querystring(self, **extra: str) -> str:
        params = QueryDict(mutable=True)
        params["scope"] = self.scope.key
        params["period"] = self.period.key if self.period else "all"
        params["method"] = self.method
        params.update(extra)
        return params.urlencode()


def _query(request: AuthenticatedHttpRequest, *, allow_all: bool = False) -> Query:
    user = request.user
    error = ""
    try:
        scope = resolve_scope(user, request.GET.get("scope"))
    except ValidationError as exc:
        scope, error = resolve_scope(user, None), " ".join(exc.messages)
    raw = request.GET.get("period", "").strip()
    period: Period | None
    if allow_all and raw in ("", "all"):
        period = None
    elif not raw:
        period = Period.of(QUARTER, timezone.localdate())
    else:
        try:
            period = parse_period(raw)
        except ValidationError as exc:
            period, error = Period.of(QUARTER, timezone.localdate()), " ".join(exc.messages)
    method = request.GET.get("method", Method.CONFIGURED)
    if method not in Method.values:
        method = Method.CONFIGURED
    return Query(scope, period, method, error)


def _page_context(request: AuthenticatedHttpRequest, query: Query) -> dict[str, object]:
    return {
        "query": query,
        "scope_choices": scope_choices(request.user),
        "methods": Method.choices,
    }


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The forecast of a scope and period: enough pipeline against target? (§5.1)."""
    query = _query(request)
    assert query.period is not None
    user = request.user
    report = selectors.forecast_report(user, query.scope, query.period, method=query.method)
    can_adjust = (
        query.scope.account is None
        and services.can_manage(user, team=query.scope.team, user=query.scope.rep)
        and (query.scope.team or query.scope.rep or user.sees_everything)
    )
    adjust_form = AdjustmentForm(
        initial={
            "period": query.period.key,
            "scope": query.scope.key,
            "adjusted_amount": f"{report.forecast.total:.2f}",
        }
    )
    context = _page_context(request, query) | {
        "report": report,
        "forecast": report.forecast,
        "funnel_chart": charts.funnel(report.forecast.rows, query),
        "breakdown_chart": charts.breakdown(report.breakdown),
        "categories": selectors.category_totals(user, query.scope, query.period),
        "can_adjust": can_adjust,
        "method_label": Method(query.method).label,
        "adjust_form": adjust_form,
        "history": selectors.adjustment_history(user, query.scope, query.period)[:10],
    }
    return render(request, "forecasting/index.html", context)


@login_required
def funnel(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The weekly funnel report in the layout of §3.1, every open deal or one period's."""
    query = _query(request, allow_all=True)
    model_key = request.GET.get("model", "")
    model = StageModel.objects.filter(key=model_key).first() or default_stage_model()
    rows = selectors.funnel_rows(request.user, model, scope=query.scope, period=query.period)
    context = _page_context(request, query) | {
        "rows": rows,
        "totals": funnel_totals(rows),
        "model": model,
        "models": StageModel.objects.order_by("-is_default", "pk"),
        "funnel_chart": charts.funnel(rows, query),
    }
    return render(request, "forecasting/funnel.html", context)


@login_required
def opportunities(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Drill-down: the open deals behind a figure of the funnel report."""
    query = _query(request, allow_all=True)
    stage_pk = query_int(request.GET, "stage")
    stage = Stage.objects.filter(pk=stage_pk).first() if stage_pk is not None else None
    deals = selectors.drilldown(
        request.user,
        query.scope,
        period=query.period,
        stage_id=stage.pk if stage else None,
    )
    listing = paginate(
        request,
        deals,
        sorts={"amount": "amount", "close": "expected_close_date", "name": "name"},
        default_sort="-amount",
    )
    context = _page_context(request, query) | {"listing": listing, "stage": stage}
    return render(request, "forecasting/opportunities.html", context)


@login_required
def targets(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Targets per period: explicit where set, rolled up from members where not."""
    query = _query(request)
    assert query.period is not None
    metric = request.GET.get("metric", Metric.BOOKINGS)
    if metric not in Metric.values:
        metric = Metric.BOOKINGS
    user = request.user
    lines = selectors.target_lines(user, metric, query.period)
    everything, managed = services.managed_scopes(user)
    rows = [
        (
            line,
            everything
            or (line.team_id in managed if line.team_id else line.member_team_id in managed),
        )
        for line in lines
    ]
    context = _page_context(request, query) | {
        "rows": rows,
        "metric": metric,
        "metrics": Metric.choices,
    }
    return render(request, "forecasting/targets.html", context)


@login_required
@require_POST
def set_target(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TargetForm(request.POST)
    back = reverse("forecasting:targets") + "?" + request.POST.get("back", "")
    if not form.is_valid():
        messages.error(request, _("The target could not be saved."))
        return redirect(back)
    data = form.cleaned_data
    user = request.user
    try:
        period = parse_period(data["period"])
        scope = resolve_scope(user, data["scope"])
        if scope.account is not None:
            raise ValidationError(_("Targets are set for reps, teams and the company."))
        services.set_target(
            metric=data["metric"],
            period=period,
            amount=data["amount"],
            by=user,
            team=scope.team,
            user=scope.rep,
            expected_version=data.get("version"),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ConflictError as exc:
        messages.error(request, str(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
    else:
        messages.success(request, _("Target saved."))
    return redirect(back)


@login_required
@require_POST
def adjust(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AdjustmentForm(request.POST)
    user = request.user
    back = reverse("forecasting:index") + "?" + request.POST.get("back", "")
    if not form.is_valid():
        messages.error(request, _("Say why the number is adjusted."))
        return redirect(back)
    data = form.cleaned_data
    try:
        period = parse_period(data["period"])
        scope = resolve_scope(user, data["scope"])
        if scope.account is not None:
            raise ValidationError(_("Forecasts are adjusted for reps, teams and the company."))
        report = selectors.forecast_report(user, scope, period, with_breakdown=False)
        services.adjust_forecast(
            period=period,
            adjusted_amount=data["adjusted_amount"],
            system_amount=report.forecast.total,
            note=data["note"],
            by=user,
            team=scope.team,
            user=scope.rep,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
    else:
        messages.success(request, _("Adjustment saved; the system figure is kept beside it."))
    return redirect(back)


@login_required
def export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The forecast, its funnel and its breakdown as an Excel workbook."""
    query = _query(request)
    assert query.period is not None
    report = selectors.forecast_report(request.user, query.scope, query.period, method=query.method)
    return exports.forecast_workbook(request.user, report)


def _week(request: AuthenticatedHttpRequest) -> tuple[Week | None, str]:
    """The ``week`` asked for (ISO key), else the latest one with a snapshot."""
    raw = request.GET.get("week", "").strip()
    if raw:
        try:
            return parse_week(raw), ""
        except ValidationError as exc:
            return weekly.latest_snapshot_week(), " ".join(exc.messages)
    return weekly.latest_snapshot_week(), ""


@login_required
def progress(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Sales progress per week (§5.2) with its trend, and what changed in the chosen week."""
    query = _query(request)
    user = request.user
    week, week_error = _week(request)
    weeks = weekly.progress_weeks(user, query.scope, until=week) if week else []
    context = _page_context(request, query) | {
        "week": week,
        "week_error": week_error,
        "weeks": list(reversed(weeks)),
        "progress_chart": charts.progress(weeks, query),
        "changes": weekly.week_changes(user, query.scope, week) if week else [],
        "snapshot_weeks": weekly.snapshot_weeks(26),
    }
    return render(request, "forecasting/progress.html", context)


@login_required
def changes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Drill-down: the deals behind one line of the week-over-week change."""
    query = _query(request)
    user = request.user
    week, _error = _week(request)
    change = request.GET.get("change", "")
    label = weekly.change_label(change)
    if week is None or label is None:
        raise Http404
    deals = weekly.changed_opportunities(user, query.scope, week, change)
    listing = paginate(
        request,
        deals,
        sorts={"amount": "amount", "close": "expected_close_date", "name": "name"},
        default_sort="-amount",
    )
    context = _page_context(request, query) | {
        "listing": listing,
        "week": week,
        "change_label": label,
    }
    return render(request, "forecasting/changes.html", context)


@dataclass(frozen=True)
class StageRateLine:
    stage: Stage
    company: odds.StageRate | None
    team: odds.StageRate | None


@login_required
def accuracy(request: AuthenticatedHttpRequest) -> HttpResponse:
    """How far each method's odds can be trusted: learned stage rates and held-out accuracy."""
    query = _query(request)
    user = request.user
    company, teams = odds.learned_stage_rates(user, today=timezone.localdate())
    team_id = query.scope.team.pk if query.scope.team else None
    stages = Stage.objects.filter(model=default_stage_model()).order_by("order")
    lines = [
        StageRateLine(s, company.get(s.pk), teams.get(team_id, {}).get(s.pk) if team_id else None)
        for s in stages
    ]
    model = odds.latest_win_model()
    methods = []
    if model is not None:
        methods = [
            (value, label, model.accuracy.get(value, {}))
            for value, label in Method.choices
            if value in model.accuracy
        ]
    context = _page_context(request, query) | {
        "lines": lines,
        "model": model,
        "accuracy_methods": methods,
        "months": odds.DEFAULT_MONTHS,
        "min_sample": odds.MIN_SAMPLE,
    }
    return render(request, "forecasting/accuracy.html", context)
