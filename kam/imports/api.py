"""Imports in the API: upload a file, read its dry-run report, commit it.

``POST /api/v1/imports/`` (multipart: ``kind``, ``file``) queues the dry run and
answers the batch; ``GET /api/v1/imports/{id}/`` shows its status, counts and
row-by-row report; ``POST /api/v1/imports/{id}/commit/`` imports a checked file
without errors, all or nothing. Permissions are those of the pages: one's own
uploads only, and every row obeys the services' rules for the caller.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from kam.core.http import AuthenticatedRequest, request_user
from kam.core.models import Interface
from kam.imports import selectors, services
from kam.imports.models import ImportBatch, Kind
from kam.imports.reading import FileRefused, check_upload


class ReportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField(allow_blank=True)
    message = serializers.CharField()


class ReportRowSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    action = serializers.ChoiceField(choices=["create", "update", "unchanged"])
    label = serializers.CharField(allow_blank=True)  # type: ignore[assignment]
    changes = serializers.CharField(allow_blank=True, default="")


# "errors" would shadow Serializer.errors on a class of its own; the schema builds it.
ReportSerializer = inline_serializer(
    name="ImportReport",
    fields={
        "errors": ReportErrorSerializer(many=True),
        "rows": ReportRowSerializer(many=True),
    },
)


class ImportBatchSerializer(serializers.ModelSerializer):
    message = serializers.SerializerMethodField()
    report = serializers.SerializerMethodField()

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "kind",
            "status",
            "file_name",
            "size",
            "created_by",
            "created_at",
            "committed_at",
            "total_rows",
            "processed_rows",
            "created_count",
            "updated_count",
            "unchanged_count",
            "error_count",
            "message",
            "report",
        ]
        read_only_fields = fields

    def get_message(self, batch: ImportBatch) -> str:
        """Why the file was refused or the import failed, in the caller's language."""
        return selectors.report_message(batch)

    @extend_schema_field(ReportSerializer)
    def get_report(self, batch: ImportBatch) -> dict[str, Any]:
        return {"errors": selectors.report_errors(batch), "rows": selectors.report_rows(batch)}


class UploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    file = serializers.FileField(help_text="An .xlsx file, laid out as the kind's template.")


class ImportBatchViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ImportBatchSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[ImportBatch]:
        return selectors.visible_batches(request_user(self.request))

    @extend_schema(request=UploadSerializer, responses={201: ImportBatchSerializer})
    def create(self, request: AuthenticatedRequest) -> Response:
        upload = UploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        try:
            check_upload(file.name or "", file.size or 0, file.read(8))
            file.seek(0)
            batch = services.start_import(
                kind=upload.validated_data["kind"],
                file_name=file.name or "",
                content=file.read(),
                by=request.user,
                via=Interface.API,
                language=getattr(request, "LANGUAGE_CODE", None),
            )
        except FileRefused as error:
            raise ValidationError({"file": str(error)}) from None
        return Response(ImportBatchSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={202: ImportBatchSerializer})
    @action(detail=True, methods=["post"])
    def commit(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        batch = self.get_object()
        user = request.user
        if not services.may_see(user, batch):
            raise PermissionDenied
        services.request_commit(batch, by=user, via=Interface.API)
        return Response(ImportBatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)


ROUTES = [("imports", ImportBatchViewSet, "import")]
