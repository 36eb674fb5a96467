"""What is recorded about an account in the API, and its team (DOMAIN.md §1.1, §1.3, §1.6).

Flat resources filtered by ``?account=ID``; the account is fixed once a record exists.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kam.accounts import services
from kam.accounts.api.fields import API, VisibleAccountField, int_param
from kam.accounts.models import (
    AccountMember,
    AccountNote,
    CompetitorPresence,
    InstalledProduct,
    LatentNeed,
    PurchasingDepartment,
    SwotItem,
    ValuePeriod,
)
from kam.accounts.visibility import scope_to_visible_accounts
from kam.core.http import AuthenticatedRequest, request_user, serializer_user
from kam.core.models import Role, User
from kam.core.money import money_serializer_field
from kam.core.rest.serializers import ModelSerializer

ACCOUNT_PARAM = OpenApiParameter("account", OpenApiTypes.INT, description="only this account's")


class AccountItemSerializer(ModelSerializer):
    """Base of the records hanging off an account; the account is fixed once created."""

    account = VisibleAccountField()

    class Meta:
        model: type[Model]
        fields: list[str]
        validators: list[Any] = []

    def update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        validated_data.pop("account", None)
        return services.update_item(instance, by=serializer_user(self), via=API, **validated_data)

    def create(self, validated_data: dict[str, Any]) -> Any:
        account = validated_data.pop("account")
        return services.add_item(
            account,
            self.Meta.model,
            by=serializer_user(self),
            via=API,
            **validated_data,
        )


class AccountItemViewSet(viewsets.ModelViewSet):
    """List, read, add, change and remove one kind of record about the visible accounts."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    related: tuple[str, ...] = ()

    def get_queryset(self) -> QuerySet[Any]:
        serializer: Any = self.get_serializer_class()
        model = serializer.Meta.model
        items = scope_to_visible_accounts(
            model._default_manager.select_related("account", *self.related),
            request_user(self.request),
        )
        account = int_param(self.request, "account")
        if account is not None:
            items = items.filter(account_id=account)
        return items.order_by(*model._meta.ordering, "pk")

    def perform_destroy(self, instance: Any) -> None:
        services.remove_item(instance, by=request_user(self.request), via=API)


def _item_api(
    model: type[Model], fields: list[str], *, read_only: tuple[str, ...] = (), doc: str
) -> tuple[type[AccountItemSerializer], type[AccountItemViewSet]]:
    meta = type(
        "Meta",
        (),
        {
            "model": model,
            "fields": ["id", "account", *fields, "created_at"],
            "read_only_fields": ["created_at", *read_only],
            "validators": [],
        },
    )
    serializer = type(
        f"{model.__name__}Serializer", (AccountItemSerializer,), {"Meta": meta, "__doc__": doc}
    )
    viewset = extend_schema_view(list=extend_schema(parameters=[ACCOUNT_PARAM]))(
        type(
            f"{model.__name__}ViewSet",
            (AccountItemViewSet,),
            {"serializer_class": serializer, "__doc__": doc},
        )
    )
    return serializer, viewset


