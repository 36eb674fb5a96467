"""Account plans in the API, with their levers, objectives, actions and whitespace map
(DOMAIN.md §1.5, §1.7); the pieces are flat resources filtered by ``?plan=ID``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from kam.accounts import selectors, services
from kam.accounts.api.fields import (
    API,
    VisibleAccountField,
    VisiblePlanField,
    expected_version,
    int_param,
)
from kam.accounts.api.items import ACCOUNT_PARAM
from kam.accounts.models import (
    AccountPlan,
    ChecklistItem,
    GrowthLever,
    PlanAction,
    PlanObjective,
    PlanReview,
    ProductLine,
    WhitespaceCell,
    WhitespaceStatus,
)
from kam.accounts.visibility import scope_to_visible_accounts
from kam.core.http import AuthenticatedRequest, request_user, serializer_user
from kam.core.models import User
from kam.core.rest.serializers import ModelSerializer

PLAN_PARAM = OpenApiParameter("plan", OpenApiTypes.INT, description="only this plan's")


class GrowthLeverSerializer(ModelSerializer):
    """A growth opportunity of a plan, placed on the priority matrix (§1.5)."""

    plan = VisiblePlanField()
    priority = serializers.SerializerMethodField(
        help_text=gettext_lazy("act_now, wait or drop: attractiveness × probability.")
    )

    class Meta:
        model = GrowthLever
        fields = [
            "id",
            "plan",
            "kind",
            "description",
            "expected_revenue",
            "attractiveness",
            "probability",
            "horizon",
            "priority",
        ]

    def get_priority(self, lever: GrowthLever) -> str:
        return services.priority(lever)

    def create(self, validated_data: dict[str, Any]) -> GrowthLever:
        plan = validated_data.pop("plan")
        return services.add_plan_item(
            plan, GrowthLever, by=serializer_user(self), via=API, **validated_data
        )


class PlanActionSerializer(ModelSerializer):
    """An action towards an objective (§1.5); may link this account's activity or deal."""

    objective = serializers.PrimaryKeyRelatedField(queryset=PlanObjective.objects.none())
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))

    class Meta:
        model = PlanAction
        fields = [
            "id",
            "objective",
            "text",
            "owner",
            "due_date",
            "status",
            "activity",
            "opportunity",
        ]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and "objective" in fields:
            objective: Any = fields["objective"]
            objective.queryset = scope_to_visible_accounts(
                PlanObjective.objects.select_related("plan__account"),
                request.user,
                account_field="plan__account",
            )
        return fields

    def create(self, validated_data: dict[str, Any]) -> PlanAction:
        objective = validated_data.pop("objective")
        status_value = validated_data.pop("status", None)
        by = serializer_user(self)
        action = services.add_action(objective, by=by, via=API, **validated_data)
        if status_value and status_value != action.status:
            action = services.set_action_status(action, status=status_value, by=by, via=API)
        return action

    def update(self, instance: PlanAction, validated_data: dict[str, Any]) -> PlanAction:
        if set(validated_data) - {"status"}:
            raise serializers.ValidationError(
                {"status": [_("Only the status of an action changes; add a new action instead.")]}
            )
        return services.set_action_status(
            instance,
            status=validated_data.get("status", instance.status),
            by=serializer_user(self),
            via=API,
        )


class PlanObjectiveSerializer(ModelSerializer):
    """An objective of a plan with its actions."""

    plan = VisiblePlanField()
    actions = PlanActionSerializer(many=True, read_only=True)

    class Meta:
        model = PlanObjective
        fields = ["id", "plan", "text", "measure", "horizon", "actions"]

    def create(self, validated_data: dict[str, Any]) -> PlanObjective:
        plan = validated_data.pop("plan")
        return services.add_plan_item(
            plan, PlanObjective, by=serializer_user(self), via=API, **validated_data
        )


class WhitespaceCellSerializer(ModelSerializer):
    """One cell of the whitespace map: a product line at a business unit or subsidiary.

    Posting a cell that exists changes its status.
    """

    plan = VisiblePlanField()
    product_line = serializers.PrimaryKeyRelatedField(
        queryset=ProductLine.objects.filter(active=True)
    )
    status = serializers.ChoiceField(choices=WhitespaceStatus.choices)

    class Meta:
        model = WhitespaceCell
        fields = ["id", "plan", "unit", "product_line", "status"]
        validators: list[Any] = []

    def create(self, validated_data: dict[str, Any]) -> WhitespaceCell:
        cell = services.set_whitespace(
            validated_data["plan"],
            unit=validated_data["unit"],
            product_line=validated_data["product_line"],
            status=validated_data["status"],
            by=serializer_user(self),
            via=API,
        )
        assert cell is not None  # never None: a status was given
        return cell


