"""Buying circles in the API: members, their roles and dated assessments (§2.1, §2.2)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from kam.accounts.visibility import scope_to_visible_accounts
from kam.core.http import AuthenticatedRequest, request_user, serializer_user
from kam.core.models import User
from kam.core.rest.serializers import ModelSerializer, offer
from kam.core.visibility import visible_users
from kam.pipeline.models import Opportunity
from kam.stakeholders import selectors, services
from kam.stakeholders.api.common import API, VERSION_REQUIRED, int_param
from kam.stakeholders.models import (
    Assessment,
    BuyingRole,
    Contact,
    Influence,
    InnovationAttitude,
    Relationship,
    Stakeholder,
    Style,
    Support,
)


class AssessmentSerializer(ModelSerializer):
    innovation = serializers.ChoiceField(
        InnovationAttitude.choices, required=False, allow_blank=True
    )
    support = serializers.ChoiceField(Support.choices, required=False, allow_blank=True)
    relationship = serializers.ChoiceField(Relationship.choices, required=False, allow_blank=True)
    relationship_target = serializers.ChoiceField(
        Relationship.choices, required=False, allow_blank=True
    )
    # The scale's name is also a Field attribute (its rendering style) to the type checker.
    style = serializers.ChoiceField(  # type: ignore[assignment]
        Style.choices, required=False, allow_blank=True
    )
    influence = serializers.ChoiceField(Influence.choices, required=False, allow_blank=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "assessed_on",
            "innovation",
            "support",
            "relationship",
            "relationship_target",
            "style",
            "influence",
            "note",
            "assessed_by",
        ]
        read_only_fields = ["assessed_by"]
        extra_kwargs = {"assessed_on": {"required": False}}


class AssessRequestSerializer(AssessmentSerializer):
    version = serializers.IntegerField(help_text=_("The member's version you loaded."))

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "version"]


class StakeholderSerializer(ModelSerializer):
    """A member of an opportunity's buying circle with roles, latest judgement and history."""

    opportunity = serializers.PrimaryKeyRelatedField(queryset=Opportunity.objects.none())
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.none(), allow_null=True, required=False
    )
    staff = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(), allow_null=True, required=False
    )
    name = serializers.CharField(source="display_name", read_only=True)
    roles = serializers.ListField(child=serializers.ChoiceField(BuyingRole.choices), required=False)
    version = serializers.IntegerField(required=False)
    assessments = serializers.SerializerMethodField()

    class Meta:
        model = Stakeholder
        fields = [
            "id",
            "opportunity",
            "contact",
            "staff",
            "outside_name",
            "name",
            "roles",
            "purchase_role",
            "personal_win",
            "business_result",
            "threatened_interests",
            "added_on",
            "support",
            "influence",
            "relationship",
            "relationship_target",
            "version",
            "assessments",
        ]
        read_only_fields = [
            "support",
            "influence",
            "relationship",
            "relationship_target",
        ]
        extra_kwargs = {"added_on": {"required": False}}
        validators: list[Any] = []  # the service refuses duplicates, in the domain's words

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            user = request_user(request)
            offer(
                self.fields["opportunity"],
                scope_to_visible_accounts(Opportunity.objects.all(), user),
            )
            offer(self.fields["contact"], selectors.visible_contacts(user))
            offer(self.fields["staff"], visible_users(user))

    @extend_schema_field(AssessmentSerializer(many=True))
    def get_assessments(self, member: Stakeholder) -> Any:
        """Every dated assessment, oldest first: the trend of the relationship."""
        return AssessmentSerializer(member.assessments.all(), many=True).data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:
            if "version" not in attrs:
                raise serializers.ValidationError({"version": [VERSION_REQUIRED]})
            moved = {"opportunity", "contact", "staff", "outside_name", "added_on"} & set(
                self.initial_data
            )
            if moved:
                raise serializers.ValidationError(
                    {
                        name: [_("Cannot be changed; remove the member and add them again.")]
                        for name in sorted(moved)
                    }
                )
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Stakeholder:
        validated_data.pop("version", None)
        opportunity = validated_data.pop("opportunity")
        return services.add_stakeholder(
            opportunity,
            by=serializer_user(self),
            via=API,
            contact=validated_data.get("contact"),
            staff=validated_data.get("staff"),
            outside_name=validated_data.get("outside_name", ""),
            roles=validated_data.get("roles", ()),
            purchase_role=validated_data.get("purchase_role", ""),
            personal_win=validated_data.get("personal_win", ""),
            business_result=validated_data.get("business_result", ""),
            threatened_interests=validated_data.get("threatened_interests", ""),
            added_on=validated_data.get("added_on"),
        )

    def update(self, instance: Stakeholder, validated_data: dict[str, Any]) -> Stakeholder:
        version = validated_data.pop("version")
        roles = validated_data.pop("roles", None)
        return services.update_stakeholder(
            instance,
            by=serializer_user(self),
            via=API,
            expected_version=version,
            roles=roles,
            **validated_data,
        )


class StakeholderViewSet(viewsets.ModelViewSet):
    """Buying circles (§2.1); ``?opportunity=`` gives one deal's circle."""

    serializer_class = StakeholderSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Stakeholder]:
        members = (
            selectors.visible_stakeholders(request_user(self.request))
            .select_related("contact", "staff", "opportunity__account")
            .prefetch_related(
                Prefetch("assessments", queryset=Assessment.objects.order_by("assessed_on", "pk"))
            )
        )
        opportunity = int_param(self.request, "opportunity")
        if opportunity is not None:
            members = members.filter(opportunity_id=opportunity)
        return members.order_by("opportunity_id", "pk")

    @extend_schema(
        parameters=[OpenApiParameter("opportunity", int, description="One deal's circle.")]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def perform_destroy(self, instance: Stakeholder) -> None:
        services.remove_stakeholder(instance, by=request_user(self.request), via=API)

    @extend_schema(request=AssessRequestSerializer, responses={201: AssessmentSerializer})
    @action(detail=True, methods=["post"], serializer_class=AssessRequestSerializer)
    def assess(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Record a dated assessment (§2.2); the history is kept for the trend."""
        member = self.get_object()
        serializer = AssessRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        version = values.pop("version")
        assessed_on = values.pop("assessed_on", None)
        note = values.pop("note", "")
        assessment = services.assess(
            member,
            by=request.user,
            via=API,
            expected_version=version,
            assessed_on=assessed_on,
            note=note,
            **values,
        )
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)
