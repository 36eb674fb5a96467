"""The role dashboards (the first page after sign-in), the reports and the list exports."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core.models import User
from kam.forecasting import charts as forecast_charts
from kam.forecasting import selectors as forecast_selectors
from kam.forecasting.calculations import FunnelRow
from kam.forecasting.periods import MONTH, Period, parse_period
from kam.forecasting.scopes import Scope, resolve_scope, scope_choices
from kam.pipeline.selectors import default_stage_model
from kam.receivables import charts as receivable_charts
from kam.receivables.views import aging_chart
from kam.reports import charts, exports, selectors, services
from kam.reports.charts import Link
from kam.reports.list_exports import EXPORTS
from kam.ui.exports import export_list
from kam.ui.listing import paginate


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _funnel_rows(rows: list[FunnelRow]) -> list[FunnelRow]:
    """The default stage model's stages, and another model's only where it has deals."""
    default = set(default_stage_model().stages.values_list("pk", flat=True))
    return [r for r in rows if r.stage_id in default or r.count]


# --- dashboards ------------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """What each person should look at today: their own, their team's or the company's."""
    user = _user(request)
    kind = selectors.dashboard_kind(user)
    if kind == selectors.REP:
        return _rep(request, user)
    if kind == selectors.MANAGER:
        return _manager(request, user)
    return _executive(request, user)


def _rep(request: HttpRequest, user: User) -> HttpResponse:
    board = selectors.rep_dashboard(user)
    services.log_special_days_shown(board.special_days, by=user)
    link = Link(board.scope, board.period)
    forecast = board.forecast.forecast
    return render(
        request,
        "reports/dashboard_rep.html",
        {
            "board": board,
            "summary": board.summary,
            "link": link,
            "forecast": forecast,
            "forecast_url": link.forecast_url(),
            "funnel_chart": forecast_charts.funnel(_funnel_rows(forecast.rows), link),
            "target_chart": charts.forecast_vs_target(forecast, link),
        },
    )


def _manager(request: HttpRequest, user: User) -> HttpResponse:
    board = selectors.manager_dashboard(user)
    link = Link(board.scope, board.period)
    forecast = board.forecast.forecast
    activities = board.activities
    return render(
        request,
        "reports/dashboard_manager.html",
        {
            "board": board,
            "summary": board.summary,
            "link": link,
            "forecast": forecast,
            "forecast_url": link.forecast_url(),
            "funnel_chart": forecast_charts.funnel(_funnel_rows(forecast.rows), link),
            "breakdown_chart": charts.breakdown(board.forecast.breakdown, link),
            "progress_chart": forecast_charts.progress(board.progress, link),
            "progress_url": f"{reverse('forecasting:progress')}?{link.querystring()}",
            "aging_chart": aging_chart(board.aging),
            "outcome_chart": charts.outcomes(
                activities.by_rep, activities.outcomes, start=activities.start, end=activities.end
            ),
            "activities_url": charts.activities_url(activities.start, activities.end),
        },
    )


def _executive(request: HttpRequest, user: User) -> HttpResponse:
    board = selectors.executive_dashboard(user)
    link = Link(board.scope, board.period)
    return render(
        request,
        "reports/dashboard_executive.html",
        {
            "board": board,
            "link": link,
            "forecast": board.forecast.forecast,
            "forecast_url": link.forecast_url(),
            "pyramid_chart": charts.pyramid(board.pyramid),
            "matrix_chart": charts.matrix(board.matrix),
            "breakdown_chart": charts.breakdown(board.forecast.breakdown, link),
            "cash_chart": receivable_charts.cash(board.cash),
        },
    )


# --- reports ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportQuery:
    scope: Scope
    period: Period
    error: str = ""


def _report_query(request: HttpRequest) -> ReportQuery:
    """Scope (visibility-checked: another team is a 404) and period, as the forecast pages."""
    user = _user(request)
    error = ""
    try:
        scope = resolve_scope(user, request.GET.get("scope"))
    except ValidationError as exc:
        scope, error = resolve_scope(user, None), " ".join(exc.messages)
    raw = request.GET.get("period", "").strip()
    period = selectors.current_quarter(timezone.localdate())
    if raw:
        try:
            period = parse_period(raw)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    return ReportQuery(scope, period, error)


def _context(request: HttpRequest, query: ReportQuery) -> dict[str, object]:
    return {
        "query": query,
        "link": Link(query.scope, query.period),
        "scope_choices": scope_choices(_user(request)),
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/index.html")


@login_required
def forecast(request: HttpRequest) -> HttpResponse:
    """Forecast against target by team and rep: the scope's total and one line per member."""
    query = _report_query(request)
    report = forecast_selectors.forecast_report(_user(request), query.scope, query.period)
    link = Link(query.scope, query.period)
    return render(
        request,
        "reports/forecast.html",
        _context(request, query)
        | {
            "report": report,
            "chart": charts.breakdown(report.breakdown, link),
            "export_url": reverse("forecasting:export")
            + "?"
            + link.querystring(method="configured"),
        },
    )


