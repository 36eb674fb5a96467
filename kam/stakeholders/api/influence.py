"""Influence lines in the API: who sways whom at one account (§2.2)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from kam.core.http import request_user, serializer_user
from kam.core.rest.serializers import ModelSerializer, offer
from kam.stakeholders import selectors, services
from kam.stakeholders.api.common import API, int_param
from kam.stakeholders.models import Contact, InfluenceLine


class InfluenceLineSerializer(ModelSerializer):
    """An informal "influences" edge between two people of one account (§2.2)."""

    # ``source`` is also a Field attribute (where a field reads from) to the type checker.
    source = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Contact.objects.none()
    )
    target = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.none())

    class Meta:
        model = InfluenceLine
        fields = ["id", "account", "source", "target", "strength", "note", "created_at"]
        read_only_fields = ["account", "created_at"]
        validators: list[Any] = []  # the service refuses a line drawn twice, clearly

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            people = selectors.visible_contacts(request_user(request)).select_related("account")
            offer(self.fields["source"], people)
            offer(self.fields["target"], people)

    def create(self, validated_data: dict[str, Any]) -> InfluenceLine:
        source = validated_data["source"]
        return services.add_influence_line(
            source.account,
            source=source,
            target=validated_data["target"],
            by=serializer_user(self),
            via=API,
            strength=validated_data.get("strength", InfluenceLine.Strength.MEDIUM),
            note=validated_data.get("note", ""),
        )


class InfluenceLineViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Influence lines of the accounts the user may see; ``?account=`` filters."""

    serializer_class = InfluenceLineSerializer

    def get_queryset(self) -> QuerySet[InfluenceLine]:
        lines = selectors.visible_influence_lines(request_user(self.request)).select_related(
            "account"
        )
        account = int_param(self.request, "account")
        if account is not None:
            lines = lines.filter(account_id=account)
        return lines.order_by("account_id", "pk")

    @extend_schema(parameters=[OpenApiParameter("account", int, description="One account.")])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def perform_destroy(self, instance: InfluenceLine) -> None:
        services.remove_influence_line(instance, by=request_user(self.request), via=API)
