"""Dashboards and reports in the API: one object per report, figures as on the pages.

Every view starts from the caller's visibility (the same selectors as the pages):
a scope the caller may not see is a 404, a scope or period that does not parse
a 400 in the API's error shape.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from kam.api.schema import ReportSchema
from kam.core.models import User
from kam.forecasting.api import (
    PERIOD,
    SCOPE,
    BreakdownSerializer,
    ForecastFiguresSerializer,
    FunnelRowSerializer,
    _figures,
    _period,
    _rows,
    _scope,
)
from kam.receivables.api import CashForecastSerializer, cash_forecast_data
from kam.reports import selectors
from kam.reports.calculations import OutcomeTally, WinLossLine


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


class DashboardSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=selectors.DASHBOARD_KINDS)
    scope = serializers.CharField()
    period = serializers.CharField()
    forecast = ForecastFiguresSerializer()
    funnel = FunnelRowSerializer(many=True)
    breakdown = BreakdownSerializer(many=True)
    red_flags = DealSerializer(many=True, help_text="the largest open deals with red flags")
    stalled = StalledSerializer(allow_null=True)
    overdue = _money()
    activities = TallySerializer(many=True, help_text="manager: outcomes per rep, 90 days")
    cash = CashForecastSerializer(allow_null=True)
    pyramid = TierSerializer(many=True)
    matrix = StrategySerializer(many=True)


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


def _breakdown(report: Any) -> list[dict[str, Any]]:
    return [
        {
            "scope": line.scope_key,
            "name": line.label,
            "kind": line.kind,
            "forecast": _figures(line.forecast),
        }
        for line in report.breakdown
    ]


class DashboardViewSet(viewsets.ViewSet):
    schema = ReportSchema()

    @extend_schema(responses=DashboardSerializer)
    def list(self, request: Request) -> Response:
        """The figures of the caller's dashboard: a rep's own, a manager's team, the company."""
        user: User = request.user  # type: ignore[assignment]
        kind = selectors.dashboard_kind(user)
        data: dict[str, Any] = {
            "kind": kind,
            "red_flags": [],
            "stalled": None,
            "overdue": None,
            "activities": [],
            "cash": None,
            "pyramid": [],
            "matrix": [],
            "breakdown": [],
        }
        board: Any
        if kind == selectors.REP:
            board = selectors.rep_dashboard(user)
            data["overdue"] = board.overdue_total
        elif kind == selectors.MANAGER:
            board = selectors.manager_dashboard(user)
            data["overdue"] = board.aging.totals.overdue
            data["activities"] = [_tally(t) for t in board.activities.by_rep]
            data["breakdown"] = _breakdown(board.forecast)
        else:
            board = selectors.executive_dashboard(user)
            data["overdue"] = board.overdue_total
            data["cash"] = cash_forecast_data(board.cash)
            data["breakdown"] = _breakdown(board.forecast)
            data["pyramid"] = [
                {
                    "tier": r.tier,
                    "name": r.label,
                    "accounts": r.accounts,
                    "revenue": r.revenue,
                    "revenue_share": r.revenue_share,
                }
                for r in board.pyramid.rows
            ]
            data["matrix"] = [
                {"strategy": r.strategy, "name": r.label, "accounts": r.accounts}
                for r in board.matrix
            ]
        if kind != selectors.EXECUTIVE:
            count, amount, lines = board.stalled
            data["stalled"] = {
                "count": count,
                "amount": amount,
                "largest": [_deal(s.opportunity) for s in lines],
            }
        data["red_flags"] = [_deal(d.opportunity, d.flags) for d in board.flagged]
        data["scope"] = board.scope.key
        data["period"] = board.period.key
        data["forecast"] = _figures(board.forecast.forecast)
        data["funnel"] = _rows(board.forecast.forecast.rows)
        return Response(DashboardSerializer(data).data)


class WinLossViewSet(viewsets.ViewSet):
    schema = ReportSchema()

    @extend_schema(parameters=[SCOPE, PERIOD], responses=WinLossSerializer)
    def list(self, request: Request) -> Response:
        """Closed deals of a period: win rates, reasons, competitors who won, stage lost."""
        scope, period = _scope(request), _period(request)
        assert period is not None
        report = selectors.win_loss(request.user, scope, period)  # type: ignore[arg-type]
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
    def list(self, request: Request) -> Response:
        """Outcomes of done activities per rep and per kind, with the advance rate."""
        scope, period = _scope(request), _period(request)
        assert period is not None
        report = selectors.activity_effectiveness(
            request.user,  # type: ignore[arg-type]
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
