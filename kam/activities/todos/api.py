"""Tasks in the API (/api/v1/tasks/): the same visibility as the pages, writes through the
services, a stale ``version`` answers 409."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kam.accounts.models import Account
from kam.accounts.visibility import scope_to_visible_accounts, visible_accounts
from kam.activities.models import Task, TaskSource
from kam.activities.todos import links, selectors, services
from kam.core.http import AuthenticatedRequest, request_user
from kam.core.models import Interface, User
from kam.core.rest.serializers import ModelSerializer, offer
from kam.pipeline.models import Opportunity
from kam.pipeline.selectors import visible_opportunities
from kam.stakeholders.models import Contact


class LinkedSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="contract or invoice")
    id = serializers.IntegerField()
    name = serializers.CharField()


class TaskSerializer(ModelSerializer):
    linked = serializers.SerializerMethodField(help_text="the contract or invoice it is about")
    done = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "notes",
            "due_on",
            "owner",
            "created_by",
            "source",
            "account",
            "person",
            "opportunity",
            "linked",
            "done",
            "done_at",
            "done_by",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(LinkedSerializer(allow_null=True))
    def get_linked(self, task: Task) -> dict[str, Any] | None:
        described = task.linked_record
        if described is None:
            return None
        return {"kind": described.kind, "id": task.linked_id, "name": described.name}

    def get_done(self, task: Task) -> bool:
        return task.done_at is not None


class TaskWriteSerializer(serializers.Serializer):
    """What a new task (POST) or a change (PATCH, with ``version``) carries. What a task is
    about (account, person, opportunity, contract or invoice) is set when it is created."""

    title = serializers.CharField(max_length=200)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    due_on = serializers.DateField(required=False, allow_null=True)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(), required=False, help_text="default: you"
    )
    account = serializers.PrimaryKeyRelatedField(
        queryset=Account.objects.none(), required=False, allow_null=True
    )
    person = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.none(), required=False, allow_null=True
    )
    opportunity = serializers.PrimaryKeyRelatedField(
        queryset=Opportunity.objects.none(), required=False, allow_null=True
    )
    contract = serializers.IntegerField(required=False, allow_null=True)
    invoice = serializers.IntegerField(required=False, allow_null=True)
    version = serializers.IntegerField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Declared here: a class attribute named ``source`` would hide DRF's own.
        self.fields["source"] = serializers.ChoiceField(
            choices=TaskSource.choices, default=TaskSource.MANUAL
        )
        request = self.context.get("request")
        if request is None:  # the schema generator describes the fields only
            return
        user = request_user(request)
        offer(self.fields["owner"], selectors.task_owners(user))
        offer(self.fields["account"], visible_accounts(user))
        offer(self.fields["person"], scope_to_visible_accounts(Contact.objects.all(), user))
        offer(self.fields["opportunity"], visible_opportunities(user))
        self.user = user

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for key, kind in links.kinds().items():
            pk = attrs.pop(key, None)
            if pk is None:
                continue
            record = scope_to_visible_accounts(kind.model._default_manager.all(), self.user).filter(
                pk=pk
            )
            found = record.first()
            if found is None:
                raise serializers.ValidationError({key: [_("No such record that you see.")]})
            attrs["linked"] = found
        return attrs


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False)


FILTERS = [
    OpenApiParameter("owner", OpenApiTypes.INT, description="tasks of this colleague"),
    OpenApiParameter("account", OpenApiTypes.INT),
    OpenApiParameter("opportunity", OpenApiTypes.INT),
    OpenApiParameter("person", OpenApiTypes.INT),
    OpenApiParameter("contract", OpenApiTypes.INT),
    OpenApiParameter("invoice", OpenApiTypes.INT),
    OpenApiParameter("done", OpenApiTypes.BOOL, description="true: done; false: still open"),
    OpenApiParameter(
        "due",
        OpenApiTypes.STR,
        enum=list(selectors.WHEN),
        description="open, overdue (open, due before today), today, upcoming, done",
    ),
    OpenApiParameter("due_from", OpenApiTypes.DATE),
    OpenApiParameter("due_to", OpenApiTypes.DATE),
    OpenApiParameter("q", OpenApiTypes.STR, description="words of the title"),
]


@extend_schema_view(list=extend_schema(parameters=FILTERS))
class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Tasks (待办) the caller sees: their own and their colleagues', about accounts they see."""

    serializer_class = TaskSerializer

    def get_queryset(self) -> QuerySet[Task]:
        params = self.request.query_params
        user = request_user(self.request)
        tasks = selectors.filtered_tasks(
            user, selectors.TaskFilters.from_params(params), today=timezone.localdate()
        )
        for key, kind in links.kinds().items():
            pk = params.get(key)
            if pk and str(pk).isdigit():
                tasks = tasks.filter(
                    linked_type=ContentType.objects.get_for_model(kind.model), linked_id=int(pk)
                )
        return selectors.with_related(tasks).order_by("due_on", "pk")

    def _answer(self, task: Task, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.visible_task(request_user(self.request), task.pk)
        return Response(TaskSerializer(fresh).data, status=code)

    @extend_schema(request=TaskWriteSerializer, responses={201: TaskSerializer})
    def create(self, request: AuthenticatedRequest) -> Response:
        """Give a task to yourself or a colleague whose work you see."""
        payload = TaskWriteSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data.pop("version", None)
        task = services.create_task(
            by=request.user, via=Interface.API, owner=data.pop("owner", request.user), **data
        )
        return self._answer(task, status.HTTP_201_CREATED)

    @extend_schema(request=TaskWriteSerializer, responses={200: TaskSerializer})
    def partial_update(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Change the title, notes, due date or owner; send the ``version`` you read."""
        task = self.get_object()
        payload = TaskWriteSerializer(data=request.data, partial=True, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        moved = [name for name in ("account", "person", "opportunity", "linked") if name in data]
        if moved:
            raise serializers.ValidationError(
                {moved[0]: [_("What a task is about cannot change: create another.")]}
            )
        services.update_task(
            task,
            by=request.user,
            via=Interface.API,
            expected_version=data.get("version"),
            **{name: data[name] for name in services.EDITABLE if name in data},
        )
        return self._answer(task)

    @extend_schema(request=VersionSerializer, responses={200: TaskSerializer})
    @action(detail=True, methods=["post"])
    def done(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Tick the task off (who and when are kept)."""
        task = self.get_object()
        payload = VersionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.mark_done(
            task,
            by=request.user,
            via=Interface.API,
            expected_version=payload.validated_data.get("version"),
        )
        return self._answer(task)

    @extend_schema(request=VersionSerializer, responses={200: TaskSerializer})
    @action(detail=True, methods=["post"])
    def undone(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Put a done task back on the list."""
        task = self.get_object()
        payload = VersionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.mark_undone(
            task,
            by=request.user,
            via=Interface.API,
            expected_version=payload.validated_data.get("version"),
        )
        return self._answer(task)