class PlanReviewSerializer(ModelSerializer):
    """One step of a plan's review: submitted, approved or sent back, by whom, with what
    comment."""

    class Meta:
        model = PlanReview
        fields = ["id", "step", "by", "at", "comment"]
        read_only_fields = fields


class ReviewStepSerializer(serializers.Serializer[Any]):
    """A step of the review: the comment (needed to send a plan back) and the version."""

    comment = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        required=False,
        help_text=gettext_lazy("The version you loaded (refused with 409 if stale)."),
    )


class PlanWarningSerializer(serializers.Serializer[Any]):
    """A key account whose plan for the year is missing, not approved or overdue."""

    account = serializers.IntegerField(source="account.pk")
    account_name = serializers.CharField(source="account.name")
    owner = serializers.IntegerField(source="account.owner_id")
    kind = serializers.ChoiceField(choices=["no_plan", "not_approved", "review_overdue"])
    year = serializers.IntegerField()
    plan = serializers.IntegerField(source="plan_id", allow_null=True)
    status = serializers.CharField(allow_null=True)
    approved_on = serializers.DateField(allow_null=True)
    message = serializers.CharField()


class AccountPlanSerializer(ModelSerializer):
    """A key-account plan for one year (§1.5, §1.7) with its pieces (read here, written
    through plan-levers/, plan-objectives/, plan-actions/ and plan-whitespace/).

    An update must send the ``version`` it loaded: a newer edit answers 409.
    """

    account = VisibleAccountField()
    version = serializers.IntegerField(
        required=False,
        help_text=gettext_lazy("On update: the version you loaded (refused with 409 if stale)."),
    )
    levers = GrowthLeverSerializer(many=True, read_only=True)
    objectives = PlanObjectiveSerializer(many=True, read_only=True)
    whitespace = WhitespaceCellSerializer(many=True, read_only=True)
    reviews = PlanReviewSerializer(many=True, read_only=True)
    checklist = serializers.ListField(
        child=serializers.ChoiceField(choices=ChecklistItem.choices),
        required=False,
        help_text=gettext_lazy(
            "The ticked steps of the key-account strategy and principles of key-account management."
        ),
    )

    class Meta:
        model = AccountPlan
        fields = [
            "id",
            "account",
            "year",
            "revenue_goal",
            "profit_goal",
            "share_goal_pct",
            "value_proposition",
            "short_term_focus",
            "long_term_focus",
            "status",
            "submitted_at",
            "approved_at",
            "approved_by",
            "allocated_hours",
            "allocated_people",
            "allocated_budget",
            "checklist",
            "version",
            "levers",
            "objectives",
            "whitespace",
            "reviews",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "submitted_at",
            "approved_at",
            "approved_by",
            "created_at",
            "updated_at",
        ]
        validators: list[Any] = []

    def create(self, validated_data: dict[str, Any]) -> AccountPlan:
        validated_data.pop("version", None)
        account = validated_data.pop("account")
        return services.create_plan(account, by=serializer_user(self), via=API, **validated_data)

    def update(self, instance: AccountPlan, validated_data: dict[str, Any]) -> AccountPlan:
        expected = expected_version(validated_data)
        if "account" in validated_data and validated_data.pop("account") != instance.account:
            raise serializers.ValidationError({"account": [_("A plan stays with its account.")]})
        if "year" in validated_data and validated_data.pop("year") != instance.year:
            raise serializers.ValidationError(
                {"year": [_("A plan's year cannot change; make a plan for the other year.")]}
            )
        return services.update_plan(
            instance,
            by=serializer_user(self),
            expected_version=expected,
            via=API,
            **validated_data,
        )


