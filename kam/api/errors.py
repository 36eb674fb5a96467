"""One error format for the API: ``{"error": {"code", "message", "details"}}``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kam.core.concurrency import ConflictError
from kam.core.params import ParameterOutOfRange


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn every failure into the same JSON shape, translated."""
    if isinstance(exc, ConflictError):
        return Response(
            {
                "error": {
                    "code": "conflict",
                    "message": str(exc),
                    "details": {
                        "current": {
                            k: str(v) if v is not None else None for k, v in exc.current.items()
                        }
                    },
                }
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, ParameterOutOfRange):
        exc = exceptions.ValidationError({exc.name: [exc.message]})
    elif isinstance(exc, DjangoValidationError):
        details = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(details)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = {
            "code": "invalid",
            "message": _("The request has invalid fields."),
            "details": response.data,
        }
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        body = {"code": code, "message": str(detail) or str(exc), "details": {}}
    response.data = {"error": body}
    return response
