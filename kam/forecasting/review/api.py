"""The funnel review in the API: the agenda of a team's (or rep's) week, and decisions.

Same selectors and services as the page: the agenda starts from the caller's
visibility; a decision is refused unless the caller manages the team.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kam.core.http import AuthenticatedRequest
from kam.core.models import Interface
from kam.core.rest.schema import ReportSchema
from kam.forecasting import progress as weekly
from kam.forecasting.periods import Week, parse_week
from kam.forecasting.review import services
from kam.forecasting.review.agenda import Agenda, build_agenda
from kam.forecasting.review.questions import Reason
from kam.forecasting.scopes import Scope, resolve_scope
from kam.pipeline.selectors import visible_opportunities


def _money() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=30, decimal_places=6, allow_null=True)


class ReviewItemSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Reason.choices)
    title = serializers.CharField(source="label")
    detail = serializers.CharField()
    question = serializers.CharField()


class ReviewDecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    opportunity = serializers.IntegerField(source="opportunity_id")
    decision = serializers.CharField(max_length=2000)
    next_step = serializers.CharField(max_length=200)
    due_on = serializers.DateField(required=False, allow_null=True)
    task = serializers.IntegerField(source="task_id", read_only=True, allow_null=True)


class ReviewDealSerializer(serializers.Serializer):
    opportunity = serializers.IntegerField(source="opportunity.pk")
    name = serializers.CharField(source="opportunity.name")
    account = serializers.CharField(source="opportunity.account.name")
    stage = serializers.CharField(source="opportunity.stage.name")
    amount = serializers.DecimalField(source="opportunity.amount", max_digits=16, decimal_places=2)
    items = ReviewItemSerializer(many=True)
    decisions = ReviewDecisionSerializer(many=True)


class ReviewRepSerializer(serializers.Serializer):
    rep = serializers.IntegerField(source="rep.pk")
    name = serializers.CharField(source="rep")
    forecast = _money()
    forecast_change = _money()
    target = _money()
    coverage = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    deals = ReviewDealSerializer(many=True)


class ReviewAgendaSerializer(serializers.Serializer):
    scope = serializers.CharField(source="scope.key")
    week = serializers.CharField(source="week.key")
    review_held_at = serializers.DateTimeField(source="review.held_at", allow_null=True)
    reps = ReviewRepSerializer(many=True)


class NewDecisionSerializer(serializers.Serializer):
    scope = serializers.CharField(help_text="team:<id>")
    week = serializers.CharField(help_text="ISO week, e.g. 2026-W49")
    opportunity = serializers.IntegerField()
    decision = serializers.CharField(max_length=2000)
    next_step = serializers.CharField(max_length=200)
    due_on = serializers.DateField(required=False, allow_null=True)


def _scope_week(request: AuthenticatedRequest, params: Any) -> tuple[Scope, Week]:
    scope = resolve_scope(request.user, params.get("scope"))
    raw = str(params.get("week") or "").strip()
    week = parse_week(raw) if raw else weekly.latest_snapshot_week()
    if scope.team is None and scope.rep is None:
        raise ValidationError({"scope": [_("The funnel review is held for a team or a rep.")]})
    if week is None:
        raise ValidationError({"week": [_("No weekly snapshot has been taken yet.")]})
    return scope, week


def _agenda_data(agenda: Agenda) -> dict[str, Any]:
    return dict(ReviewAgendaSerializer(agenda).data)


class FunnelReviewViewSet(viewsets.ViewSet):
    schema = ReportSchema()

    @extend_schema(
        parameters=[
            OpenApiParameter("scope", str, description="team:<id> or rep:<id> (default: yours)"),
            OpenApiParameter("week", str, description="ISO week, e.g. 2026-W49 (default latest)"),
        ],
        responses=ReviewAgendaSerializer,
    )
    def list(self, request: AuthenticatedRequest) -> Response:
        """The agenda of the weekly funnel review: per rep, the deals and what to ask."""
        scope, week = _scope_week(request, request.query_params)
        return Response(_agenda_data(build_agenda(request.user, scope, week)))

    @extend_schema(request=NewDecisionSerializer, responses={201: ReviewDecisionSerializer})
    @action(detail=False, methods=["post"])
    def decisions(self, request: AuthenticatedRequest) -> Response:
        """Record the review's decision for a deal; the next step becomes the owner's task."""
        given = NewDecisionSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        scope, week = _scope_week(request, data)
        if scope.team is None:
            raise ValidationError({"scope": [_("Decisions are recorded in a team's review.")]})
        deal = visible_opportunities(request.user).filter(pk=data["opportunity"]).first()
        if deal is None:
            raise Http404
        decision = services.record_decision(
            team=scope.team,
            week=week,
            opportunity=deal,
            decision=data["decision"],
            next_step=data["next_step"],
            due_on=data.get("due_on"),
            by=request.user,
            via=Interface.API,
        )
        return Response(ReviewDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)