@extend_schema_view(list=extend_schema(parameters=[ACCOUNT_PARAM]))
class AccountPlanViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Account plans of the visible accounts, with levers, objectives, actions, whitespace."""

    serializer_class = AccountPlanSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[AccountPlan]:
        plans = scope_to_visible_accounts(
            AccountPlan.objects.select_related("account__owner").prefetch_related(
                "levers",
                "reviews",
                Prefetch("whitespace", queryset=WhitespaceCell.objects.order_by("unit", "pk")),
                Prefetch(
                    "objectives",
                    queryset=PlanObjective.objects.prefetch_related("actions").order_by("pk"),
                ),
            ),
            request_user(self.request),
        )
        account = int_param(self.request, "account")
        if account is not None:
            plans = plans.filter(account_id=account)
        return plans.order_by("-year", "pk")

    def _step(self, request: AuthenticatedRequest, service: Any) -> Response:
        plan = self.get_object()
        step = ReviewStepSerializer(data=request.data)
        step.is_valid(raise_exception=True)
        try:
            service(
                plan,
                by=request.user,
                via=API,
                comment=step.validated_data["comment"],
                expected_version=step.validated_data.get("version"),
            )
        except PermissionDenied as error:
            raise exceptions.PermissionDenied(str(error) or None) from error
        return Response(self.get_serializer(self.get_queryset().get(pk=plan.pk)).data)

    @extend_schema(request=ReviewStepSerializer, responses=AccountPlanSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Submit the plan to the account owner's manager for review (§1.5)."""
        return self._step(request, services.submit_plan)

    @extend_schema(request=ReviewStepSerializer, responses=AccountPlanSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Approve a submitted plan (the owner's manager or an administrator; never the
        owner)."""
        return self._step(request, services.approve_plan)

    @extend_schema(request=ReviewStepSerializer, responses=AccountPlanSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Send a submitted plan back to its owner; the comment says what to change."""
        return self._step(request, services.return_plan)

    @extend_schema(
        responses=PlanWarningSerializer(many=True),
        parameters=[OpenApiParameter("mine", OpenApiTypes.INT, description="1: only mine")],
    )
    @action(detail=False, methods=["get"])
    def warnings(self, request: Request) -> Response:
        """The visible key accounts whose plan for this year is missing, not approved, or
        not reviewed within the company's period (``?mine=1``: only the accounts I own)."""
        user = request_user(request)
        rows = selectors.plan_warnings(user, owned_only=request.query_params.get("mine") == "1")
        page = self.paginate_queryset(rows)  # type: ignore[arg-type]
        if page is None:
            return Response(PlanWarningSerializer(rows, many=True).data)
        return self.get_paginated_response(PlanWarningSerializer(page, many=True).data)


class PlanItemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Base of the pieces of an account plan, filtered by ``?plan=ID``."""

    plan_field = "plan"

    def get_queryset(self) -> QuerySet[Any]:
        serializer: Any = self.get_serializer_class()
        model = serializer.Meta.model
        items = scope_to_visible_accounts(
            model._default_manager.all(), request_user(self.request), f"{self.plan_field}__account"
        )
        plan = int_param(self.request, "plan")
        if plan is not None:
            items = items.filter(**{self.plan_field: plan})
        return items.order_by("pk")

    def perform_destroy(self, instance: Any) -> None:
        services.remove_plan_item(instance, by=request_user(self.request), via=API)


@extend_schema_view(list=extend_schema(parameters=[PLAN_PARAM]))
class GrowthLeverViewSet(PlanItemViewSet):
    """Growth levers of the plans: raise usage, cross-sell, price/mix, drop unprofitable."""

    serializer_class = GrowthLeverSerializer


@extend_schema_view(list=extend_schema(parameters=[PLAN_PARAM]))
class PlanObjectiveViewSet(PlanItemViewSet):
    """Objectives of the plans, each with its actions."""

    serializer_class = PlanObjectiveSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().prefetch_related("actions")


@extend_schema_view(list=extend_schema(parameters=[PLAN_PARAM]))
class PlanActionViewSet(mixins.UpdateModelMixin, PlanItemViewSet):
    """Actions towards the plans' objectives; only the status changes afterwards."""

    serializer_class = PlanActionSerializer
    plan_field = "objective__plan"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]


@extend_schema_view(list=extend_schema(parameters=[PLAN_PARAM]))
class WhitespaceCellViewSet(PlanItemViewSet):
    """The whitespace map: our product lines × the customer's units (§1.5)."""

    serializer_class = WhitespaceCellSerializer

    def perform_destroy(self, instance: Any) -> None:
        services.set_whitespace(
            instance.plan,
            unit=instance.unit,
            product_line=instance.product_line,
            status="",
            by=request_user(self.request),
            via=API,
        )
