"""The forecast area in the API: forecast, funnel, targets, progress, accuracy.

Read-only views wrap the same selectors as the pages, starting from the
caller's visibility: a scope the caller may not see is a 404, a scope or period
that does not parse a 400, both in the API's error shape. Targets are written
through :func:`kam.forecasting.services.set_target`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from kam.core.http import AuthenticatedRequest, request_user
from kam.core.models import Interface
from kam.core.rest.schema import ReportSchema
from kam.forecasting import odds, selectors, services
from kam.forecasting import progress as weekly
from kam.forecasting.calculations import Forecast, FunnelRow, funnel_totals
from kam.forecasting.models import Method, Metric
from kam.forecasting.periods import QUARTER, Period, parse_period, parse_week
from kam.forecasting.review.api import FunnelReviewViewSet
from kam.forecasting.scopes import Scope, resolve_scope
from kam.pipeline.models import StageModel
from kam.pipeline.selectors import default_stage_model


def _money() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=30, decimal_places=6, allow_null=True)


class FunnelRowSerializer(serializers.Serializer):
    stage_id = serializers.IntegerField()
    stage_name = serializers.CharField()
    win_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    count = serializers.IntegerField()
    total = _money()
    weighted = _money()


class FunnelTotalsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    total = _money()
    weighted = _money()


class ForecastFiguresSerializer(serializers.Serializer):
    closed = _money()
    weighted = _money()
    off_funnel = _money()
    total = _money()
    target = _money()
    adjusted = _money()
    coverage = serializers.DecimalField(max_digits=30, decimal_places=6, allow_null=True)


class BreakdownSerializer(serializers.Serializer):
    scope = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    forecast = ForecastFiguresSerializer()


class ForecastSerializer(serializers.Serializer):
    scope = serializers.CharField()
    scope_label = serializers.CharField()
    period = serializers.CharField()
    method = serializers.ChoiceField(choices=Method.choices)
    whole_scope = serializers.BooleanField(
        help_text="false: the figures are only what you may see of the scope, "
        "so its target and adjustment are left out (null)"
    )
    forecast = ForecastFiguresSerializer()
    funnel = FunnelRowSerializer(many=True)
    breakdown = BreakdownSerializer(many=True)


class FunnelSerializer(serializers.Serializer):
    scope = serializers.CharField()
    period = serializers.CharField(allow_null=True)
    stage_model = serializers.CharField()
    rows = FunnelRowSerializer(many=True)
    totals = FunnelTotalsSerializer()


class TargetLineSerializer(serializers.Serializer):
    scope = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    explicit = _money()
    rolled_up = _money()
    effective = _money()
    version = serializers.IntegerField(allow_null=True)


class TargetWriteSerializer(serializers.Serializer):
    metric = serializers.ChoiceField(choices=Metric.choices, default=Metric.BOOKINGS)
    period = serializers.CharField(help_text="2026, 2026-Q4 or 2026-11")
    scope = serializers.CharField(help_text="company, team:<id> or rep:<id>")
    amount = serializers.CharField(help_text="not below zero, at most two decimals")
    version = serializers.IntegerField(required=False, allow_null=True)


class ProgressWeekSerializer(serializers.Serializer):
    week = serializers.DateField()
    pipeline = _money()
    previous_pipeline = _money()
    sales = _money()
    previous_sales = _money()
    target = _money()
    progress = serializers.DecimalField(
        max_digits=30,
        decimal_places=6,
        allow_null=True,
        help_text="KAM's figure: (Δ weighted pipeline + Δ sales) ÷ quarter target; a won deal "
        "counts once",
    )
    forecast = serializers.DecimalField(
        max_digits=30,
        decimal_places=6,
        help_text="sales forecast: cumulative sales + weighted pipeline",
    )
    previous_forecast = _money()
    progress_as_written = serializers.DecimalField(
        max_digits=30,
        decimal_places=6,
        allow_null=True,
        help_text="the method as written: (Δ sales forecast + Δ sales) ÷ quarter target; the "
        "won amount enters twice, in the forecast and in sales",
    )


class ChangeSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()
    amount = _money()
    amount_change = _money()


class ProgressSerializer(serializers.Serializer):
    scope = serializers.CharField()
    week = serializers.CharField(allow_null=True)
    weeks = ProgressWeekSerializer(many=True)
    changes = ChangeSerializer(many=True)


class StageRateSerializer(serializers.Serializer):
    stage_id = serializers.IntegerField()
    stage_name = serializers.CharField()
    configured = serializers.DecimalField(max_digits=5, decimal_places=2)
    learned = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    deals = serializers.IntegerField()
    trusted = serializers.BooleanField()


class AccuracySerializer(serializers.Serializer):
    stage_rates = StageRateSerializer(many=True)
    trained_at = serializers.DateTimeField(allow_null=True)
    methods = serializers.DictField(
        child=serializers.DictField(), help_text="per method: brier, examples, calibration"
    )


SCOPE = OpenApiParameter(
    "scope", str, description="company, team:<id>, rep:<id> or account:<id> (default: your own)"
)
PERIOD = OpenApiParameter("period", str, description="2026, 2026-Q4 or 2026-11 (default: quarter)")
METHOD = OpenApiParameter("method", str, enum=Method.values, description="default: configured")


def _scope(request: Request) -> Scope:
    """The scope asked for, if the user may see it (the reports' API reads it too)."""
    return resolve_scope(request_user(request), request.query_params.get("scope"))


def _period(request: Request, *, allow_all: bool = False) -> Period | None:
    raw = request.query_params.get("period", "").strip()
    if allow_all and raw in ("", "all"):
        return None
    if not raw:
        return Period.of(QUARTER, timezone.localdate())
    return parse_period(raw)


def _rows(rows: list[FunnelRow]) -> list[dict[str, Any]]:
    return [
        {
            "stage_id": r.stage_id,
            "stage_name": r.stage_name,
            "win_rate": r.win_rate,
            "count": r.count,
            "total": r.total,
            "weighted": r.weighted,
        }
        for r in rows
    ]


def _figures(f: Forecast) -> dict[str, Decimal | None]:
    return {
        "closed": f.closed,
        "weighted": f.weighted,
        "off_funnel": f.off_funnel,
        "total": f.total,
        "target": f.target,
        "adjusted": f.adjusted,
        "coverage": f.coverage,
    }


class ForecastViewSet(viewsets.ViewSet):
    schema = ReportSchema()

    @extend_schema(parameters=[SCOPE, PERIOD, METHOD], responses=ForecastSerializer)
    def list(self, request: AuthenticatedRequest) -> Response:
        """The §5.1 forecast of a scope and period, with its funnel and per-team lines."""
        method = request.query_params.get("method", Method.CONFIGURED)
        if method not in Method.values:
            raise ValidationError({"method": [_("Unknown weighting method.")]})
        scope, period = _scope(request), _period(request)
        assert period is not None
        report = selectors.forecast_report(request.user, scope, period, method=method)
        data = {
            "scope": scope.key,
            "scope_label": scope.label,
            "period": period.key,
            "method": method,
            "whole_scope": report.whole,
            "forecast": _figures(report.forecast),
            "funnel": _rows(report.forecast.rows),
            "breakdown": [
                {
                    "scope": line.scope_key,
                    "name": line.label,
                    "kind": line.kind,
                    "forecast": _figures(line.forecast),
                }
                for line in report.breakdown
            ],
        }
        return Response(ForecastSerializer(data).data)


class FunnelViewSet(viewsets.ViewSet):
    schema = ReportSchema()

    @extend_schema(
        parameters=[
            SCOPE,
            OpenApiParameter("period", str, description="a period, or all (default)"),
            OpenApiParameter("model", str, description="stage model key (default model)"),
        ],
        responses=FunnelSerializer,
    )
    def list(self, request: AuthenticatedRequest) -> Response:
        """The weekly funnel report (§3.1 layout): per stage rate, count, total, weighted."""
        scope, period = _scope(request), _period(request, allow_all=True)
        model = (
            StageModel.objects.filter(key=request.query_params.get("model", "")).first()
            or default_stage_model()
        )
        rows = selectors.funnel_rows(request.user, model, scope=scope, period=period)
        totals = funnel_totals(rows)
        data = {
            "scope": scope.key,
            "period": period.key if period else None,
            "stage_model": model.key,
            "rows": _rows(rows),
            "totals": {"count": totals.count, "total": totals.total, "weighted": totals.weighted},
        }
        return Response(FunnelSerializer(data).data)


class TargetViewSet(viewsets.ViewSet):
    @extend_schema(
        parameters=[PERIOD, OpenApiParameter("metric", str, enum=Metric.values)],
        responses=TargetLineSerializer(many=True),
    )
    def list(self, request: AuthenticatedRequest) -> Response:
        """Targets of the company and every visible team and rep: explicit, rolled up, used."""
        period = _period(request)
        assert period is not None
        metric = request.query_params.get("metric", Metric.BOOKINGS)
        if metric not in Metric.values:
            raise ValidationError({"metric": [_("Unknown metric.")]})
        lines = selectors.target_lines(request.user, metric, period)
        data = [
            {
                "scope": line.scope_key,
                "name": line.label,
                "kind": line.kind,
                "explicit": line.figure.explicit,
                "rolled_up": line.figure.rolled_up,
                "effective": line.figure.effective,
                "version": line.figure.version,
            }
            for line in lines
        ]
        return Response(TargetLineSerializer(data, many=True).data)

    @extend_schema(request=TargetWriteSerializer, responses={201: TargetLineSerializer})
    def create(self, request: AuthenticatedRequest) -> Response:
        """Set the explicit target of a rep, a team or the company for a period."""
        incoming = TargetWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        user = request.user
        period = parse_period(data["period"])
        scope = resolve_scope(user, data["scope"])
        if scope.account is not None:
            raise ValidationError(
                {"scope": [_("Targets are set for reps, teams and the company.")]}
            )
        target = services.set_target(
            metric=data["metric"],
            period=period,
            amount=data["amount"],
            by=user,
            team=scope.team,
            user=scope.rep,
            expected_version=data.get("version"),
            via=Interface.API,
        )
        figure = selectors.target_for(data["metric"], period, user=scope.rep, team=scope.team)
        body = {
            "scope": scope.key,
            "name": scope.label,
            "kind": scope.kind,
            "explicit": figure.explicit,
            "rolled_up": figure.rolled_up,
            "effective": figure.effective,
            "version": target.version,
        }
        return Response(TargetLineSerializer(body).data, status=status.HTTP_201_CREATED)


class ProgressViewSet(viewsets.ViewSet):
    schema = ReportSchema()

    @extend_schema(
        parameters=[
            SCOPE,
            OpenApiParameter("week", str, description="ISO week, e.g. 2026-W47 (default latest)"),
        ],
        responses=ProgressSerializer,
    )
    def list(self, request: AuthenticatedRequest) -> Response:
        """Sales progress (§5.2) per snapshot week and the chosen week's change."""
        scope = _scope(request)
        raw = request.query_params.get("week", "").strip()
        week = parse_week(raw) if raw else weekly.latest_snapshot_week()
        user = request.user
        weeks = weekly.progress_weeks(user, scope, until=week) if week else []
        changes = weekly.week_changes(user, scope, week) if week else []
        data = {
            "scope": scope.key,
            "week": week.key if week else None,
            "weeks": [_week(w) for w in weeks],
            "changes": [vars(c) | {"name": c.label} for c in changes],
        }
        return Response(ProgressSerializer(data).data)


def _week(w: Any) -> dict[str, Any]:
    return {
        "week": w.week,
        "pipeline": w.pipeline,
        "previous_pipeline": w.previous_pipeline,
        "sales": w.sales,
        "previous_sales": w.previous_sales,
        "target": w.target,
        "progress": w.progress,
        "forecast": w.forecast,
        "previous_forecast": w.previous_forecast,
        "progress_as_written": w.progress_as_written,
    }


class AccuracyViewSet(viewsets.ViewSet):
    schema = ReportSchema()

    @extend_schema(responses=AccuracySerializer)
    def list(self, request: AuthenticatedRequest) -> Response:
        """Learned stage rates (company) and each method's held-out Brier score and calibration."""
        company, _teams = odds.learned_stage_rates(request.user, today=timezone.localdate())
        stages = default_stage_model().stages.order_by("order")
        model = odds.latest_win_model()
        data = {
            "stage_rates": [
                {
                    "stage_id": s.pk,
                    "stage_name": s.name,
                    "configured": s.win_rate,
                    "learned": company[s.pk].rate if s.pk in company else None,
                    "deals": company[s.pk].reached if s.pk in company else 0,
                    "trusted": company[s.pk].trusted if s.pk in company else False,
                }
                for s in stages
            ],
            "trained_at": model.trained_at if model else None,
            "methods": {
                m: model.accuracy[m] for m in Method.values if model and m in model.accuracy
            },
        }
        return Response(AccuracySerializer(data).data)


ROUTES = [
    ("forecast", ForecastViewSet, "forecast"),
    ("forecast-funnel", FunnelViewSet, "forecast-funnel"),
    ("forecast-targets", TargetViewSet, "forecast-target"),
    ("forecast-progress", ProgressViewSet, "forecast-progress"),
    ("forecast-accuracy", AccuracyViewSet, "forecast-accuracy"),
    ("forecast-review", FunnelReviewViewSet, "forecast-review"),
]
