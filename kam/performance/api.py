"""Team performance in the API under /api/v1/performance/ (DOMAIN.md §1.4, §1.5, §7):
the same visibility as the pages, writes through the services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from kam.accounts.models import Account
from kam.accounts.visibility import visible_accounts
from kam.core.http import AuthenticatedRequest, request_user, serializer_user
from kam.core.models import Interface, User
from kam.core.money import money_serializer_field
from kam.core.rest.schema import ReportSchema
from kam.core.rest.serializers import ModelSerializer, offer
from kam.performance import selectors, services
from kam.performance.models import (
    ScorecardIndicator,
    SkillAssessment,
    SkillDimension,
    SurveyInvitation,
    SurveyResponse,
)
from kam.stakeholders.models import Contact


def _level() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=3)


class SkillAssessmentSerializer(ModelSerializer):
    rep = serializers.PrimaryKeyRelatedField(queryset=User.objects.none())
    customer_acceptance = _level()
    service_response = _level()
    internal_relationships = _level()
    resource_use = _level()
    results = _level()

    class Meta:
        model = SkillAssessment
        fields = [
            "id",
            "rep",
            "assessed_by",
            "assessed_on",
            *SkillDimension.values,
            "note",
            "created_at",
        ]
        read_only_fields = ["id", "assessed_by", "created_at"]
        extra_kwargs = {"assessed_on": {"required": False}, "note": {"max_length": 4000}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            offer(self.fields["rep"], selectors.coachable_reps(request_user(request)))

    def create(self, validated_data: dict[str, Any]) -> SkillAssessment:
        return services.assess_rep(
            validated_data["rep"],
            levels={d: validated_data[d] for d in SkillDimension.values},
            note=validated_data.get("note", ""),
            assessed_on=validated_data.get("assessed_on"),
            by=serializer_user(self),
            via=Interface.API,
        )


class AssessmentViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Skill assessments (§7): a rep reads their own, a manager their subtree's."""

    serializer_class = SkillAssessmentSerializer

    def get_queryset(self) -> QuerySet[SkillAssessment]:
        user = request_user(self.request)
        return selectors.visible_assessments(user).order_by("-assessed_on", "-pk")


class ScorecardIndicatorSerializer(ModelSerializer):
    class Meta:
        model = ScorecardIndicator
        fields = [
            "id",
            "key",
            "perspective",
            "name_zh",
            "name_en",
            "unit",
            "higher_is_better",
            "target",
            "weight_attack",
            "weight_defend",
            "weight_maintain",
            "version",
        ]
        read_only_fields = [
            "id",
            "key",
            "perspective",
            "name_zh",
            "name_en",
            "unit",
            "higher_is_better",
        ]
        extra_kwargs = {"version": {"read_only": False, "required": False}}

    def update(self, instance: ScorecardIndicator, validated_data: dict[str, Any]) -> Any:
        version = validated_data.pop("version", None)
        return services.update_indicator(
            instance, version=version, by=serializer_user(self), via=Interface.API, **validated_data
        )


class IndicatorViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Scorecard indicators with targets and weights per posture; administrators change them."""

    serializer_class = ScorecardIndicatorSerializer
    queryset = ScorecardIndicator.objects.order_by("order")

    def get_object(self) -> ScorecardIndicator:
        writing = self.request.method not in ("GET", "HEAD")
        if writing and not request_user(self.request).is_kam_admin:
            raise PermissionDenied
        return super().get_object()


class ScorecardLineSerializer(serializers.Serializer):
    posture = serializers.CharField()
    value = serializers.DecimalField(max_digits=22, decimal_places=2, allow_null=True)
    score = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)


class ScorecardRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    perspective = serializers.CharField()
    name = serializers.CharField()
    target = serializers.DecimalField(max_digits=22, decimal_places=2)
    overall = serializers.DecimalField(max_digits=22, decimal_places=2, allow_null=True)
    postures = ScorecardLineSerializer(many=True)


class ScorecardPostureSerializer(serializers.Serializer):
    posture = serializers.CharField()
    accounts = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)


class ScorecardSerializer(serializers.Serializer):
    scope = serializers.CharField()
    # DRF's serializer metaclass pops declared fields; the stubs see Field.label.
    label = serializers.CharField()  # type: ignore[assignment]
    overall = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    bookings = money_serializer_field()
    bookings_target = money_serializer_field(allow_null=True)
    skill_level = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    postures = ScorecardPostureSerializer(many=True)
    rows = ScorecardRowSerializer(many=True)


SCOPE = OpenApiParameter(
    "scope",
    str,
    description="company, team-<id> or rep-<id>; default: the first team you may read, else you",
)


def scorecard_data(card: selectors.Scorecard) -> dict[str, Any]:
    return {
        "scope": card.scope.key,
        "label": card.scope.label,
        "overall": card.overall,
        "bookings": card.bookings,
        "bookings_target": card.bookings_target,
        "skill_level": card.skill_level,
        "postures": [
            {"posture": p, "accounts": card.accounts[p], "score": card.totals[p]}
            for p in card.accounts
        ],
        "rows": [
            {
                "key": row.indicator.key,
                "perspective": row.indicator.perspective,
                "name": row.indicator.name,
                "target": row.target,
                "overall": row.overall,
                "postures": [
                    {"posture": p, "value": line.value, "score": line.score, "weight": line.weight}
                    for p, line in row.by_posture.items()
                ],
            }
            for row in card.rows
        ],
    }


def scope_for(user: User, key: str) -> selectors.Scope | None:
    """The scope named ``key`` if ``user`` may read it (None: not found or not theirs)."""
    if key.startswith("rep-"):
        pk = key.removeprefix("rep-")
        rep = selectors.viewable_reps(user).filter(pk=int(pk)).first() if pk.isdigit() else None
        return selectors.rep_scope(rep) if rep else None
    scopes = selectors.team_scopes(user)
    if not key:
        return scopes[0] if scopes else selectors.rep_scope(user)
    return next((s for s in scopes if s.key == key), None)


class ScorecardViewSet(viewsets.ViewSet):
    schema = ReportSchema()

    @extend_schema(parameters=[SCOPE], responses=ScorecardSerializer)
    def list(self, request: AuthenticatedRequest) -> Response:
        """The balanced scorecard of a rep, a team or the company (§1.4)."""
        from django.http import Http404

        scope = scope_for(request.user, request.query_params.get("scope", ""))
        if scope is None:
            raise Http404
        return Response(ScorecardSerializer(scorecard_data(selectors.scorecard(scope))).data)


class AccountEfficiencySerializer(serializers.Serializer):
    account = serializers.IntegerField()
    segment = serializers.CharField(allow_blank=True)
    hours = serializers.DecimalField(max_digits=12, decimal_places=1)
    people = serializers.IntegerField()
    expenses = money_serializer_field()
    cost = money_serializer_field()
    revenue = money_serializer_field()
    margin = money_serializer_field()
    collections = money_serializer_field()
    revenue_per_hour = money_serializer_field(allow_null=True)
    cost_pct = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True)
    overruns = serializers.ListField(child=serializers.CharField())


class SellingStyleSerializer(serializers.Serializer):
    rep = serializers.IntegerField()
    won = serializers.IntegerField()
    average_deal = money_serializer_field(allow_null=True)
    margin_pct = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    win_rate = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    cycle_days = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    visits_per_deal = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)


class ResourceEfficiencySerializer(serializers.Serializer):
    accounts = AccountEfficiencySerializer(many=True)
    styles = SellingStyleSerializer(many=True)


class EfficiencyViewSet(viewsets.ViewSet):
    schema = ReportSchema()

    @extend_schema(responses=ResourceEfficiencySerializer)
    def list(self, request: AuthenticatedRequest) -> Response:
        """Resources per account this year against what they brought, and selling styles (§7)."""
        user = request.user
        data = {
            "accounts": [
                {
                    "account": r.account.pk,
                    "segment": r.account.segment,
                    "hours": r.hours,
                    "people": r.people,
                    "expenses": r.expenses,
                    "cost": r.cost,
                    "revenue": r.revenue,
                    "margin": r.margin,
                    "collections": r.collections,
                    "revenue_per_hour": r.revenue_per_hour,
                    "cost_pct": r.cost_pct,
                    "overruns": r.overruns,
                }
                for r in selectors.efficiency(user)
            ],
            "styles": [
                {
                    "rep": s.rep.pk,
                    "won": s.won,
                    "average_deal": s.average_deal,
                    "margin_pct": s.margin_pct,
                    "win_rate": s.win_rate,
                    "cycle_days": s.cycle_days,
                    "visits_per_deal": s.visits_per_deal,
                }
                for s in selectors.selling_styles(user)
            ],
        }
        return Response(ResourceEfficiencySerializer(data).data)


class SurveyInvitationSerializer(ModelSerializer):
    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.none())
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.none(), required=False, allow_null=True
    )
    valid_days = serializers.IntegerField(
        min_value=1, max_value=365, required=False, write_only=True
    )
    answered = serializers.SerializerMethodField()
    link = serializers.SerializerMethodField(
        help_text="The survey address: given once, in the answer that creates it."
    )

    class Meta:
        model = SurveyInvitation
        fields = [
            "id",
            "account",
            "contact",
            "language",
            "valid_days",
            "expires_at",
            "answered",
            "created_at",
            "link",
        ]
        read_only_fields = ["id", "expires_at", "created_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            accounts = visible_accounts(request_user(request))
            offer(self.fields["account"], accounts)
            offer(self.fields["contact"], Contact.objects.filter(account__in=accounts.values("pk")))

    def get_answered(self, invitation: SurveyInvitation) -> bool:
        return invitation.answered_at is not None

    def get_link(self, invitation: SurveyInvitation) -> str | None:
        token = getattr(invitation, "new_token", None)
        request = self.context.get("request")
        if token is None or request is None:
            return None
        return request.build_absolute_uri(reverse("performance:survey", args=[token]))

    def create(self, validated_data: dict[str, Any]) -> SurveyInvitation:
        made = services.invite_to_survey(
            validated_data["account"],
            contact=validated_data.get("contact"),
            language=validated_data.get("language", "zh-hans"),
            valid_days=validated_data.get("valid_days"),
            by=serializer_user(self),
            via=Interface.API,
        )
        made.invitation.new_token = made.token  # type: ignore[attr-defined]
        return made.invitation


class InvitationViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Survey links to the customers' people (§1.5); the address is shown once."""

    serializer_class = SurveyInvitationSerializer

    def get_queryset(self) -> QuerySet[SurveyInvitation]:
        user = request_user(self.request)
        return selectors.visible_invitations(user).order_by("-created_at", "-pk")


class SurveyResponseSerializer(ModelSerializer):
    class Meta:
        model = SurveyResponse
        fields = [
            "id",
            "account",
            "answered_on",
            "product_quality",
            "delivery",
            "service",
            "responsiveness",
            "value",
            "keep_buying",
            "recommend",
            "resist_competitors",
            "open_to_ideas",
            "supplier_score",
            "loyalty_score",
            "comment",
        ]
        read_only_fields = fields


class ResponseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The answers of the customers' people, per account (§1.5)."""

    serializer_class = SurveyResponseSerializer

    def get_queryset(self) -> QuerySet[SurveyResponse]:
        user = request_user(self.request)
        return selectors.visible_responses(user).order_by("-answered_on", "-pk")


ROUTES = [
    ("performance/assessments", AssessmentViewSet, "performance-assessment"),
    ("performance/indicators", IndicatorViewSet, "performance-indicator"),
    ("performance/scorecard", ScorecardViewSet, "performance-scorecard"),
    ("performance/efficiency", EfficiencyViewSet, "performance-efficiency"),
    ("performance/survey-invitations", InvitationViewSet, "performance-survey-invitation"),
    ("performance/survey-responses", ResponseViewSet, "performance-survey-response"),
]
