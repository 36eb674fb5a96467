"""Opportunities in the API: the same visibility as the UI, every write through the services."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kam.accounts.visibility import can_edit_account, visible_accounts
from kam.core.http import AuthenticatedRequest, request_user, serializer_user
from kam.core.models import Interface, Role, User
from kam.core.rest.serializers import ModelSerializer
from kam.pipeline import calculations, screening, selectors, services
from kam.pipeline.models import (
    Answer,
    DecisionFactor,
    Evaluation,
    Objection,
    Opportunity,
    OpportunityCompetitor,
    Stage,
    StageChange,
    StageModel,
    Status,
)

READ_ONLY_FIELDS = [
    "id",
    "stage",
    "status",
    "closed_on",
    "stage_entered_at",
    "qualification_override_reason",
    "qualification_override_by",
    "close_reason",
    "winning_competitor",
    "created_at",
    "updated_at",
]


def _rules(context: Mapping[str, Any]) -> screening.ScreenRules:
    """The company's screen rules, read once per response however many deals it lists
    (kept in the serializers' shared context)."""
    rules = context.get("screen_rules")
    if rules is None:
        rules = services.screen_rules()
        if isinstance(context, dict):
            context["screen_rules"] = rules
    return rules


SCREEN_FIELDS = [
    "evaluated_at",
    "evaluation_total",
    "gates_passed",
    "passes_project",
    "passes_ours",
    "passes_win",
    "passes_worth",
    "reevaluation_due",
]


class OpportunitySerializer(ModelSerializer):
    """The record; ``version`` must come back with every change (stale → 409).

    The funnel screen (§3.3) is read-only: the latest evaluation's date and score, the
    gates it passes under the company's pass mark (null before any evaluation), and why
    the deal is due for a new evaluation ("" when it is not).
    """

    version = serializers.IntegerField(required=False)
    amount_cny = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)
    is_qualified = serializers.BooleanField(read_only=True)
    stage_key = serializers.CharField(source="stage.key", read_only=True)
    initial_stage = serializers.PrimaryKeyRelatedField(
        queryset=Stage.objects.all(),
        write_only=True,
        required=False,
        help_text="Create only: the stage to open in (the default model's first otherwise).",
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True).exclude(role=Role.FINANCE),
        many=True,
        required=False,
    )
    reevaluation_due = serializers.SerializerMethodField(
        help_text="Why the twenty questions are due again: missing | old | before_move, "
        "or empty when they are not."
    )

    class Meta:
        model = Opportunity
        fields = [
            "account",
            *services.EDITABLE_FIELDS,
            "team",
            "initial_stage",
            "stage_key",
            "amount_cny",
            "is_qualified",
            "version",
            *READ_ONLY_FIELDS,
            *SCREEN_FIELDS,
        ]
        read_only_fields = [*READ_ONLY_FIELDS, *SCREEN_FIELDS]

    @extend_schema_field(
        serializers.ChoiceField(choices=["", "missing", "old", "before_move"], allow_blank=True)
    )
    def get_reevaluation_due(self, opportunity: Opportunity) -> str:
        return screening.screen_of(opportunity, _rules(self.context), timezone.now()).due

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The account to open a deal at is one the user sees (a related field's queryset).
        account: Any = self.fields.get("account")
        if self.context.get("request") is not None and account is not None:
            account.queryset = visible_accounts(serializer_user(self))
        if self.instance is not None and "account" in self.fields:
            self.fields["account"].read_only = True

    def _fields(self, validated: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in validated.items() if k in services.EDITABLE_FIELDS}

    def create(self, validated_data: dict[str, Any]) -> Opportunity:
        return services.create_opportunity(
            account=validated_data["account"],
            by=serializer_user(self),
            via=Interface.API,
            stage=validated_data.get("initial_stage"),
            team=validated_data.get("team", ()),
            **self._fields(validated_data),
        )

    def update(self, instance: Opportunity, validated_data: dict[str, Any]) -> Opportunity:
        if "version" not in validated_data:
            raise serializers.ValidationError(
                {"version": [serializers.Field.default_error_messages["required"]]}
            )
        return services.update_opportunity(
            instance,
            by=serializer_user(self),
            expected_version=validated_data["version"],
            via=Interface.API,
            team=validated_data.get("team"),
            **self._fields(validated_data),
        )


class MoveSerializer(serializers.Serializer):
    to_stage = serializers.PrimaryKeyRelatedField(queryset=Stage.objects.all())
    version = serializers.IntegerField()
    confirmed_exit_stages = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Ids of the stages left whose exit criteria are confirmed.",
    )
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CloseSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[(v, label) for v, label in Status.choices if v != Status.OPEN]
    )
    version = serializers.IntegerField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    winning_competitor = serializers.CharField(required=False, allow_blank=True, default="")
    closed_on = serializers.DateField(required=False, allow_null=True, default=None)


class ReopenSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class GateResultSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=list(screening.GATE_KEYS))
    score = serializers.IntegerField(help_text="0–10: yes 2, unsure 1, no 0.")
    passed = serializers.BooleanField()
    critical_noes = serializers.ListField(
        child=serializers.IntegerField(), help_text="Critical questions answered no."
    )


class FailedQuestionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    gate = serializers.ChoiceField(choices=list(screening.GATE_KEYS))
    text = serializers.CharField()
    answer = serializers.ChoiceField(choices=["", *Answer.values], allow_blank=True)
    critical = serializers.BooleanField()
    guidance = serializers.CharField(help_text="What to do about it, in the reader's language.")


class EvaluationSerializer(ModelSerializer):
    answers = serializers.DictField(
        child=serializers.ChoiceField(choices=Answer.choices, allow_blank=True),
        write_only=True,
        help_text="Question number (1–20) → yes | unsure | no.",
    )
    notes = serializers.DictField(
        child=serializers.CharField(allow_blank=True), write_only=True, required=False
    )
    recorded = serializers.JSONField(source="answers", read_only=True)
    gates = serializers.SerializerMethodField()
    failed_questions = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "evaluated_at",
            "evaluated_by",
            "answers",
            "notes",
            "recorded",
            "project_score",
            "ours_score",
            "win_score",
            "worth_score",
            "total_score",
            "gates",
            "failed_questions",
        ]
        read_only_fields = [
            "evaluated_at",
            "evaluated_by",
            "project_score",
            "ours_score",
            "win_score",
            "worth_score",
            "total_score",
        ]

    @extend_schema_field(GateResultSerializer(many=True))
    def get_gates(self, evaluation: Evaluation) -> list[dict[str, Any]]:
        """Each gate's points and whether it passes under today's pass mark (§3.3)."""
        results = screening.gate_results(
            screening.answers_of(evaluation.answers), _rules(self.context)
        )
        return [
            {
                "key": g.key,
                "score": g.score,
                "passed": g.passed,
                "critical_noes": list(g.critical_noes),
            }
            for g in results
        ]

    @extend_schema_field(FailedQuestionSerializer(many=True))
    def get_failed_questions(self, evaluation: Evaluation) -> list[dict[str, Any]]:
        """The questions of the failed gates not answered yes, with what to do about each."""
        return [
            {
                "number": q.number,
                "gate": screening.GATE_OF[q.number],
                "text": q.text,
                "answer": q.answer,
                "critical": q.critical,
                "guidance": q.guidance,
            }
            for q in screening.failed_questions(
                screening.answers_of(evaluation.answers), _rules(self.context)
            )
        ]

    def validate_answers(self, value: dict[str, str]) -> dict[int, str]:
        numbers = {str(n) for n in calculations.QUESTION_NUMBERS}
        unknown = sorted(set(value) - numbers)
        if unknown:
            raise serializers.ValidationError(f"unknown questions: {', '.join(unknown)}")
        return {int(k): v for k, v in value.items()}

    def validate_notes(self, value: dict[str, str]) -> dict[int, str]:
        return {int(k): v for k, v in value.items() if str(k).isdigit()}


class ObjectionSerializer(ModelSerializer):
    class Meta:
        model = Objection
        fields = ["id", "kind", "said", "response", "resolved", "raised_on", "created_by"]
        read_only_fields = ["id", "created_by"]
        extra_kwargs = {"raised_on": {"required": False}}


class ObjectionResponseSerializer(serializers.Serializer):
    response = serializers.CharField(required=False, allow_blank=True)
    resolved = serializers.BooleanField(required=False)


class CompetitorSerializer(ModelSerializer):
    class Meta:
        model = OpportunityCompetitor
        fields = ["id", "name", "strengths", "weaknesses", "standing", "note"]
        read_only_fields = ["id"]


