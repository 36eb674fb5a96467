"""The inbox in the API: a person reads their own notifications and marks
them read; anyone else's answer 404, like the UI."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from kam.core.rest.serializers import ModelSerializer
from kam.notifications import selectors, services
from kam.notifications.models import Notification


class NotificationSerializer(ModelSerializer):
    """A notification said in its reader's language: the one the client asks for
    (Accept-Language), else the person's own, never the one of the moment it was made."""

    title = serializers.CharField(read_only=True)
    body = serializers.CharField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "event", "title", "body", "url", "account", "created_at", "read_at"]
        read_only_fields = fields

    def to_representation(self, instance: Notification) -> dict[str, Any]:
        request = self.context.get("request")
        language = translation.get_language()
        if request is not None and "HTTP_ACCEPT_LANGUAGE" not in request.META:
            language = getattr(request.user, "language", "") or language
        with translation.override(language):
            return super().to_representation(instance)


class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The signed-in person's inbox, newest first; ``?unread=1`` keeps the unread ones."""

    serializer_class = NotificationSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        items = selectors.inbox(self.request.user)  # type: ignore[arg-type]
        if self.request.query_params.get("unread") in ("1", "true"):
            items = items.filter(read_at__isnull=True)
        return items.order_by("-created_at", "-pk")

    @extend_schema(
        parameters=[
            OpenApiParameter("unread", str, description="1 to list only unread notifications")
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        """Mark one notification read."""
        item = services.mark_read(self.get_object(), by=request.user)  # type: ignore[arg-type]
        return Response(NotificationSerializer(item).data)

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "NotificationsMarkedRead", {"marked": serializers.IntegerField()}
            )
        },
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        """Mark every unread notification read; answers how many were marked."""
        return Response({"marked": services.mark_all_read(by=request.user)})  # type: ignore[arg-type]


ROUTES = [("notifications", NotificationViewSet, "notification")]
