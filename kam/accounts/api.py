"""Accounts and everything recorded about them in the API (DOMAIN.md §1).

The same visibility as the pages: querysets start from :mod:`kam.accounts.visibility`,
records the user may not see answer 404, and every write calls a service (which
refuses finance and stale versions). Sub-resources are flat, filtered by
``?account=ID`` (or ``?plan=ID`` for the pieces of an account plan).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from kam.accounts import selectors, services
from kam.accounts.models import (
    Account,
    AccountMember,
    AccountNote,
    AccountPlan,
    CompetitorPresence,
    GrowthLever,
    InstalledProduct,
    LatentNeed,
    PlanAction,
    PlanObjective,
    ProductLine,
    PurchasingDepartment,
    Strategy,
    SwotItem,
    Tier,
    ValuePeriod,
    WhitespaceCell,
    WhitespaceStatus,
)
from kam.accounts.selectors import AccountFilters, account_list
from kam.accounts.visibility import (
    can_edit_account,
    scope_to_visible_accounts,
    visible_accounts,
)
from kam.core.models import Interface, Role, User
from kam.core.params import check_year, query_int
from kam.core.rest.serializers import ModelSerializer

API = Interface.API


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _int_param(request: Request, name: str) -> int | None:
    return query_int(request.query_params, name)


class VisibleAccountField(serializers.PrimaryKeyRelatedField):
    """An account the user may read; any other id answers 404, as the pages do."""

    def get_queryset(self) -> QuerySet[Account]:
        return visible_accounts(self.context["request"].user)

    def to_internal_value(self, data: Any) -> Account:
        try:
            return self.get_queryset().get(pk=int(data))
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        except Account.DoesNotExist:
            raise exceptions.NotFound(_("Not found.")) from None
        raise AssertionError  # unreachable: fail() raises


class VisiblePlanField(serializers.PrimaryKeyRelatedField):
    """An account plan of an account the user may read; any other id answers 404."""

    def get_queryset(self) -> QuerySet[AccountPlan]:
        plans = AccountPlan.objects.select_related("account")
        return scope_to_visible_accounts(plans, self.context["request"].user)

    def to_internal_value(self, data: Any) -> AccountPlan:
        try:
            return self.get_queryset().get(pk=int(data))
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        except AccountPlan.DoesNotExist:
            raise exceptions.NotFound(_("Not found.")) from None
        raise AssertionError


def _expected_version(validated_data: dict[str, Any]) -> int:
    version = validated_data.pop("version", None)
    if version is None:
        raise serializers.ValidationError(
            {"version": [_("Send the version you loaded, so a newer edit is not overwritten.")]}
        )
    return int(version)


# --- accounts ------------------------------------------------------------------------


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
    open_amount = serializers.DecimalField(
        max_digits=18, decimal_places=2, read_only=True, allow_null=True
    )
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
                name=name, owner=owner, by=self.context["request"].user, via=API, **validated_data
            )
        except services.DuplicateAccountError as error:
            details: dict[str, Any] = {"name": error.messages}
            if error.existing_visible:
                details["existing"] = error.existing.pk
            raise serializers.ValidationError(details) from error

    def update(self, instance: Account, validated_data: dict[str, Any]) -> Account:
        expected = _expected_version(validated_data)
        try:
            return services.update_account(
                instance,
                by=self.context["request"].user,
                expected_version=expected,
                via=API,
                **validated_data,
            )
        except services.DuplicateAccountError as error:
            details: dict[str, Any] = {"name": error.messages}
            if error.existing_visible:
                details["existing"] = error.existing.pk
            raise serializers.ValidationError(details) from error


class TierOverrideSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=Tier.choices)
    reason = serializers.CharField(help_text=gettext_lazy("Why the tier differs from the score."))
    version = serializers.IntegerField()


class AccountVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()


class QualificationLineSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    value = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    computed = serializers.BooleanField(help_text=gettext_lazy("From the data, not by hand."))
    score = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    points = serializers.DecimalField(max_digits=5, decimal_places=1)


class QualificationSerializer(serializers.Serializer):
    """The seven-criteria score (§1.2) with its breakdown, the tier and the segment."""

    total = serializers.DecimalField(max_digits=5, decimal_places=1)
    suggested_tier = serializers.CharField(
        help_text=gettext_lazy("The tier the score earns: key, important or general.")
    )
    tier = serializers.ChoiceField(choices=Tier.choices)
    tier_overridden = serializers.BooleanField()
    tier_override_reason = serializers.CharField()
    tier_override_by = serializers.IntegerField(allow_null=True)
    segment = serializers.CharField(allow_null=True)
    share_of_wallet_pct = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    sales_12m = serializers.DecimalField(max_digits=18, decimal_places=2)
    sales_prev_12m = serializers.DecimalField(max_digits=18, decimal_places=2)
    missing = serializers.ListField(child=serializers.CharField())
    lines = QualificationLineSerializer(many=True)


class TotalValueSerializer(serializers.Serializer):
    """Customer total value of one year (§1.3) and its parts."""

    value_period = serializers.IntegerField()
    year = serializers.IntegerField()
    revenue = serializers.DecimalField(max_digits=18, decimal_places=2)
    profit_computed = serializers.BooleanField(
        help_text=gettext_lazy("Profit computed from won business and the average margin.")
    )
    profit_contribution = serializers.DecimalField(max_digits=18, decimal_places=2)
    cost_of_sales = serializers.DecimalField(max_digits=18, decimal_places=2)
    cost_of_service = serializers.DecimalField(max_digits=18, decimal_places=2)
    cost_of_relationship = serializers.DecimalField(max_digits=18, decimal_places=2)
    cost_to_serve = serializers.DecimalField(max_digits=18, decimal_places=2)
    learning_value = serializers.DecimalField(max_digits=18, decimal_places=2)
    skill_value = serializers.DecimalField(max_digits=18, decimal_places=2)
    referral_value = serializers.DecimalField(max_digits=18, decimal_places=2)
    intangible = serializers.DecimalField(max_digits=18, decimal_places=2)
    total = serializers.DecimalField(max_digits=18, decimal_places=2)


class ValuePyramidTierSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=Tier.choices)
    label = serializers.CharField()  # type: ignore[assignment]
    accounts = serializers.IntegerField()
    revenue = serializers.DecimalField(max_digits=18, decimal_places=2)
    profit = serializers.DecimalField(max_digits=18, decimal_places=2)
    account_share = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    revenue_share = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    profit_share = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class ValuePyramidParetoSerializer(serializers.Serializer):
    accounts = serializers.IntegerField()
    top_count = serializers.IntegerField()
    top_share_pct = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    rest_share_pct = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class ValuePyramidSerializer(serializers.Serializer):
    """The value pyramid (§1.3) over the last 12 months, of the accounts the user sees."""

    since = serializers.DateField()
    until = serializers.DateField()
    tiers = ValuePyramidTierSerializer(many=True)
    pareto = ValuePyramidParetoSerializer()


class AttackDefendPointSerializer(serializers.Serializer):
    account = serializers.IntegerField()
    name = serializers.CharField()
    purchase_potential = serializers.DecimalField(max_digits=18, decimal_places=2)
    share_of_wallet_pct = serializers.DecimalField(max_digits=5, decimal_places=1)
    strategy = serializers.CharField()


class StrategyAllocationSerializer(serializers.Serializer):
    strategy = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    accounts = serializers.IntegerField()
    planned_hours = serializers.DecimalField(max_digits=12, decimal_places=1)
    planned_people = serializers.IntegerField()
    planned_budget = serializers.DecimalField(max_digits=18, decimal_places=2)
    activities = serializers.IntegerField()
    actual_hours = serializers.DecimalField(max_digits=12, decimal_places=1)
    actual_people = serializers.IntegerField()
    actual_expenses = serializers.DecimalField(max_digits=18, decimal_places=2)


class AttackDefendMatrixSerializer(serializers.Serializer):
    """The attack / defend matrix (§1.4) and planned against actual resources per strategy."""

    year = serializers.IntegerField()
    points = AttackDefendPointSerializer(many=True)
    unplaced = serializers.IntegerField()
    allocation = StrategyAllocationSerializer(many=True)


ACCOUNT_FILTERS = [
    OpenApiParameter("q", str, description="name or city contains"),
    OpenApiParameter("tier", str, enum=Tier.values),
    OpenApiParameter("segment", str),
    OpenApiParameter("scale", str),
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
        return account_list(_user(self.request), filters).order_by("name", "pk")

    def _account(self) -> Account:
        return self.get_object()  # type: ignore[no-any-return]

    @extend_schema(responses=QualificationSerializer)
    @action(detail=True, methods=["get"])
    def qualification(self, request: Request, pk: str | None = None) -> Response:
        """The score with its breakdown per criterion, never just a number (§1.2)."""
        account = self._account()
        assessment = selectors.assessment_for(account)
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
        }
        return Response(QualificationSerializer(data).data)

    @extend_schema(request=None, responses=AccountSerializer)
    @action(detail=True, methods=["post"])
    def assess(self, request: Request, pk: str | None = None) -> Response:
        """Recompute score, tier (unless set by hand) and segment from the current data."""
        account = self._account()
        if not can_edit_account(_user(request), account):
            raise exceptions.PermissionDenied
        services.assess_account(account, by=_user(request), via=API)
        return Response(AccountSerializer(self._account(), context={"request": request}).data)

    @extend_schema(request=TierOverrideSerializer, responses=AccountSerializer)
    @action(detail=True, methods=["post"])
    def tier(self, request: Request, pk: str | None = None) -> Response:
        """Set the tier by hand, recording who and why (§1.3)."""
        account = self._account()
        form = TierOverrideSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.override_tier(
            account,
            tier=form.validated_data["tier"],
            reason=form.validated_data["reason"],
            by=_user(request),
            expected_version=form.validated_data["version"],
            via=API,
        )
        return Response(AccountSerializer(self._account(), context={"request": request}).data)

    @extend_schema(request=AccountVersionSerializer, responses=AccountSerializer)
    @action(detail=True, methods=["post"], url_path="tier/clear")
    def clear_tier(self, request: Request, pk: str | None = None) -> Response:
        """Let the score set the tier again."""
        account = self._account()
        form = AccountVersionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.clear_tier_override(
            account, by=_user(request), expected_version=form.validated_data["version"], via=API
        )
        return Response(AccountSerializer(self._account(), context={"request": request}).data)

    @extend_schema(responses=TotalValueSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="total-value", pagination_class=None)
    def total_value(self, request: Request, pk: str | None = None) -> Response:
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
    def pyramid(self, request: Request) -> Response:
        """Accounts per tier with their share of revenue and profit: the 80/20 shape."""
        result = selectors.value_pyramid(_user(request))
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
    def matrix(self, request: Request) -> Response:
        """Accounts placed by purchase potential × share of wallet, with their strategy."""
        year = check_year(_int_param(request, "year") or timezone.localdate().year, "year")
        points, unplaced, allocation = selectors.attack_defend_matrix(_user(request), year=year)
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


# --- things recorded about an account ---------------------------------------------------

ACCOUNT_PARAM = OpenApiParameter("account", OpenApiTypes.INT, description="only this account's")
PLAN_PARAM = OpenApiParameter("plan", OpenApiTypes.INT, description="only this plan's")


class AccountItemSerializer(ModelSerializer):
    """Base of the records hanging off an account; the account is fixed once created."""

    account = VisibleAccountField()

    class Meta:
        model: type[Model]
        fields: list[str]
        validators: list[Any] = []

    def update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        validated_data.pop("account", None)
        return services.update_item(
            instance, by=self.context["request"].user, via=API, **validated_data
        )

    def create(self, validated_data: dict[str, Any]) -> Any:
        account = validated_data.pop("account")
        return services.add_item(
            account,
            self.Meta.model,
            by=self.context["request"].user,
            via=API,
            **validated_data,
        )


class AccountItemViewSet(viewsets.ModelViewSet):
    """List, read, add, change and remove one kind of record about the visible accounts."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    related: tuple[str, ...] = ()

    def get_queryset(self) -> QuerySet[Any]:
        model = self.get_serializer_class().Meta.model  # type: ignore[attr-defined]
        items = scope_to_visible_accounts(
            model._default_manager.select_related("account", *self.related), _user(self.request)
        )
        account = _int_param(self.request, "account")
        if account is not None:
            items = items.filter(account_id=account)
        return items.order_by(*model._meta.ordering, "pk")

    def perform_destroy(self, instance: Any) -> None:
        services.remove_item(instance, by=_user(self.request), via=API)


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
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
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
    def opportunity(self, request: Request, pk: str | None = None) -> Response:
        """Open an opportunity for this need and link the two."""
        need = self.get_object()
        form = NeedToOpportunitySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        opened = services.turn_need_into_opportunity(
            need, by=_user(request), via=API, **form.validated_data
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
        return services.add_member(
            account, by=self.context["request"].user, via=API, **validated_data
        )

    def update(self, instance: AccountMember, validated_data: dict[str, Any]) -> AccountMember:
        if "user" in validated_data and validated_data["user"] != instance.user:
            raise serializers.ValidationError(
                {"user": [_("Remove this member and add the other colleague instead.")]}
            )
        return services.change_member_role(
            instance,
            role=validated_data.get("role", instance.role),
            by=self.context["request"].user,
            via=API,
        )


@extend_schema_view(list=extend_schema(parameters=[ACCOUNT_PARAM]))
class AccountMemberViewSet(AccountItemViewSet):
    """The account team besides the owner."""

    serializer_class = AccountMemberSerializer
    related = ("user",)

    def perform_destroy(self, instance: Any) -> None:
        services.remove_member(instance, by=_user(self.request), via=API)


# --- account plans (§1.5, §1.7) ---------------------------------------------------------------


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
        return services.add_plan_item(  # type: ignore[no-any-return]
            plan, GrowthLever, by=self.context["request"].user, via=API, **validated_data
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
            fields["objective"].queryset = scope_to_visible_accounts(  # type: ignore[attr-defined]
                PlanObjective.objects.select_related("plan__account"),
                request.user,
                account_field="plan__account",
            )
        return fields

    def create(self, validated_data: dict[str, Any]) -> PlanAction:
        objective = validated_data.pop("objective")
        status_value = validated_data.pop("status", None)
        by = self.context["request"].user
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
            by=self.context["request"].user,
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
        return services.add_plan_item(  # type: ignore[no-any-return]
            plan, PlanObjective, by=self.context["request"].user, via=API, **validated_data
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
            by=self.context["request"].user,
            via=API,
        )
        return cell  # type: ignore[return-value]  # never None: a status was given


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
            "version",
            "levers",
            "objectives",
            "whitespace",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list[Any] = []

    def create(self, validated_data: dict[str, Any]) -> AccountPlan:
        validated_data.pop("version", None)
        account = validated_data.pop("account")
        return services.create_plan(
            account, by=self.context["request"].user, via=API, **validated_data
        )

    def update(self, instance: AccountPlan, validated_data: dict[str, Any]) -> AccountPlan:
        expected = _expected_version(validated_data)
        if "account" in validated_data and validated_data.pop("account") != instance.account:
            raise serializers.ValidationError({"account": [_("A plan stays with its account.")]})
        if "year" in validated_data and validated_data.pop("year") != instance.year:
            raise serializers.ValidationError(
                {"year": [_("A plan's year cannot change; make a plan for the other year.")]}
            )
        return services.update_plan(
            instance,
            by=self.context["request"].user,
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
            AccountPlan.objects.select_related("account").prefetch_related(
                "levers",
                Prefetch("whitespace", queryset=WhitespaceCell.objects.order_by("unit", "pk")),
                Prefetch(
                    "objectives",
                    queryset=PlanObjective.objects.prefetch_related("actions").order_by("pk"),
                ),
            ),
            _user(self.request),
        )
        account = _int_param(self.request, "account")
        if account is not None:
            plans = plans.filter(account_id=account)
        return plans.order_by("-year", "pk")


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
        model = self.get_serializer_class().Meta.model  # type: ignore[attr-defined]
        items = scope_to_visible_accounts(
            model._default_manager.all(), _user(self.request), f"{self.plan_field}__account"
        )
        plan = _int_param(self.request, "plan")
        if plan is not None:
            items = items.filter(**{self.plan_field: plan})
        return items.order_by("pk")

    def perform_destroy(self, instance: Any) -> None:
        services.remove_plan_item(instance, by=_user(self.request), via=API)


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
            by=_user(self.request),
            via=API,
        )


ROUTES = [
    ("accounts", AccountViewSet, "account"),
    ("account-members", AccountMemberViewSet, "account-member"),
    ("installed-products", InstalledProductViewSet, "installed-product"),
    ("purchasing-departments", PurchasingDepartmentViewSet, "purchasing-department"),
    ("competitor-presences", CompetitorPresenceViewSet, "competitor-presence"),
    ("account-notes", AccountNoteViewSet, "account-note"),
    ("swot-items", SwotItemViewSet, "swot-item"),
    ("latent-needs", LatentNeedViewSet, "latent-need"),
    ("value-periods", ValuePeriodViewSet, "value-period"),
    ("account-plans", AccountPlanViewSet, "account-plan"),
    ("plan-levers", GrowthLeverViewSet, "plan-lever"),
    ("plan-objectives", PlanObjectiveViewSet, "plan-objective"),
    ("plan-actions", PlanActionViewSet, "plan-action"),
    ("plan-whitespace", WhitespaceCellViewSet, "plan-whitespace"),
]
