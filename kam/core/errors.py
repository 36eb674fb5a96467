"""Error pages that never show a traceback and never need the database."""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from kam.core.params import ParameterOutOfRange


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def server_error(request: HttpRequest) -> HttpResponse:
    """500 handler; a database outage becomes a 503 that clears when it returns."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DatabaseError):
        message = _(
            "The database is not reachable right now. KAM will work again as soon "
            "as it is back; please try again in a moment."
        )
        if _wants_json(request):
            response: HttpResponse = JsonResponse(
                {"error": {"code": "service_unavailable", "message": message}}, status=503
            )
        else:
            response = HttpResponse(
                render_to_string("ui/error.html", {"status": 503, "message": message}),
                status=503,
            )
        response.headers["Retry-After"] = "30"
        return response
    message = _("Something went wrong on our side. The error has been logged.")
    if _wants_json(request):
        return JsonResponse({"error": {"code": "server_error", "message": message}}, status=500)
    return HttpResponse(
        render_to_string("ui/error.html", {"status": 500, "message": message}), status=500
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = _("There is nothing here, or you may not see it.")
    if _wants_json(request):
        return JsonResponse({"error": {"code": "not_found", "message": message}}, status=404)
    return HttpResponse(
        render_to_string("ui/error.html", {"status": 404, "message": message}), status=404
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = _("You may not do this.")
    if _wants_json(request):
        return JsonResponse(
            {"error": {"code": "permission_denied", "message": message}}, status=403
        )
    return HttpResponse(
        render_to_string("ui/error.html", {"status": 403, "message": message}), status=403
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400 handler; a parameter out of range says which one and what is accepted."""
    if isinstance(exception, ParameterOutOfRange):
        message = exception.message
        details = {exception.name: [message]}
    elif isinstance(exception, RequestDataTooBig):
        message = _("The request is larger than %(size)s MB.") % {
            "size": round(settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024, 1)
        }
        details = {}
    else:
        message = _("The request could not be understood.")
        details = {}
    if _wants_json(request):
        return JsonResponse(
            {"error": {"code": "bad_request", "message": message, "details": details}},
            status=400,
        )
    return HttpResponse(
        render_to_string("ui/error.html", {"status": 400, "message": message}), status=400
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    message = _("Your form expired or came from elsewhere. Reload the page and try again.")
    return HttpResponse(
        render_to_string("ui/error.html", {"status": 403, "message": message}), status=403
    )
