"""Activities in the API: the same visibility as the UI, writes via
the services, a stale ``version`` answers 409."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kam.accounts.models import Account, PlanAction
from kam.accounts.visibility import scope_to_visible_accounts, visible_accounts
from kam.activities import selectors, services
from kam.activities.models import Activity, Kind, Outcome
from kam.activities.todos.api import TaskViewSet
from kam.core.http import AuthenticatedRequest, request_user
from kam.core.models import Interface, User
from kam.core.money import MONEY_DIGITS, money_serializer_field
from kam.core.rest.serializers import ModelSerializer, offer
from kam.pipeline.models import Opportunity
from kam.pipeline.selectors import visible_opportunities
from kam.stakeholders.models import Contact


class ActivitySerializer(ModelSerializer):
    class Meta:
        model = Activity
        fields = [
            "id",
            "account",
            "opportunity",
            "kind",
            "status",
            "owner",
            "starts_at",
            "duration_minutes",
            "location",
            "purpose",
            "objective",
            "contacts",
            "staff",
            "outcome",
            "outcome_note",
            "outcome_recorded_at",
            "expenses",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ActivityPlanSerializer(serializers.Serializer):
    """What a plan (POST) or a change (PATCH, with ``version``) carries: the 5W and the
    objective; the service judges the objective."""

    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.none())
    opportunity = serializers.PrimaryKeyRelatedField(
        queryset=Opportunity.objects.none(), required=False, allow_null=True
    )
    plan_action = serializers.PrimaryKeyRelatedField(
        queryset=PlanAction.objects.none(), required=False, allow_null=True
    )
    kind = serializers.ChoiceField(choices=Kind.choices)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.none(), required=False)
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(required=False, allow_null=True)
    location = serializers.CharField(required=False, allow_blank=True, max_length=200)
    purpose = serializers.CharField(required=False, allow_blank=True)
    objective = serializers.CharField(allow_blank=True, trim_whitespace=False)
    contacts = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.none(), many=True, required=False
    )
    staff = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(), many=True, required=False
    )
    expenses = money_serializer_field(max_digits=MONEY_DIGITS, required=False)
    version = serializers.IntegerField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None:  # the schema generator describes the fields only
            return
        user = request_user(request)
        fields = self.fields
        offer(fields["account"], visible_accounts(user))
        offer(fields["opportunity"], visible_opportunities(user))
        offer(
            fields["plan_action"],
            PlanAction.objects.filter(
                objective__plan__account__in=visible_accounts(user).values("pk")
            ),
        )
        offer(fields["contacts"], scope_to_visible_accounts(Contact.objects.all(), user))
        people = User.objects.filter(is_active=True)
        offer(fields["owner"], people)
        offer(fields["staff"], people)


class ActivityOutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    duration_minutes = serializers.IntegerField(required=False, allow_null=True)
    expenses = money_serializer_field(max_digits=MONEY_DIGITS, required=False, allow_null=True)
    version = serializers.IntegerField()
    idempotency_key = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=64,
        help_text="A key per draft (a phone's, say): sent again, the outcome is recorded once.",
    )


class ActivityVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()


PLAN_FIELDS = ("kind", "starts_at", "location", "purpose", "objective", "opportunity", "owner")


class ActivityViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """List filters as the UI: ``kind``, ``status``, ``outcome``, ``owner``, ``account``,
    ``q`` (account name), ``date_from`` / ``date_to`` (YYYY-MM-DD)."""

    serializer_class = ActivitySerializer

    def get_queryset(self) -> QuerySet[Activity]:
        filters = selectors.ActivityFilters.from_params(self.request.query_params)
        return (
            selectors.filtered_activities(request_user(self.request), filters)
            .prefetch_related("contacts", "staff")
            .order_by("-starts_at", "pk")
        )

    def _answer(self, activity: Activity, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=activity.pk)
        return Response(ActivitySerializer(fresh).data, status=code)

    @extend_schema(request=ActivityPlanSerializer, responses={201: ActivitySerializer})
    def create(self, request: AuthenticatedRequest) -> Response:
        """Plan an activity (§4): the 5W and an objective the customer will act on."""
        payload = ActivityPlanSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data.pop("version", None)
        activity = services.plan_activity(
            by=request.user,
            via=Interface.API,
            owner=data.pop("owner", request.user),
            **data,
        )
        return self._answer(activity, status.HTTP_201_CREATED)

    @extend_schema(request=ActivityPlanSerializer, responses={200: ActivitySerializer})
    def partial_update(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Change the plan; send the ``version`` you read (a stale one answers 409)."""
        activity = self.get_object()
        payload = ActivityPlanSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        if data.pop("account", activity.account) != activity.account:
            raise serializers.ValidationError(
                {"account": [_("An activity cannot move to another account.")]}
            )
        fields = {name: data[name] for name in PLAN_FIELDS if name in data}
        for name in ("duration_minutes", "expenses"):
            if name in data:
                fields[name] = data[name]
        services.update_activity(
            activity,
            by=request.user,
            via=Interface.API,
            expected_version=data.get("version"),
            contacts=data.get("contacts"),
            staff=data.get("staff"),
            plan_action=data.get("plan_action"),
            **fields,
        )
        return self._answer(activity)

    @extend_schema(request=ActivityOutcomeSerializer, responses={200: ActivitySerializer})
    @action(detail=True, methods=["post"])
    def outcome(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Record the outcome (§3.6): order, advance, continuation or no sale. With an
        ``idempotency_key``, a repeated request answers the activity as first recorded."""
        activity = self.get_object()
        payload = ActivityOutcomeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        services.record_outcome(
            activity,
            outcome=data["outcome"],
            note=data.get("note", ""),
            by=request.user,
            via=Interface.API,
            expected_version=data["version"],
            duration_minutes=data.get("duration_minutes"),
            expenses=data.get("expenses"),
            idempotency_key=data.get("idempotency_key", ""),
        )
        return self._answer(activity)

    @extend_schema(request=ActivityVersionSerializer, responses={200: ActivitySerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        activity = self.get_object()
        payload = ActivityVersionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.cancel_activity(
            activity,
            by=request.user,
            via=Interface.API,
            expected_version=payload.validated_data["version"],
        )
        return self._answer(activity)


ROUTES = [("activities", ActivityViewSet, "activity"), ("tasks", TaskViewSet, "task")]