InstalledProductSerializer, InstalledProductViewSet = _item_api(
    InstalledProduct,
    ["product", "brand", "ours", "use", "quantity", "in_use_since", "years_in_use"],
    read_only=("years_in_use",),
    doc="Installed base of related products at an account, ours and competitors' (§1.1).",
)
PurchasingDepartmentSerializer, PurchasingDepartmentViewSet = _item_api(
    PurchasingDepartment,
    ["name", "role_in_purchasing", "reports_to", "cooperation"],
    doc="Departments of an account that take part in purchasing, and their role (§1.1).",
)
CompetitorPresenceSerializer, CompetitorPresenceViewSet = _item_api(
    CompetitorPresence,
    ["competitor", "history", "their_reps", "strengths", "weaknesses"],
    doc="Competitors at an account: their history there, their reps, strengths, weaknesses.",
)
AccountNoteSerializer, AccountNoteViewSet = _item_api(
    AccountNote,
    ["text", "source", "source_detail", "observed_on", "author"],
    read_only=("author",),
    doc="Information about an account with its source and date (§1.1).",
)
SwotItemSerializer, SwotItemViewSet = _item_api(
    SwotItem,
    ["kind", "factor", "text"],
    doc="The customer's SWOT (§1.6): kind S/W/O/T and a factor from the §1.6 checklists.",
)
ValuePeriodSerializer, ValuePeriodViewSet = _item_api(
    ValuePeriod,
    [
        "year",
        "profit_contribution",
        "cost_of_sales",
        "cost_of_service",
        "cost_of_relationship",
        "learning_value",
        "skill_value",
        "referral_value",
    ],
    doc=(
        "The inputs of customer total value per year (§1.3); an empty profit contribution "
        "is computed from won business. The computed parts: accounts/{id}/total-value/."
    ),
)


class LatentNeedSerializer(AccountItemSerializer):
    """A need we can serve, derived from the customer's SWOT (§1.6)."""

    class Meta:
        model = LatentNeed
        fields = [
            "id",
            "account",
            "quadrant",
            "text",
            "horizon",
            "estimated_amount",
            "opportunity",
            "created_at",
        ]
        read_only_fields = ["opportunity", "created_at"]
        validators: list[Any] = []


class NeedToOpportunitySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    amount = money_serializer_field(max_digits=16)
    expected_close_date = serializers.DateField()


class NeedOpportunitySerializer(serializers.Serializer):
    opportunity = serializers.IntegerField()
    name = serializers.CharField()
    need = LatentNeedSerializer()


@extend_schema_view(list=extend_schema(parameters=[ACCOUNT_PARAM]))
class LatentNeedViewSet(AccountItemViewSet):
    """Latent needs per SO / WO / ST / WT; one step turns a need into an opportunity."""

    serializer_class = LatentNeedSerializer

    @extend_schema(request=NeedToOpportunitySerializer, responses={201: NeedOpportunitySerializer})
    @action(detail=True, methods=["post"])
    def opportunity(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Open an opportunity for this need and link the two."""
        need = self.get_object()
        form = NeedToOpportunitySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        opened = services.turn_need_into_opportunity(
            need, by=request.user, via=API, **form.validated_data
        )
        data = {
            "opportunity": opened.pk,
            "name": opened.name,
            "need": LatentNeedSerializer(need, context={"request": request}).data,
        }
        return Response(data, status=status.HTTP_201_CREATED)


# --- the account team ---------------------------------------------------------------------


class AccountMemberSerializer(ModelSerializer):
    """A colleague on the account team with a role; members see the account."""

    account = VisibleAccountField()
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True).exclude(role=Role.FINANCE)
    )

    class Meta:
        model = AccountMember
        fields = ["id", "account", "user", "role"]
        validators: list[Any] = []

    def create(self, validated_data: dict[str, Any]) -> AccountMember:
        account = validated_data.pop("account")
        return services.add_member(account, by=serializer_user(self), via=API, **validated_data)

    def update(self, instance: AccountMember, validated_data: dict[str, Any]) -> AccountMember:
        if "user" in validated_data and validated_data["user"] != instance.user:
            raise serializers.ValidationError(
                {"user": [_("Remove this member and add the other colleague instead.")]}
            )
        return services.change_member_role(
            instance,
            role=validated_data.get("role", instance.role),
            by=serializer_user(self),
            via=API,
        )


@extend_schema_view(list=extend_schema(parameters=[ACCOUNT_PARAM]))
class AccountMemberViewSet(AccountItemViewSet):
    """The account team besides the owner."""

    serializer_class = AccountMemberSerializer
    related = ("user",)

    def perform_destroy(self, instance: Any) -> None:
        services.remove_member(instance, by=request_user(self.request), via=API)
