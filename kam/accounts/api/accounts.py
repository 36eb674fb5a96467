"""Accounts in the API: the profile, its qualification, tier and segment, and the
pyramid and matrix over the visible accounts (DOMAIN.md §1.1-§1.4)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kam.accounts import selectors, services
from kam.accounts.api.fields import API, expected_version, int_param
from kam.accounts.api.figures import (
    AccountVersionSerializer,
    AttackDefendMatrixSerializer,
    QualificationSerializer,
    TierOverrideSerializer,
    TotalValueSerializer,
    ValuePyramidSerializer,
)
from kam.accounts.models import Account, Attitude, ProductUsage, Strategy, Tier
from kam.accounts.selectors import AccountFilters, account_list
from kam.accounts.visibility import require_edit
from kam.core.http import AuthenticatedRequest, request_user, serializer_user
from kam.core.models import Role, User
from kam.core.money import money_serializer_field
from kam.core.params import check_year
from kam.core.rest.serializers import ModelSerializer


class AccountSerializer(ModelSerializer):
    """The account profile (§1.1) with its qualification, tier and segment (§1.2-§1.4).

    Score, tier and segment are computed; set the tier by hand with ``tier/``.
    An update must send the ``version`` it loaded: a newer edit answers 409.
    """

    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True).exclude(role=Role.FINANCE)
    )
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Account.objects.all(), required=False, allow_null=True
    )
    version = serializers.IntegerField(
        required=False,
        help_text=gettext_lazy("On update: the version you loaded (refused with 409 if stale)."),
    )
    open_opportunities = serializers.IntegerField(read_only=True)
    open_amount = money_serializer_field(read_only=True, allow_null=True)
    # Empty until the account has a purchase potential to place it on the matrix.
    segment = serializers.ChoiceField(choices=Strategy.choices, read_only=True, allow_blank=True)

    class Meta:
        model = Account
        fields = [
            "id",
            *services.PROFILE_FIELDS,
            "tier",
            "segment",
            "qualification_score",
            "qualified_at",
            "tier_overridden",
            "tier_override_reason",
            "tier_override_by",
            "tier_override_at",
            "version",
            "open_opportunities",
            "open_amount",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "tier",
            "segment",
            "qualification_score",
            "qualified_at",
            "tier_overridden",
            "tier_override_reason",
            "tier_override_by",
            "tier_override_at",
            "created_at",
            "updated_at",
        ]
        validators: list[Any] = []

    def create(self, validated_data: dict[str, Any]) -> Account:
        validated_data.pop("version", None)
        name, owner = validated_data.pop("name"), validated_data.pop("owner")
        try:
            return services.create_account(
                name=name, owner=owner, by=serializer_user(self), via=API, **validated_data
            )
        except services.DuplicateAccountError as error:
            details: dict[str, Any] = {"name": error.messages}
            if error.existing_visible:
                details["existing"] = error.existing.pk
            raise serializers.ValidationError(details) from error

    def update(self, instance: Account, validated_data: dict[str, Any]) -> Account:
        expected = expected_version(validated_data)
        try:
            return services.update_account(
                instance,
                by=serializer_user(self),
                expected_version=expected,
                via=API,
                **validated_data,
            )
        except services.DuplicateAccountError as error:
            details: dict[str, Any] = {"name": error.messages}
            if error.existing_visible:
                details["existing"] = error.existing.pk
            raise serializers.ValidationError(details) from error


ACCOUNT_FILTERS = [
    OpenApiParameter("q", str, description="name or city contains"),
    OpenApiParameter("tier", str, enum=Tier.values),
    OpenApiParameter("segment", str),
    OpenApiParameter("scale", str),
    OpenApiParameter("attitude", str, enum=Attitude.values),
    OpenApiParameter("product_usage", str, enum=ProductUsage.values),
    OpenApiParameter("industry", str),
    OpenApiParameter("owner", int),
    OpenApiParameter("team", int),
]


@extend_schema_view(list=extend_schema(parameters=ACCOUNT_FILTERS))
class AccountViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Accounts the user may see; create and change the profile through the services."""

    serializer_class = AccountSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Account]:
        filters = AccountFilters.from_params(self.request.query_params)
        return account_list(request_user(self.request), filters).order_by("name", "pk")

    def _account(self) -> Account:
        account: Account = self.get_object()
        return account

    @extend_schema(responses=QualificationSerializer)
    @action(detail=True, methods=["get"])
    def qualification(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """The score with its breakdown per criterion, never just a number (§1.2)."""
        account = self._account()
        assessment = selectors.assessment_for(account)
        payment_line = next(
            (line for line in assessment.qualification.lines if line.key == "payment"), None
        )
        data = {
            "total": assessment.qualification.total,
            "suggested_tier": assessment.suggested_tier,
            "tier": account.tier,
            "tier_overridden": account.tier_overridden,
            "tier_override_reason": account.tier_override_reason,
            "tier_override_by": account.tier_override_by_id,
            "segment": assessment.strategy,
            "share_of_wallet_pct": assessment.share_pct,
            "sales_12m": assessment.sales_12m,
            "sales_prev_12m": assessment.sales_prev_12m,
            "missing": assessment.qualification.missing,
            "lines": [
                {
                    "key": line.key,
                    "name": criterion.name,
                    "value": line.value,
                    "computed": line.computed,
                    "score": line.score,
                    "weight": line.weight,
                    "points": line.points,
                }
                for criterion, line in assessment.lines
            ],
            "payment": {
                "cycle_days": payment_line.value if payment_line else None,
                "on_time_pct": assessment.payment.on_time_pct,
                "credit_standing": assessment.payment.credit_standing,
                "credit_standing_computed": assessment.payment.credit_computed,
                "score": payment_line.score if payment_line else None,
            },
        }
        return Response(QualificationSerializer(data).data)

    @extend_schema(request=None, responses=AccountSerializer)
    @action(detail=True, methods=["post"])
    def assess(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Recompute score, tier (unless set by hand) and segment from the current data."""
        account = self._account()
        require_edit(request.user, account, refusal=exceptions.PermissionDenied)
        services.assess_account(account, by=request.user, via=API)
        return Response(AccountSerializer(self._account(), context={"request": request}).data)

    @extend_schema(request=TierOverrideSerializer, responses=AccountSerializer)
    @action(detail=True, methods=["post"])
    def tier(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Set the tier by hand, recording who and why (§1.3)."""
        account = self._account()
        form = TierOverrideSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.override_tier(
            account,
            tier=form.validated_data["tier"],
            reason=form.validated_data["reason"],
            by=request.user,
            expected_version=form.validated_data["version"],
            via=API,
        )
        return Response(AccountSerializer(self._account(), context={"request": request}).data)

    @extend_schema(request=AccountVersionSerializer, responses=AccountSerializer)
    @action(detail=True, methods=["post"], url_path="tier/clear")
    def clear_tier(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Let the score set the tier again."""
        account = self._account()
        form = AccountVersionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.clear_tier_override(
            account, by=request.user, expected_version=form.validated_data["version"], via=API
        )
        return Response(AccountSerializer(self._account(), context={"request": request}).data)

    @extend_schema(responses=TotalValueSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="total-value", pagination_class=None)
    def total_value(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Customer total value per recorded year with its parts (§1.3)."""
        account = self._account()
        rows = [
            {
                "value_period": row.period.pk,
                "year": row.period.year,
                "revenue": row.revenue,
                "profit_computed": row.profit_computed,
                "profit_contribution": row.value.profit_contribution,
                "cost_of_sales": row.period.cost_of_sales,
                "cost_of_service": row.period.cost_of_service,
                "cost_of_relationship": row.period.cost_of_relationship,
                "cost_to_serve": row.value.cost_to_serve,
                "learning_value": row.period.learning_value,
                "skill_value": row.period.skill_value,
                "referral_value": row.period.referral_value,
                "intangible": row.value.intangible,
                "total": row.value.total,
            }
            for row in selectors.value_rows(account)
        ]
        return Response(TotalValueSerializer(rows, many=True).data)

    @extend_schema(responses=ValuePyramidSerializer)
    @action(detail=False, methods=["get"], pagination_class=None)
    def pyramid(self, request: AuthenticatedRequest) -> Response:
        """Accounts per tier with their share of revenue and profit: the 80/20 shape."""
        result = selectors.value_pyramid(request.user)
        data = {
            "since": result.since,
            "until": result.until,
            "tiers": [vars(row) for row in result.rows],
            "pareto": vars(result.pareto),
        }
        return Response(ValuePyramidSerializer(data).data)

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description="defaults to this year")],
        responses=AttackDefendMatrixSerializer,
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def matrix(self, request: AuthenticatedRequest) -> Response:
        """Accounts placed by purchase potential × share of wallet, with their strategy."""
        year = check_year(int_param(request, "year") or timezone.localdate().year, "year")
        points, unplaced, allocation = selectors.attack_defend_matrix(request.user, year=year)
        data = {
            "year": year,
            "points": [
                {
                    "account": p.account.pk,
                    "name": p.account.name,
                    "purchase_potential": p.potential,
                    "share_of_wallet_pct": p.share_pct,
                    "strategy": p.strategy,
                }
                for p in points
            ],
            "unplaced": unplaced,
            "allocation": [vars(row) for row in allocation],
        }
        return Response(AttackDefendMatrixSerializer(data).data)
