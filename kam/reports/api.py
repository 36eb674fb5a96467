"""Dashboards and reports in the API: one object per report, figures as on the pages.

Every view starts from the caller's visibility (the same selectors as the pages):
a scope the caller may not see is a 404, a scope or period that does not parse
a 400 in the API's error shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from kam.accounts.api.plans import PlanWarningSerializer
from kam.core.http import AuthenticatedRequest
from kam.core.models import Interface, User
from kam.core.rest.schema import ReportSchema
from kam.forecasting.api import (
    PERIOD,
    SCOPE,
    BreakdownSerializer,
    ForecastFiguresSerializer,
    FunnelRowSerializer,
    ProgressWeekSerializer,
    _figures,
    _period,
    _rows,
    _scope,
    _week,
)
from kam.forecasting.scopes import COMPANY, Scope, default_scope
from kam.receivables.api import AgingRowSerializer, CashForecastSerializer, cash_forecast_data
from kam.reports import panels, selectors
from kam.reports.calculations import OutcomeTally, WinLossLine
from kam.reports.panels import Figures


def _money() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=30, decimal_places=6, allow_null=True)


def _rate() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)


class DealSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    account = serializers.CharField()
    owner = serializers.CharField()
    amount = _money()
    flags = serializers.ListField(child=serializers.CharField())


class StalledSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    amount = _money()
    largest = DealSerializer(many=True)


class TallySerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())
    judged = serializers.IntegerField()
    advance_rate = _rate()


class TierSerializer(serializers.Serializer):
    tier = serializers.CharField()
    name = serializers.CharField()
    accounts = serializers.IntegerField()
    revenue = _money()
    revenue_share = _money()


class StrategySerializer(serializers.Serializer):
    strategy = serializers.CharField()
    name = serializers.CharField()
    accounts = serializers.IntegerField()


class AgendaActivitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    starts_at = serializers.DateTimeField()
    account = serializers.CharField()
    opportunity_id = serializers.IntegerField(allow_null=True)
    objective = serializers.CharField()


class DueTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    due_on = serializers.DateField()
    account = serializers.CharField(allow_null=True)
    opportunity_id = serializers.IntegerField(allow_null=True)


class TasksDueSerializer(serializers.Serializer):
    overdue = serializers.IntegerField()
    today = serializers.IntegerField()
    tasks = DueTaskSerializer(many=True, help_text="overdue or due within a week, soonest first")


class AgendaSerializer(serializers.Serializer):
    week_start = serializers.DateField()
    week_end = serializers.DateField()
    today = AgendaActivitySerializer(many=True)
    week = AgendaActivitySerializer(many=True)


class PromiseDueSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    account = serializers.CharField()
    invoice = serializers.CharField(allow_null=True)
    amount = _money()
    due_on = serializers.DateField()


class SpecialDaySerializer(serializers.Serializer):
    contact_id = serializers.IntegerField()
    name = serializers.CharField()
    account = serializers.CharField()
    day = serializers.DateField()


class TeamAgingSerializer(serializers.Serializer):
    rows = AgingRowSerializer(many=True, help_text="one row per rep")
    totals = AgingRowSerializer()


def _panel(panels: str, about: str = "") -> dict[str, Any]:
    """A field that is there when the role's dashboard has one of ``panels`` and it was asked.

    (Keyword arguments, not attributes set afterwards: DRF copies a serializer's fields
    by calling them again with their arguments.)
    """
    return {"required": False, "help_text": " ".join(filter(None, [about, f"(panel {panels})"]))}


class ScreenDealSerializer(DealSerializer):
    evaluation_total = serializers.IntegerField(allow_null=True)
    failed_gates = serializers.ListField(
        child=serializers.CharField(), help_text="the gates failed, in the reader's language"
    )


class ScreenSerializer(serializers.Serializer):
    open = serializers.IntegerField(help_text="open deals")
    failing_a_gate = serializers.IntegerField(
        help_text="open deals whose latest evaluation fails a gate under the pass mark"
    )
    to_reevaluate = serializers.IntegerField(
        help_text="open deals never evaluated, evaluated too long ago or before their last move"
    )
    not_worth_it_late = serializers.IntegerField(
        help_text="open deals failing “Is it worth it?” at or past the stage the settings name "
        "for their stage model (Comparison in the purchase stages): a red flag"
    )
    largest_failing = ScreenDealSerializer(many=True)


class PlanToReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    account = serializers.IntegerField(source="account_id")
    account_name = serializers.CharField(source="account.name")
    year = serializers.IntegerField()
    submitted_at = serializers.DateTimeField(allow_null=True)


class DashboardSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=selectors.DASHBOARD_KINDS)
    scope = serializers.CharField()
    period = serializers.CharField()
    panels = serializers.ListField(
        child=serializers.CharField(), help_text="the panels in this answer, in page order"
    )
    agenda = AgendaSerializer(**_panel("agenda: rep"))
    tasks = TasksDueSerializer(**_panel("tasks: rep, manager", "one's own open tasks falling due"))
    forecast = ForecastFiguresSerializer(**_panel("forecast"))
    funnel = FunnelRowSerializer(many=True, **_panel("forecast"))
    breakdown = BreakdownSerializer(many=True, **_panel("forecast: manager, executive"))
    progress = ProgressWeekSerializer(many=True, **_panel("progress: manager"))
    red_flags = DealSerializer(
        many=True,
        **_panel("flags: rep, manager; risks: executive", "the largest open deals with red flags"),
    )
    stalled = StalledSerializer(**_panel("stalled: rep, manager"))
    screen = ScreenSerializer(**_panel("screen: manager", "the twenty questions' funnel screen"))
    overdue = serializers.DecimalField(
        max_digits=30,
        decimal_places=6,
        **_panel("receivables: rep; aging: manager; risks: executive", "overdue receivables"),
    )
    promises = PromiseDueSerializer(
        many=True, **_panel("receivables: rep", "open promises to pay due by Sunday")
    )
    special_days = SpecialDaySerializer(
        many=True, **_panel("special_days: rep", "birthdays this week; each view is logged")
    )
    aging = TeamAgingSerializer(**_panel("aging: manager"))
    activities = TallySerializer(
        many=True, **_panel("activities: manager", "outcomes per rep, 90 days")
    )
    cash = CashForecastSerializer(**_panel("cash: executive"))
    pyramid = TierSerializer(many=True, **_panel("pyramid: executive"))
    matrix = StrategySerializer(many=True, **_panel("matrix: executive"))
    plan_warnings = PlanWarningSerializer(
        many=True,
        **_panel(
            "plans: rep, manager, executive",
            "key accounts whose plan is missing, not approved or overdue for review "
            "(the first ten)",
        ),
    )
    plan_warning_count = serializers.IntegerField(
        **_panel("plans: rep, manager, executive", "how many key accounts need their plan")
    )
    plans_to_review = PlanToReviewSerializer(
        many=True, **_panel("plans: manager, executive", "submitted plans you may review")
    )


class LineSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()
    amount = _money()


class WinLossSerializer(serializers.Serializer):
    scope = serializers.CharField()
    period = serializers.CharField()
    won = serializers.IntegerField()
    lost = serializers.IntegerField()
    win_rate_by_count = _rate()
    win_rate_by_amount = _rate()
    by_result = LineSerializer(many=True)
    reasons_lost = LineSerializer(many=True)
    reasons_won = LineSerializer(many=True)
    competitors = LineSerializer(many=True)
    stages_lost = LineSerializer(many=True)


class ActivityEffectivenessSerializer(serializers.Serializer):
    scope = serializers.CharField()
    period = serializers.CharField()
    by_rep = TallySerializer(many=True)
    by_kind = TallySerializer(many=True)
    total = TallySerializer()


def _deal(d: Any, flags: list[Any] | None = None) -> dict[str, Any]:
    return {
        "id": d.pk,
        "name": d.name,
        "account": str(d.account),
        "owner": str(d.owner),
        "amount": d.amount,
        "flags": [f.code for f in flags or []],
    }


def _tally(t: OutcomeTally) -> dict[str, Any]:
    return {
        "key": None if t.key is None else str(t.key),
        "name": t.label,
        "counts": t.counts,
        "judged": t.total,
        "advance_rate": t.advance_rate,
    }


def _lines(lines: list[WinLossLine]) -> list[dict[str, Any]]:
    return [
        {"key": line.key, "name": line.label, "count": line.count, "amount": line.amount}
        for line in lines
    ]


def _breakdown(breakdown: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "scope": line.scope_key,
            "name": line.label,
            "kind": line.kind,
            "forecast": _figures(line.forecast),
        }
        for line in breakdown
    ]


def _forecast(figures: Figures) -> dict[str, Any]:
    forecast = figures["forecast"]
    data = {"forecast": _figures(forecast), "funnel": _rows(forecast.rows)}
    if figures["breakdown"]:
        data["breakdown"] = _breakdown(figures["breakdown"])
    return data


def _stalled(figures: Figures) -> dict[str, Any]:
    count, amount, lines = figures["stalled"]
    return {
        "stalled": {
            "count": count,
            "amount": amount,
            "largest": [_deal(line.opportunity) for line in lines],
        }
    }


def _screen(figures: Figures) -> dict[str, Any]:
    summary = figures["screen"]
    counts = summary.counts
    return {
        "screen": {
            "open": counts.open,
            "failing_a_gate": counts.failing,
            "to_reevaluate": counts.due,
            "not_worth_it_late": counts.worth_late,
            "largest_failing": [
                {**_deal(deal), "evaluation_total": screen.total, "failed_gates": screen.failed}
                for deal, screen in summary.largest
            ],
        }
    }


def _flags(figures: Figures) -> dict[str, Any]:
    flagged: list[selectors.FlaggedDeal] = figures["flagged"]
    return {"red_flags": [_deal(d.opportunity, d.flags) for d in flagged]}


def _activity(a: Any) -> dict[str, Any]:
    return {
        "id": a.pk,
        "kind": a.kind,
        "status": a.status,
        "starts_at": a.starts_at,
        "account": str(a.account),
        "opportunity_id": a.opportunity_id,
        "objective": a.objective,
    }


def _agenda(figures: Figures) -> dict[str, Any]:
    agenda = figures["board"]
    return {
        "agenda": {
            "week_start": agenda.week[0],
            "week_end": agenda.week[1],
            "today": [_activity(a) for a in agenda.today_activities],
            "week": [_activity(a) for a in agenda.week_activities],
        }
    }


def _tasks(figures: Figures) -> dict[str, Any]:
    due = figures["due"]
    rows = [
        {
            "id": t.pk,
            "title": t.title,
            "due_on": t.due_on,
            "account": str(t.account) if t.account else None,
            "opportunity_id": t.opportunity_id,
        }
        for t in due.tasks
    ]
    return {"tasks": {"overdue": due.overdue, "today": due.today, "tasks": rows}}


def _receivables(figures: Figures) -> dict[str, Any]:
    money = figures["board"]
    promises = [
        {
            "id": p.pk,
            "account": str(p.account),
            "invoice": p.invoice.number if p.invoice else None,
            "amount": p.amount,
            "due_on": p.due_on,
        }
        for p in money.promises
    ]
    return {"overdue": money.overdue_total, "promises": promises}


def _special_days(figures: Figures) -> dict[str, Any]:
    return {
        "special_days": [
            {
                "contact_id": d.contact.pk,
                "name": d.contact.name,
                "account": str(d.contact.account),
                "day": d.day,
            }
            for d in figures["special_days"]
        ]
    }


def _progress(figures: Figures) -> dict[str, Any]:
    return {"progress": [_week(w) for w in figures["progress"]]}


def _aging(figures: Figures) -> dict[str, Any]:
    aging = figures["aging"]
    return {"overdue": aging.totals.overdue, "aging": {"rows": aging.rows, "totals": aging.totals}}


def _activities(figures: Figures) -> dict[str, Any]:
    return {"activities": [_tally(t) for t in figures["activities"].by_rep]}


def _pyramid(figures: Figures) -> dict[str, Any]:
    tiers = [
        {
            "tier": r.tier,
            "name": r.label,
            "accounts": r.accounts,
            "revenue": r.revenue,
            "revenue_share": r.revenue_share,
        }
        for r in figures["pyramid"].rows
    ]
    return {"pyramid": tiers}


def _matrix(figures: Figures) -> dict[str, Any]:
    return {
        "matrix": [
            {"strategy": r.strategy, "name": r.label, "accounts": r.accounts}
            for r in figures["segments"]
        ]
    }


def _cash(figures: Figures) -> dict[str, Any]:
    return {"cash": cash_forecast_data(figures["cash"])}


def _risks(figures: Figures) -> dict[str, Any]:
    return {"overdue": figures["overdue_total"], **_flags(figures)}


def _plans(figures: Figures) -> dict[str, Any]:
    return {
        "plan_warnings": figures["plan_warnings"],
        "plan_warning_count": figures["plan_warning_count"],
        "plans_to_review": figures["plans_to_review"],
    }


# Each dashboard panel's figures (kam.reports.panels, the page's own) as the API answers
# them, by the panel's name: a name means the same figures on every kind of dashboard.
PANEL_DATA: dict[str, Callable[[Figures], dict[str, Any]]] = {
    "agenda": _agenda,
    "tasks": _tasks,
    "forecast": _forecast,
    "flags": _flags,
    "stalled": _stalled,
    "screen": _screen,
    "receivables": _receivables,
    "special_days": _special_days,
    "progress": _progress,
    "aging": _aging,
    "activities": _activities,
    "pyramid": _pyramid,
    "matrix": _matrix,
    "cash": _cash,
    "risks": _risks,
    "plans": _plans,
}

#: The panels the API's dashboard answers: the page's, read by the same builders.
PANELS = panels.BUILDERS

PANEL = OpenApiParameter(
    "panel",
    str,
    many=True,
    explode=False,
    description=(
        "only these panels of the caller's dashboard, comma-separated (the page's names: "
        + "; ".join(
            f"{kind}: {', '.join(names)}" for kind, names in selectors.DASHBOARD_PANELS.items()
        )
        + "); without it, every panel"
    ),
)


def _dashboard_scope(user: User, kind: str) -> Scope:
    """The scope a dashboard kind reads (only that one is worked out: a team's takes a query)."""
    if kind == selectors.REP:
        return selectors.rep_scope(user)
    if kind == selectors.MANAGER:
        return default_scope(user)
    return Scope(COMPANY)


def _asked_panels(request: Request, kind: str) -> list[str]:
    names = selectors.DASHBOARD_PANELS[kind]
    asked = {
        name.strip()
        for raw in request.query_params.getlist("panel")
        for name in raw.split(",")
        if name.strip()
    }
    unknown = sorted(asked - set(names))
    if unknown:
        raise ValidationError(
            {
                "panel": [
                    _("This dashboard has no panel %(name)s; it has: %(names)s.")
                    % {"name": ", ".join(unknown), "names": ", ".join(names)}
                ]
            }
        )
    return [name for name in names if name in asked] if asked else list(names)


class DashboardViewSet(viewsets.ViewSet):
    schema = ReportSchema()

    @extend_schema(parameters=[PANEL], responses=DashboardSerializer)
    def list(self, request: AuthenticatedRequest) -> Response:
        """The figures of the caller's dashboard: a rep's own, a manager's team, the company.

        Every panel of the page by default; ``panel=`` answers only those asked for, so a
        client refreshing one figure does not pay for the whole dashboard.
        """
        user = request.user
        kind = selectors.dashboard_kind(user)
        asked = _asked_panels(request, kind)
        today = timezone.localdate()
        scope = _dashboard_scope(user, kind)
        data: dict[str, Any] = {
            "kind": kind,
            "scope": scope.key,
            "period": selectors.current_quarter(today).key,
            "panels": asked,
        }
        for name in asked:
            figures = panels.figures(kind, name, user, today, via=Interface.API)
            data.update(PANEL_DATA[name](figures))
        return Response(DashboardSerializer(data).data)


class WinLossViewSet(viewsets.ViewSet):
    schema = ReportSchema()

    @extend_schema(parameters=[SCOPE, PERIOD], responses=WinLossSerializer)
    def list(self, request: AuthenticatedRequest) -> Response:
        """Closed deals of a period: win rates, reasons, competitors who won, stage lost."""
        scope, period = _scope(request), _period(request)
        assert period is not None
        report = selectors.win_loss(request.user, scope, period)
        data = {
            "scope": scope.key,
            "period": period.key,
            "won": report.rates.won,
            "lost": report.rates.lost,
            "win_rate_by_count": report.rates.by_count,
            "win_rate_by_amount": report.rates.by_amount,
            "by_result": _lines(report.statuses),
            "reasons_lost": _lines(report.reasons_lost),
            "reasons_won": _lines(report.reasons_won),
            "competitors": _lines(report.competitors),
            "stages_lost": _lines(report.stages_lost),
        }
        return Response(WinLossSerializer(data).data)


class ActivityEffectivenessViewSet(viewsets.ViewSet):
    schema = ReportSchema()

    @extend_schema(parameters=[SCOPE, PERIOD], responses=ActivityEffectivenessSerializer)
    def list(self, request: AuthenticatedRequest) -> Response:
        """Outcomes of done activities per rep and per kind, with the advance rate."""
        scope, period = _scope(request), _period(request)
        assert period is not None
        report = selectors.activity_effectiveness(
            request.user,
            scope,
            period.start,
            period.end,
        )
        data = {
            "scope": scope.key,
            "period": period.key,
            "by_rep": [_tally(t) for t in report.by_rep],
            "by_kind": [_tally(t) for t in report.by_kind],
            "total": _tally(report.total),
        }
        return Response(ActivityEffectivenessSerializer(data).data)


ROUTES = [
    ("reports/dashboard", DashboardViewSet, "reports-dashboard"),
    ("reports/win-loss", WinLossViewSet, "reports-win-loss"),
    ("reports/activity-effectiveness", ActivityEffectivenessViewSet, "reports-activities"),
]