def _win_loss_url(link: Link, **extra: str) -> str:
    return f"{reverse('reports:win_loss_deals')}?{link.querystring(**extra)}"


@login_required
def win_loss(request: HttpRequest) -> HttpResponse:
    """Why deals were won and lost, to which competitors, at which stage, month by month."""
    query = _report_query(request)
    report = selectors.win_loss(_user(request), query.scope, query.period)
    link = Link(query.scope, query.period)
    return render(
        request,
        "reports/win_loss.html",
        _context(request, query)
        | {
            "report": report,
            "reasons_chart": charts.lines_bar(
                report.reasons_lost,
                lambda line: _win_loss_url(link, status="lost", reason=line.label),
                _("Deals"),
            ),
            "competitors_chart": charts.lines_bar(
                report.competitors,
                lambda line: _win_loss_url(link, status="lost", competitor=line.label),
                _("Deals"),
            ),
        },
    )


@login_required
def win_loss_deals(request: HttpRequest) -> HttpResponse:
    """Drill-down: the closed deals behind one figure of the win/loss report."""
    query = _report_query(request)
    params = request.GET
    raw_stage = params.get("stage", "")
    raw_month = params.get("month", "")
    month = None
    if raw_month:
        try:
            month = parse_period(raw_month)
        except ValidationError:
            month = None
        if month is not None and month.kind != MONTH:
            month = None
    deals = selectors.win_loss_deals(
        _user(request),
        query.scope,
        query.period,
        status=params.get("status", ""),
        reason=params.get("reason", ""),
        competitor=params.get("competitor", ""),
        stage=int(raw_stage) if raw_stage.isdigit() else None,
        month=month,
    )
    listing = paginate(
        request,
        deals,
        sorts={"amount": "amount", "closed": "closed_on", "name": "name"},
        default_sort="-amount",
    )
    return render(
        request, "reports/win_loss_deals.html", _context(request, query) | {"listing": listing}
    )


@login_required
def win_loss_export(request: HttpRequest) -> HttpResponse:
    query = _report_query(request)
    report = selectors.win_loss(_user(request), query.scope, query.period)
    return exports.win_loss_workbook(_user(request), report, query.scope.label)


@login_required
def activities(request: HttpRequest) -> HttpResponse:
    """Activity effectiveness: outcomes per rep and per kind, and the advance rate."""
    query = _report_query(request)
    report = selectors.activity_effectiveness(
        _user(request), query.scope, query.period.start, query.period.end
    )
    return render(
        request,
        "reports/activities.html",
        _context(request, query)
        | {
            "report": report,
            "chart": charts.outcomes(
                report.by_rep, report.outcomes, start=report.start, end=report.end
            ),
            "kind_chart": charts.outcomes(
                report.by_kind, report.outcomes, start=report.start, end=report.end, group="kind"
            ),
        },
    )


@login_required
def activities_export(request: HttpRequest) -> HttpResponse:
    query = _report_query(request)
    report = selectors.activity_effectiveness(
        _user(request), query.scope, query.period.start, query.period.end
    )
    return exports.activity_workbook(_user(request), report, query.period.key)


# --- list exports ----------------------------------------------------------------------


@login_required
def export(request: HttpRequest, name: str) -> HttpResponse:
    """A list page as .xlsx: the same filters, sort and visibility as on screen."""
    entry = EXPORTS.get(name)
    if entry is None:
        raise Http404
    return export_list(
        request,
        entry.rows(request, _user(request)),
        entry.columns(),
        name=name,
        title=str(entry.title),
        sorts=entry.sorts(),
        default_sort=entry.default_sort,
    )
