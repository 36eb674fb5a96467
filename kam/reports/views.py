"""The role dashboards (the first page after sign-in), the reports and the list exports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts import charts as account_charts
from kam.accounts import selectors as account_selectors
from kam.core.models import User
from kam.core.params import query_int
from kam.forecasting import charts as forecast_charts
from kam.forecasting import selectors as forecast_selectors
from kam.forecasting.calculations import FunnelRow
from kam.forecasting.periods import MONTH, Period, parse_period
from kam.forecasting.scopes import COMPANY, Scope, default_scope, resolve_scope, scope_choices
from kam.pipeline.selectors import default_stage_model, visible_opportunities
from kam.receivables import charts as receivable_charts
from kam.receivables import selectors as receivable_selectors
from kam.receivables.charts import aging as aging_chart
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
#
# The page is a frame; each panel is its own request (htmx, on load), so the first
# figures show at once and no request has to add up the whole company alone.


@dataclass(frozen=True)
class Panel:
    name: str
    width: str  # the Bootstrap column it fills
    build: Callable[[User, date], dict[str, Any]]


def _rep_agenda(user: User, today: date) -> dict[str, Any]:
    return {"board": selectors.rep_agenda(user, today)}


def _rep_forecast(user: User, today: date) -> dict[str, Any]:
    report = selectors.rep_forecast(user, today)
    link = Link(selectors.rep_scope(user), selectors.current_quarter(today))
    return {
        "link": link,
        "forecast": report.forecast,
        "forecast_url": link.forecast_url(),
        "funnel_chart": forecast_charts.funnel(_funnel_rows(report.forecast.rows), link),
        "target_chart": charts.forecast_vs_target(report.forecast, link),
    }


def _rep_flags(user: User, today: date) -> dict[str, Any]:
    return {"flagged": selectors.my_flagged(user)}


def _rep_stalled(user: User, today: date) -> dict[str, Any]:
    return {"stalled": selectors.stalled_by_amount(user, selectors.rep_scope(user), today=today)}


def _rep_receivables(user: User, today: date) -> dict[str, Any]:
    return {"board": selectors.rep_receivables(user, today)}


def _rep_special_days(user: User, today: date) -> dict[str, Any]:
    days = selectors.birthdays_this_week(user, today)
    services.log_special_days_shown(days, by=user)
    return {"special_days": days}


def _team_forecast(user: User, today: date) -> dict[str, Any]:
    scope = default_scope(user)
    period = selectors.current_quarter(today)
    link = Link(scope, period)
    report = forecast_selectors.forecast_report(user, scope, period, today=today)
    return {
        "scope": scope,
        "link": link,
        "summary": selectors.home_summary(user),
        "forecast": report.forecast,
        "forecast_url": link.forecast_url(),
        "funnel_chart": forecast_charts.funnel(_funnel_rows(report.forecast.rows), link),
        "breakdown": report.breakdown,
        "breakdown_chart": charts.breakdown(report.breakdown, link),
    }


def _team_progress(user: User, today: date) -> dict[str, Any]:
    scope = default_scope(user)
    link = Link(scope, selectors.current_quarter(today))
    progress = selectors.team_progress(user, scope)
    return {
        "progress": progress,
        "progress_chart": forecast_charts.progress(progress, link),
        "progress_url": f"{reverse('forecasting:progress')}?{link.querystring()}",
    }


def _team_flags(user: User, today: date) -> dict[str, Any]:
    return {"flagged": selectors.team_flagged(user, default_scope(user))}


def _team_stalled(user: User, today: date) -> dict[str, Any]:
    return {"stalled": selectors.stalled_by_amount(user, default_scope(user), today=today)}


def _team_aging(user: User, today: date) -> dict[str, Any]:
    aging = receivable_selectors.aging(user, "rep", today)
    return {"aging": aging, "aging_chart": aging_chart(aging)}


def _team_activities(user: User, today: date) -> dict[str, Any]:
    scope = default_scope(user)
    report = selectors.team_activities(user, scope, today)
    return {
        "scope": scope,
        "activities": report,
        "outcome_chart": charts.outcomes(
            report.by_rep, report.outcomes, start=report.start, end=report.end
        ),
        "activities_url": charts.activities_url(report.start, report.end),
    }


def _company_forecast(user: User, today: date) -> dict[str, Any]:
    scope, period = Scope(COMPANY), selectors.current_quarter(today)
    link = Link(scope, period)
    report = forecast_selectors.forecast_report(user, scope, period, today=today)
    return {
        "link": link,
        "forecast": report.forecast,
        "forecast_url": link.forecast_url(),
        "breakdown": report.breakdown,
        "breakdown_chart": charts.breakdown(report.breakdown, link),
    }


def _company_pyramid(user: User, today: date) -> dict[str, Any]:
    pyramid = account_selectors.value_pyramid(user, today=today)
    return {"pyramid": pyramid, "pyramid_chart": account_charts.pyramid(pyramid)}


def _company_matrix(user: User, today: date) -> dict[str, Any]:
    segments, unplaced = selectors.segment_counts(user)
    return {"matrix_chart": charts.matrix(segments), "unplaced": unplaced}


def _company_cash(user: User, today: date) -> dict[str, Any]:
    cash = receivable_selectors.cash_forecast(user, Scope(COMPANY), "month", today=today)
    return {"cash_chart": receivable_charts.cash(cash)}


def _company_risks(user: User, today: date) -> dict[str, Any]:
    overdue_total, overdue = selectors.company_overdue(user, today)
    flagged = selectors.flagged_by_amount(visible_opportunities(user))
    return {"overdue_total": overdue_total, "overdue": overdue, "flagged": flagged}


PANELS: dict[str, list[Panel]] = {
    selectors.REP: [
        Panel("agenda", "col-lg-6", _rep_agenda),
        Panel("forecast", "col-lg-6", _rep_forecast),
        Panel("flags", "col-lg-6", _rep_flags),
        Panel("stalled", "col-lg-6", _rep_stalled),
        Panel("receivables", "col-lg-6", _rep_receivables),
        Panel("special_days", "col-lg-6", _rep_special_days),
    ],
    selectors.MANAGER: [
        Panel("forecast", "col-12", _team_forecast),
        Panel("progress", "col-lg-4", _team_progress),
        Panel("aging", "col-lg-8", _team_aging),
        Panel("flags", "col-lg-6", _team_flags),
        Panel("stalled", "col-lg-6", _team_stalled),
        Panel("activities", "col-12", _team_activities),
    ],
    selectors.EXECUTIVE: [
        Panel("forecast", "col-12", _company_forecast),
        Panel("pyramid", "col-lg-6", _company_pyramid),
        Panel("matrix", "col-lg-6", _company_matrix),
        Panel("cash", "col-lg-6", _company_cash),
        Panel("risks", "col-lg-6", _company_risks),
    ],
}


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """What each person should look at today: their own, their team's or the company's."""
    user = _user(request)
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
def dashboard_panel(request: HttpRequest, name: str) -> HttpResponse:
    """One panel of the user's own dashboard (a panel of another role's is a 404)."""
    user = _user(request)
    kind = selectors.dashboard_kind(user)
    panel = next((p for p in PANELS[kind] if p.name == name), None)
    if panel is None:
        raise Http404
    return render(
        request,
        f"reports/panels/{kind}_{name}.html",
        {"panel": panel, **panel.build(user, timezone.localdate())},
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
        _user(request),
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
