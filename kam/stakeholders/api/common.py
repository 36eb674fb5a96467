"""What every part of the decision chain's API shares: the interface, the version rule and
its query parameters."""

from __future__ import annotations

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
