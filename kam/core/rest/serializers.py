"""The base of KAM's model serializers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, QuerySet
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


def offer(field: serializers.Field, queryset: QuerySet[Any]) -> None:
    """Let a related field (one or many) accept only the records of ``queryset``.

    Related fields are declared with no records; each request narrows them to what its
    user may see, so an id outside answers "does not exist" like one that is not there.
    """
    if isinstance(field, serializers.ManyRelatedField):
        field = field.child_relation
    assert isinstance(field, serializers.RelatedField)
    related: Any = field  # the stubs declare ``queryset`` as a manager, not as assignable
    related.queryset = queryset
