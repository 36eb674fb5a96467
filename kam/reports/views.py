"""The role dashboards (the first page after sign-in), the reports and the list exports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts import charts as account_charts
from kam.core.http import AuthenticatedHttpRequest
from kam.core.models import Interface, User
from kam.core.params import query_int
from kam.forecasting import charts as forecast_charts
from kam.forecasting import selectors as forecast_selectors
from kam.forecasting.calculations import FunnelRow
from kam.forecasting.periods import MONTH, Period, parse_period
from kam.forecasting.scopes import COMPANY, Scope, default_scope, resolve_scope, scope_choices
from kam.pipeline.selectors import default_stage_model
from kam.receivables import charts as receivable_charts
from kam.receivables.charts import aging as aging_chart
from kam.reports import charts, exports, panels, selectors
from kam.reports.charts import Link
from kam.reports.list_exports import EXPORTS, export_list
from kam.reports.panels import Figures
from kam.ui.listing import paginate


def _funnel_rows(rows: list[FunnelRow]) -> list[FunnelRow]:
    """The default stage model's stages, and another model's only where it has deals."""
    default = set(default_stage_model().stages.values_list("pk", flat=True))
    return [r for r in rows if r.stage_id in default or r.count]


# --- dashboards ------------------------------------------------------------------------
#
# The page is a frame; each panel is its own request (htmx, on load), so the first
# figures show at once and no request has to add up the whole company alone. A panel's
# figures come from :mod:`kam.reports.panels` (the API answers the same ones); the page
# adds what only a screen needs, drawn from those figures.

#: What the page shows beside a panel's figures (charts, links), made from them.
PageExtras = Callable[[User, date, Figures], dict[str, Any]]


def _nothing_more(user: User, today: date, figures: Figures) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Panel:
    name: str
    width: str  # the Bootstrap column it fills
    extras: PageExtras = _nothing_more

    def context(self, kind: str, user: User, today: date) -> dict[str, Any]:
        """The panel's template context: its figures and what the page draws from them."""
        figures = panels.figures(kind, self.name, user, today, via=Interface.WEB)
        return {**figures, **self.extras(user, today, figures)}


def _rep_forecast_page(user: User, today: date, figures: Figures) -> dict[str, Any]:
    link = Link(selectors.rep_scope(user), selectors.current_quarter(today))
    forecast = figures["forecast"]
    return {
        "link": link,
        "forecast_url": link.forecast_url(),
        "funnel_chart": forecast_charts.funnel(_funnel_rows(forecast.rows), link),
        "target_chart": charts.forecast_vs_target(forecast, link),
    }


def _team_forecast_page(user: User, today: date, figures: Figures) -> dict[str, Any]:
    link = Link(figures["scope"], selectors.current_quarter(today))
    return {
        "link": link,
        "summary": selectors.home_summary(user),
        "forecast_url": link.forecast_url(),
        "funnel_chart": forecast_charts.funnel(_funnel_rows(figures["forecast"].rows), link),
        "breakdown_chart": charts.breakdown(figures["breakdown"], link),
    }


def _team_progress_page(user: User, today: date, figures: Figures) -> dict[str, Any]:
    link = Link(figures["scope"], selectors.current_quarter(today))
    return {
        "progress_chart": forecast_charts.progress(figures["progress"], link),
        "progress_url": f"{reverse('forecasting:progress')}?{link.querystring()}",
    }


def _team_aging_page(user: User, today: date, figures: Figures) -> dict[str, Any]:
    return {"aging_chart": aging_chart(figures["aging"])}


def _team_activities_page(user: User, today: date, figures: Figures) -> dict[str, Any]:
    report = figures["activities"]
    return {
        "outcome_chart": charts.outcomes(
            report.by_rep, report.outcomes, start=report.start, end=report.end
        ),
        "activities_url": charts.activities_url(report.start, report.end),
    }


def _company_forecast_page(user: User, today: date, figures: Figures) -> dict[str, Any]:
    link = Link(Scope(COMPANY), selectors.current_quarter(today))
    return {
        "link": link,
        "forecast_url": link.forecast_url(),
        "breakdown_chart": charts.breakdown(figures["breakdown"], link),
    }


def _company_pyramid_page(user: User, today: date, figures: Figures) -> dict[str, Any]:
    return {"pyramid_chart": account_charts.pyramid(figures["pyramid"])}


def _company_matrix_page(user: User, today: date, figures: Figures) -> dict[str, Any]:
    return {"matrix_chart": charts.matrix(figures["segments"])}


def _company_cash_page(user: User, today: date, figures: Figures) -> dict[str, Any]:
    return {"cash_chart": receivable_charts.cash(figures["cash"])}


