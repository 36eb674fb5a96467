"""The base of KAM's model serializers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from rest_framework import serializers


class ModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose read-only choice fields admit the empty value.

    DRF drops ``allow_blank`` from fields it makes read-only, so a computed choice that
    is still empty ("no outcome yet", "not placed on the matrix") would be documented
    as never empty and the answer would break the published schema.
    """

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        model: type[Model] = self.Meta.model
        meta = model._meta
        for name, field in fields.items():
            if not (isinstance(field, serializers.ChoiceField) and field.read_only):
                continue
            try:
                model_field = meta.get_field(field.source or name)
            except FieldDoesNotExist:
                continue
            if getattr(model_field, "blank", False):
                field.allow_blank = True
        return fields


def offer_only(serializer: serializers.BaseSerializer[Any], name: str, queryset: Any) -> None:
    """Let a related field accept only ``queryset`` (the records the caller may see).

    Set once the request is known; a record outside it answers "does not exist", as an
    invisible record should.
    """
    field: Any = serializer.fields[name]  # type: ignore[attr-defined]
    field.queryset = queryset