class DecisionFactorSerializer(ModelSerializer):
    needs_strategy = serializers.BooleanField(
        read_only=True,
        help_text="Decisive (high priority), we trail, and no strategy chosen: flagged.",
    )

    class Meta:
        model = DecisionFactor
        fields = [
            "id",
            "name",
            "factor_type",
            "scope",
            "priority",
            "standing",
            "missed_by_customer",
            "set_by",
            "strategy",
            "strategy_actions",
            "needs_strategy",
            "note",
        ]
        read_only_fields = ["id", "needs_strategy"]


class StageChangeSerializer(ModelSerializer):
    class Meta:
        model = StageChange
        fields = [
            "id",
            "from_stage",
            "to_stage",
            "status",
            "changed_at",
            "changed_by",
            "win_rate",
            "exit_criteria_confirmed",
            "note",
        ]


class OpportunityViewSet(viewsets.ModelViewSet):
    """Deals on the accounts the user may see; another team's deal is 404."""

    serializer_class = OpportunitySerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Opportunity]:
        filters = selectors.OpportunityFilters.from_params(
            {"status": "", **self.request.query_params.dict()}
        )
        return (
            selectors.opportunity_list(request_user(self.request), filters)
            .prefetch_related("team")
            .order_by("expected_close_date", "pk")
        )

    def get_object(self) -> Opportunity:
        opportunity: Opportunity = super().get_object()
        if self.request.method not in ("GET", "HEAD", "OPTIONS") and not can_edit_account(
            request_user(self.request),
            opportunity.account,
        ):
            raise PermissionDenied
        return opportunity

    def perform_create(self, serializer: Any) -> None:
        if request_user(self.request).role == Role.FINANCE:
            raise PermissionDenied
        serializer.save()

    def _answer(self, opportunity: Opportunity, code: int = status.HTTP_200_OK) -> Response:
        opportunity = self.get_queryset().get(pk=opportunity.pk)
        return Response(self.get_serializer(opportunity).data, status=code)

    @extend_schema(request=MoveSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def move(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Move to another stage of the deal's model (§3.1, §3.2)."""
        opportunity = self.get_object()
        body = MoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        services.move_opportunity(
            opportunity,
            data["to_stage"],
            by=request.user,
            expected_version=data["version"],
            via=Interface.API,
            confirmed_exit_stages=data.get("confirmed_exit_stages", []),
            override_reason=data["override_reason"],
            note=data["note"],
        )
        return self._answer(opportunity)

    @extend_schema(request=CloseSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Won, lost (with the competitor who won) or no decision."""
        opportunity = self.get_object()
        body = CloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        services.close_opportunity(
            opportunity,
            status=data["status"],
            by=request.user,
            expected_version=data["version"],
            reason=data["reason"],
            winning_competitor=data["winning_competitor"],
            closed_on=data["closed_on"],
            via=Interface.API,
        )
        return self._answer(opportunity)

    @extend_schema(request=ReopenSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        opportunity = self.get_object()
        body = ReopenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.reopen_opportunity(
            opportunity,
            by=request.user,
            expected_version=body.validated_data["version"],
            reason=body.validated_data["reason"],
            via=Interface.API,
        )
        return self._answer(opportunity)

    @extend_schema(responses=StageChangeSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Every change of stage and status, oldest first, with the rate of its day."""
        opportunity = self.get_object()
        changes = opportunity.stage_changes.order_by("changed_at", "pk")
        return Response(StageChangeSerializer(changes, many=True).data)

    def _children(
        self,
        request: AuthenticatedRequest,
        serializer_class: type[serializers.ModelSerializer],
        rows: Any,
        add: Any,
    ) -> Response:
        opportunity = self.get_object()
        if request.method == "GET":
            return Response(serializer_class(rows(opportunity), many=True).data)
        body = serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        created = add(opportunity, body.validated_data)
        return Response(serializer_class(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EvaluationSerializer, responses=EvaluationSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def evaluations(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """The twenty-question passes, newest first; POST records a new pass (§3.3)."""
        return self._children(
            request,
            EvaluationSerializer,
            lambda o: o.evaluations.order_by("-evaluated_at", "-pk"),
            lambda o, data: services.record_evaluation(
                o,
                answers=data["answers"],
                notes=data.get("notes") or {},
                by=request.user,
                via=Interface.API,
            ),
        )

    @extend_schema(request=ObjectionSerializer, responses=ObjectionSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def objections(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """The objections log (§3.5)."""
        return self._children(
            request,
            ObjectionSerializer,
            lambda o: o.objections.all(),
            lambda o, data: services.log_objection(o, by=request.user, via=Interface.API, **data),
        )

    @extend_schema(request=DecisionFactorSerializer, responses=DecisionFactorSerializer)
    @action(detail=True, methods=["patch"], url_path=r"decision-factors/(?P<item>\d+)")
    def decision_factor(
        self, request: AuthenticatedRequest, pk: str | None = None, item: str = ""
    ) -> Response:
        """Who sets a factor, how we stand, and the strategy to shape it with its actions."""
        opportunity = self.get_object()
        factor = get_object_or_404(DecisionFactor, pk=item, opportunity=opportunity)
        body = DecisionFactorSerializer(factor, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = {k: v for k, v in body.validated_data.items() if k in services.FACTOR_FIELDS}
        services.update_decision_factor(factor, by=request.user, via=Interface.API, **data)
        return Response(DecisionFactorSerializer(factor).data)

    @extend_schema(request=ObjectionResponseSerializer, responses=ObjectionSerializer)
    @action(detail=True, methods=["patch"], url_path=r"objections/(?P<item>\d+)")
    def objection(
        self, request: AuthenticatedRequest, pk: str | None = None, item: str = ""
    ) -> Response:
        """Record our response to an objection, or mark it resolved."""
        opportunity = self.get_object()
        objection = get_object_or_404(Objection, pk=item, opportunity=opportunity)
        body = ObjectionResponseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.update_objection(
            objection,
            by=request.user,
            response=body.validated_data.get("response"),
            resolved=body.validated_data.get("resolved"),
            via=Interface.API,
        )
        return Response(ObjectionSerializer(objection).data)

    @extend_schema(request=CompetitorSerializer, responses=CompetitorSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def competitors(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._children(
            request,
            CompetitorSerializer,
            lambda o: o.competitors.all(),
            lambda o, data: services.add_competitor(o, by=request.user, via=Interface.API, **data),
        )

    @extend_schema(request=DecisionFactorSerializer, responses=DecisionFactorSerializer(many=True))
    @action(detail=True, methods=["get", "post"], url_path="decision-factors")
    def decision_factors(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """The customer's decision factors and how we stand on each (§3.4)."""
        return self._children(
            request,
            DecisionFactorSerializer,
            lambda o: o.decision_factors.all(),
            lambda o, data: services.add_decision_factor(
                o, by=request.user, via=Interface.API, **data
            ),
        )


class StageSerializer(ModelSerializer):
    class Meta:
        model = Stage
        fields = [
            "id",
            "key",
            "order",
            "name_zh",
            "name_en",
            "win_rate",
            "our_step_zh",
            "our_step_en",
            "exit_criteria_zh",
            "exit_criteria_en",
            "requires_credit_check",
        ]
        read_only_fields = ["id", "key", "order"]


class StageModelSerializer(ModelSerializer):
    stages = StageSerializer(many=True, read_only=True)

    class Meta:
        model = StageModel
        fields = ["id", "key", "name_zh", "name_en", "is_default", "stages"]


class StageModelViewSet(viewsets.ReadOnlyModelViewSet):
    """The funnels and their stages (configuration; edited in the settings page)."""

    serializer_class = StageModelSerializer

    def get_queryset(self) -> QuerySet[StageModel]:
        return StageModel.objects.prefetch_related("stages").order_by("-is_default", "pk")


class StageViewSet(viewsets.GenericViewSet):
    """One stage's names, rate, exit criteria and credit-check flag; administrators change them."""

    serializer_class = StageSerializer
    queryset = Stage.objects.order_by("model", "order")

    @extend_schema(request=StageSerializer, responses={200: StageSerializer})
    def partial_update(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        if not request_user(request).is_kam_admin:
            raise PermissionDenied
        stage = self.get_object()
        payload = StageSerializer(stage, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        services.update_stage(
            stage, by=request_user(request), via=Interface.API, **payload.validated_data
        )
        return Response(StageSerializer(stage).data)


ROUTES = [
    ("opportunities", OpportunityViewSet, "opportunity"),
    ("stage-models", StageModelViewSet, "stage-model"),
    ("stages", StageViewSet, "stage"),
]