PANELS: dict[str, list[Panel]] = {
    selectors.REP: [
        Panel("agenda", "col-lg-6"),
        Panel("tasks", "col-lg-6"),
        Panel("forecast", "col-lg-6", _rep_forecast_page),
        Panel("flags", "col-lg-6"),
        Panel("stalled", "col-lg-6"),
        Panel("receivables", "col-lg-6"),
        Panel("special_days", "col-lg-6"),
        Panel("plans", "col-lg-6"),
    ],
    selectors.MANAGER: [
        Panel("forecast", "col-12", _team_forecast_page),
        Panel("progress", "col-lg-4", _team_progress_page),
        Panel("aging", "col-lg-8", _team_aging_page),
        Panel("flags", "col-lg-6"),
        Panel("stalled", "col-lg-6"),
        Panel("screen", "col-lg-6"),
        Panel("tasks", "col-lg-6"),
        Panel("activities", "col-12", _team_activities_page),
        Panel("plans", "col-12"),
    ],
    selectors.EXECUTIVE: [
        Panel("forecast", "col-12", _company_forecast_page),
        Panel("pyramid", "col-lg-6", _company_pyramid_page),
        Panel("matrix", "col-lg-6", _company_matrix_page),
        Panel("cash", "col-lg-6", _company_cash_page),
        Panel("risks", "col-lg-6"),
        Panel("plans", "col-12"),
    ],
}


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What each person should look at today: their own, their team's or the company's."""
    user = request.user
    kind = selectors.dashboard_kind(user)
    today = timezone.localdate()
    return render(
        request,
        f"reports/dashboard_{kind}.html",
        {
            "kind": kind,
            "today": today,
            "period": selectors.current_quarter(today),
            "scope": default_scope(user) if kind == selectors.MANAGER else None,
            "panels": PANELS[kind],
        },
    )


@login_required
def dashboard_panel(request: AuthenticatedHttpRequest, name: str) -> HttpResponse:
    """One panel of the user's own dashboard (a panel of another role's is a 404)."""
    user = request.user
    kind = selectors.dashboard_kind(user)
    panel = next((p for p in PANELS[kind] if p.name == name), None)
    if panel is None:
        raise Http404
    return render(
        request,
        f"reports/panels/{kind}_{name}.html",
        {"panel": panel, **panel.context(kind, user, timezone.localdate())},
    )


# --- reports ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportQuery:
    scope: Scope
    period: Period
    error: str = ""


def _report_query(request: AuthenticatedHttpRequest) -> ReportQuery:
    """Scope (visibility-checked: another team is a 404) and period, as the forecast pages."""
    user = request.user
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


def _context(request: AuthenticatedHttpRequest, query: ReportQuery) -> dict[str, object]:
    return {
        "query": query,
        "link": Link(query.scope, query.period),
        "scope_choices": scope_choices(request.user),
    }


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "reports/index.html")


@login_required
def forecast(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Forecast against target by team and rep: the scope's total and one line per member."""
    query = _report_query(request)
    report = forecast_selectors.forecast_report(request.user, query.scope, query.period)
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
def win_loss(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Why deals were won and lost, to which competitors, at which stage, month by month."""
    query = _report_query(request)
    report = selectors.win_loss(request.user, query.scope, query.period)
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
def win_loss_deals(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Drill-down: the closed deals behind one figure of the win/loss report."""
    query = _report_query(request)
    params = request.GET
    raw_month = params.get("month", "")
    month = None
    if raw_month:
        try:
            month = parse_period(raw_month, "month")
        except ValidationError:
            month = None
        if month is not None and month.kind != MONTH:
            month = None
    deals = selectors.win_loss_deals(
        request.user,
        query.scope,
        query.period,
        status=params.get("status", ""),
        reason=params.get("reason", ""),
        competitor=params.get("competitor", ""),
        stage=query_int(params, "stage"),
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
def win_loss_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    query = _report_query(request)
    report = selectors.win_loss(request.user, query.scope, query.period)
    return exports.win_loss_workbook(request.user, report, query.scope.label)


@login_required
def activities(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Activity effectiveness: outcomes per rep and per kind, and the advance rate."""
    query = _report_query(request)
    report = selectors.activity_effectiveness(
        request.user, query.scope, query.period.start, query.period.end
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
def activities_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    query = _report_query(request)
    report = selectors.activity_effectiveness(
        request.user, query.scope, query.period.start, query.period.end
    )
    return exports.activity_workbook(request.user, report, query.period.key)


# --- list exports ----------------------------------------------------------------------


@login_required
def export(request: AuthenticatedHttpRequest, name: str) -> HttpResponse:
    """A list page as .xlsx: the same filters, sort and visibility as on screen."""
    entry = EXPORTS.get(name)
    if entry is None:
        raise Http404
    return export_list(
        request,
        entry.rows(request, request.user),
        entry.columns(),
        name=name,
        title=str(entry.title),
        sorts=entry.sorts(),
        default_sort=entry.default_sort,
    )
