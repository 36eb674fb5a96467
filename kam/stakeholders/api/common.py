"""What every part of the decision chain's API shares: the interface, the version rule,
query parameters and the choices a related field offers."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.request import Request

from kam.core.models import Interface
from kam.core.params import parse_int

API = Interface.API
VERSION_REQUIRED = _("Send the version you loaded, so a colleague's change is not overwritten.")


def int_param(request: Request, name: str) -> int | None:
    """The whole number in query parameter ``name``; absent: None; anything else: 400."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    value = parse_int(raw, name)
    if value is None:
        raise serializers.ValidationError({name: [_("A whole number is required.")]})
    return value


def offer(field: serializers.Field, queryset: QuerySet[Any]) -> None:
    """Let a related field (one or many) accept only the records of ``queryset``.

    The fields are declared with no choices; each request narrows them to what its user
    may see, so an id outside answers "does not exist" like one that is not there.
    """
    if isinstance(field, serializers.ManyRelatedField):
        field = field.child_relation
    assert isinstance(field, serializers.RelatedField)
    related: Any = field  # the stubs declare ``queryset`` as a manager, not as assignable
    related.queryset = queryset
