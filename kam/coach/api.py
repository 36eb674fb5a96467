"""Call preparation and the objection playbook in the API: the same visibility, the same
services, the same pre-filled plan and the same refusals as the pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from kam.activities.models import Activity
from kam.coach import guidance, selectors, services
from kam.coach.calculations import Refusal, check_call_objective
from kam.coach.models import CallPlan, ObjectionResponse, ObjectiveMet, PlaybookEntry
from kam.core.http import request_user
from kam.core.models import Interface
from kam.core.rest.serializers import ModelSerializer
from kam.pipeline.models import Objection, ObjectionKind


class CallPlanSerializer(ModelSerializer):
    class Meta:
        model = CallPlan
        fields = ["id", "activity", *services.PLAN_FIELDS]
        fields += ["objective_met", "objective_met_at", "version", "created_at", "updated_at"]
        read_only_fields = fields


class CallPlanInputSerializer(serializers.Serializer):
    """What the rep writes; the objective is judged strictly by the service."""

    objective = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    fallback_objective = serializers.CharField(required=False, allow_blank=True)
    situation_questions = serializers.CharField(required=False, allow_blank=True)
    problem_questions = serializers.CharField(required=False, allow_blank=True)
    implication_questions = serializers.CharField(required=False, allow_blank=True)
    need_payoff_questions = serializers.CharField(required=False, allow_blank=True)
    fab = serializers.CharField(required=False, allow_blank=True)
    power_statement = serializers.CharField(required=False, allow_blank=True)
    opener_fact = serializers.CharField(required=False, allow_blank=True)
    opener_assessment = serializers.CharField(required=False, allow_blank=True)
    opener_question = serializers.CharField(required=False, allow_blank=True)
    trust_plan = serializers.CharField(required=False, allow_blank=True)
    coach_plan = serializers.CharField(required=False, allow_blank=True)
    expected_objections = serializers.ListField(
        child=serializers.ChoiceField(choices=ObjectionKind.choices), required=False
    )
    version = serializers.IntegerField(required=False)


class VerdictSerializer(serializers.Serializer):
    accepted = serializers.BooleanField()
    refusal = serializers.ChoiceField(
        choices=[(r.value, r.value) for r in Refusal], allow_null=True
    )
    reason = serializers.CharField()


class RoleGuideSerializer(serializers.Serializer):
    role = serializers.CharField()
    role_label = serializers.CharField(source="label")
    does = serializers.CharField()
    work_concern = serializers.CharField()
    personal_concern = serializers.CharField()
    questions = serializers.ListField(child=serializers.CharField())


class StyleGuideSerializer(serializers.Serializer):
    quadrant = serializers.CharField(source="style")
    recognise = serializers.CharField()
    checklist = serializers.ListField(child=serializers.CharField())


class PersonSerializer(serializers.Serializer):
    """A person to meet, from the decision chain; never their personal information."""

    name = serializers.CharField()
    title = serializers.CharField()
    in_circle = serializers.BooleanField()
    roles = serializers.ListField(child=serializers.CharField())
    concerns = RoleGuideSerializer(many=True, source="role_guides")
    style_label = serializers.CharField(source="style")
    style_advice = StyleGuideSerializer(source="style_guide", allow_null=True)
    support = serializers.CharField()
    relationship = serializers.CharField()
    innovation = serializers.CharField()
    influence = serializers.CharField()
    business_result = serializers.CharField()
    personal_win = serializers.CharField()


class FactorSerializer(serializers.Serializer):
    """A decision factor of the deal, who sets it and our strategy to shape it (§3.4)."""

    name = serializers.CharField()
    priority = serializers.CharField()
    standing = serializers.CharField()
    set_by = serializers.CharField()
    strategy = serializers.CharField()
    strategy_label = serializers.CharField()
    strategy_guide = serializers.CharField()
    actions = serializers.CharField()
    decisive = serializers.BooleanField()
    needs_strategy = serializers.BooleanField()


class PlaybookEntrySerializer(ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    surface = serializers.CharField(read_only=True)
    root_cause = serializers.CharField(read_only=True)
    response = serializers.CharField(read_only=True)

    class Meta:
        model = PlaybookEntry
        fields = [
            "id",
            "kind",
            "kind_label",
            "surface",
            "root_cause",
            "response",
            *services.PLAYBOOK_FIELDS,
            "version",
            "updated_at",
        ]
        read_only_fields = fields


class PlaybookEntryInputSerializer(serializers.Serializer):
    surface_zh = serializers.CharField(required=False)
    surface_en = serializers.CharField(required=False)
    root_cause_zh = serializers.CharField(required=False)
    root_cause_en = serializers.CharField(required=False)
    response_zh = serializers.CharField(required=False)
    response_en = serializers.CharField(required=False)
    version = serializers.IntegerField(required=False)


class ObjectionAnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    said = serializers.CharField()
    playbook = PlaybookEntrySerializer(allow_null=True)


class PreparationSerializer(serializers.Serializer):
    """The call plan with what KAM knows: pre-filled values, people, objections, advice."""

    activity = serializers.IntegerField()
    plan = CallPlanSerializer(allow_null=True)
    prefill = serializers.DictField()
    objective_check = VerdictSerializer()
    people = PersonSerializer(many=True)
    has_coach = serializers.BooleanField()
    win_a_coach = serializers.ListField(child=serializers.CharField())
    coach_candidates = serializers.ListField(child=serializers.CharField())
    build_trust = serializers.ListField(child=serializers.CharField())
    before_the_call = serializers.ListField(child=serializers.CharField())
    question_check = serializers.ListField(child=serializers.CharField())
    open_objections = ObjectionAnswerSerializer(many=True)
    expected_objections = PlaybookEntrySerializer(many=True)
    stated_needs = serializers.ListField(child=serializers.CharField())
    decision_factors = FactorSerializer(many=True)
    factors_without_strategy = serializers.ListField(child=serializers.CharField())


class ObjectiveMetSerializer(serializers.Serializer):
    objective_met = serializers.ChoiceField(choices=ObjectiveMet.choices)
    version = serializers.IntegerField(required=False)


class ObjectiveCheckSerializer(serializers.Serializer):
    objective = serializers.CharField(allow_blank=True, trim_whitespace=False)


class ObjectionResponseSerializer(ModelSerializer):
    class Meta:
        model = ObjectionResponse
        fields = ["id", "objection", "entry", "activity", "response", "used_by", "used_at"]
        read_only_fields = fields


class ObjectionResponseInputSerializer(serializers.Serializer):
    objection = serializers.PrimaryKeyRelatedField(queryset=Objection.objects.none())
    entry = serializers.PrimaryKeyRelatedField(
        queryset=PlaybookEntry.objects.all(), required=False, allow_null=True
    )
    activity = serializers.PrimaryKeyRelatedField(
        queryset=Activity.objects.none(), required=False, allow_null=True
    )
    response = serializers.CharField(required=False, allow_blank=True, default="")
    resolved = serializers.BooleanField(required=False, allow_null=True, default=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None:  # the schema generator describes the fields only
            return
        user = request.user
        self.fields["objection"].queryset = selectors.visible_objections(user)  # type: ignore[attr-defined]
        self.fields["activity"].queryset = selectors.visible_activities(user)  # type: ignore[attr-defined]


def _verdict(text: str) -> dict[str, Any]:
    verdict = check_call_objective(text)
    return {
        "accepted": verdict.accepted,
        "refusal": verdict.refusal.value if verdict.refusal else None,
        "reason": verdict.reason,
    }


def preparation_data(prep: selectors.Preparation) -> dict[str, Any]:
    plan = prep.plan
    return {
        "activity": prep.activity.pk,
        "plan": plan,
        "prefill": {k: v for k, v in prep.initial.items() if k != "expected"},
        "objective_check": _verdict(plan.objective if plan else prep.activity.objective),
        "people": prep.people,
        "has_coach": prep.has_coach,
        "win_a_coach": [] if prep.has_coach else [str(t) for t in guidance.WIN_A_COACH],
        "coach_candidates": prep.coach_candidates,
        "build_trust": [str(t) for t in guidance.BUILD_TRUST],
        "before_the_call": [str(t) for t in guidance.BEFORE_THE_CALL],
        "question_check": [str(t) for t in guidance.QUESTION_CHECK],
        "open_objections": [
            {
                "id": o.pk,
                "kind": o.kind,
                "kind_label": o.get_kind_display(),
                "said": o.said,
                "playbook": entry,
            }
            for o, entry in prep.objections_with_answers
        ],
        "expected_objections": prep.expected,
        "stated_needs": prep.stated_needs,
        "decision_factors": prep.factors,
        "factors_without_strategy": [f.name for f in prep.factors_without_strategy],
    }


class CallPlanViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Call plans by activity id: ``GET coach/call-plans/{activity}/`` answers the plan
    with what KAM pre-fills and advises; ``PUT`` saves it (a weak objective answers 400
    with the reason); ``objective-met`` records, after the call, which objective was met."""

    serializer_class = CallPlanSerializer
    lookup_url_kwarg = "activity"
    lookup_value_regex = r"\d+"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.visible_plans(request_user(self.request)).order_by("-pk")

    def _activity(self) -> Activity:
        try:
            pk = int(self.kwargs["activity"])
        except (TypeError, ValueError):
            raise Http404 from None
        return selectors.visible_activity(request_user(self.request), pk)

    def _answer(self, activity: Activity, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.visible_activity(request_user(self.request), activity.pk)
        prep = selectors.call_preparation(fresh)
        return Response(PreparationSerializer(preparation_data(prep)).data, status=code)

    @extend_schema(responses={200: PreparationSerializer})
    def retrieve(self, request: Request, activity: str | None = None) -> Response:
        return self._answer(self._activity())

    @extend_schema(request=CallPlanInputSerializer, responses={200: PreparationSerializer})
    def update(self, request: Request, activity: str | None = None) -> Response:
        """Save the plan; send the ``version`` you read when it exists (stale: 409)."""
        found = self._activity()
        payload = CallPlanInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = data.pop("version", None)
        plan = selectors.plan_of(found)
        if plan is None:
            data = {**selectors.call_preparation(found).initial, **data}
            data.pop("expected", None)
        services.save_call_plan(
            found,
            by=request_user(request),
            via=Interface.API,
            expected_version=version if plan is not None else None,
            **data,
        )
        return self._answer(found)

    @extend_schema(request=ObjectiveMetSerializer, responses={200: PreparationSerializer})
    @action(detail=True, methods=["post"], url_path="objective-met")
    def objective_met(self, request: Request, activity: str | None = None) -> Response:
        found = self._activity()
        plan = selectors.plan_of(found)
        if plan is None:
            raise Http404
        payload = ObjectiveMetSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.record_objective_met(
            plan,
            met=payload.validated_data["objective_met"],
            by=request_user(request),
            via=Interface.API,
            expected_version=payload.validated_data.get("version"),
        )
        return self._answer(found)


class PlaybookViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The objection playbook; everyone reads it, managers change it."""

    serializer_class = PlaybookEntrySerializer
    pagination_class = None

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return PlaybookEntry.objects.order_by("pk")

    @extend_schema(request=PlaybookEntryInputSerializer, responses={200: PlaybookEntrySerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        user = request_user(request)
        if not selectors.can_edit_playbook(user):
            raise PermissionDenied
        entry = self.get_object()
        payload = PlaybookEntryInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = data.pop("version", None)
        services.update_playbook_entry(
            entry, by=user, via=Interface.API, expected_version=version, **data
        )
        return Response(PlaybookEntrySerializer(entry).data)


class ObjectionResponseViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The answers given to objections, each with the playbook entry it came from."""

    serializer_class = ObjectionResponseSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.visible_responses(request_user(self.request)).order_by("-pk")

    @extend_schema(
        request=ObjectionResponseInputSerializer, responses={201: ObjectionResponseSerializer}
    )
    def create(self, request: Request) -> Response:
        payload = ObjectionResponseInputSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        used = services.log_response(
            data["objection"],
            by=request_user(request),
            via=Interface.API,
            entry=data.get("entry"),
            response=data.get("response", ""),
            activity=data.get("activity"),
            resolved=data.get("resolved"),
        )
        return Response(ObjectionResponseSerializer(used).data, status=status.HTTP_201_CREATED)


class ObjectiveCheckViewSet(viewsets.ViewSet):
    """Judge a call objective before saving it: accepted, or refused with the reason."""

    @extend_schema(request=ObjectiveCheckSerializer, responses={200: VerdictSerializer})
    def create(self, request: Request) -> Response:
        payload = ObjectiveCheckSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return Response(_verdict(payload.validated_data["objective"]))


ROUTES = [
    ("coach/call-plans", CallPlanViewSet, "call_plan"),
    ("coach/playbook", PlaybookViewSet, "playbook_entry"),
    ("coach/objection-responses", ObjectionResponseViewSet, "objection_response"),
    ("coach/objective-check", ObjectiveCheckViewSet, "objective_check"),
]
