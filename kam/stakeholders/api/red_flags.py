"""Red flags per open opportunity in the API, computed on each request (§2.3)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from kam.accounts.visibility import scope_to_visible_accounts
from kam.core.http import request_user
from kam.core.rest.serializers import ModelSerializer
from kam.pipeline.models import Opportunity, Status
from kam.stakeholders import selectors
from kam.stakeholders.api.common import int_param
from kam.stakeholders.calculations import Severity
from kam.stakeholders.red_flags import red_flags_for_opportunities


class RedFlagSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.ChoiceField([Severity.HIGH, Severity.MEDIUM, Severity.LOW])
    severity_label = serializers.CharField()
    message = serializers.CharField()
    next_action = serializers.CharField()
    people = serializers.ListField(child=serializers.CharField())


class OpportunityFlagsSerializer(ModelSerializer):
    """An open opportunity with its red flags, computed now (§2.3)."""

    red_flags = serializers.SerializerMethodField()

    class Meta:
        model = Opportunity
        fields = ["id", "name", "account", "owner", "stage", "status", "red_flags"]

    @extend_schema_field(RedFlagSerializer(many=True))
    def get_red_flags(self, opportunity: Opportunity) -> Any:
        flags = self.context["flags"].get(opportunity.pk, [])
        return RedFlagSerializer(flags, many=True).data


class RedFlagViewSet(viewsets.ReadOnlyModelViewSet):
    """Red flags per opportunity (read only; never stored, never stale).

    The list holds the open deals the user may see (``?mine=1``: those they
    own, ``?account=``: one account's); one page's flags cost a fixed number
    of queries however many deals it holds.
    """

    serializer_class = OpportunityFlagsSerializer

    def get_queryset(self) -> QuerySet[Opportunity]:
        user = request_user(self.request)
        if self.action == "retrieve":
            deals = scope_to_visible_accounts(Opportunity.objects.all(), user).select_related(
                "stage"
            )
        else:
            mine = self.request.query_params.get("mine") in ("1", "true")
            deals = selectors.open_deals(user, mine=mine)
            account = int_param(self.request, "account")
            if account is not None:
                deals = deals.filter(account_id=account)
        return deals.order_by("expected_close_date", "pk")

    def _flags_for(self, deals: list[Opportunity]) -> dict[int, Any]:
        open_deals = [d for d in deals if d.status == Status.OPEN]
        return red_flags_for_opportunities(open_deals) if open_deals else {}

    @extend_schema(
        parameters=[
            OpenApiParameter("mine", bool, description="Only the deals I own."),
            OpenApiParameter("account", int, description="One account's open deals."),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = list(page) if page is not None else list(self.get_queryset())
        context = {**self.get_serializer_context(), "flags": self._flags_for(rows)}
        data = OpportunityFlagsSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        deal = self.get_object()
        context = {**self.get_serializer_context(), "flags": self._flags_for([deal])}
        return Response(OpportunityFlagsSerializer(deal, context=context).data)
