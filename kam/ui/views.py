"""The pieces that make KAM installable: the manifest, the service worker, the offline page."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.views.decorators.http import require_GET

from kam.ui import installable


def _language(request: HttpRequest) -> str:
    """The language the page asked for in its link (a manifest is fetched without cookies)."""
    asked = request.GET.get("language", "")
    return asked if asked in dict(settings.LANGUAGES) else translation.get_language()


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    with translation.override(_language(request)):
        body = installable.manifest()
    return JsonResponse(
        body, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The worker's script, served from the site root so that it may control every page."""
    config = {
        "release": installable.release(),
        "precache": installable.precache_urls(),
        "offlinePages": installable.offline_page_urls(),
        "defaultLanguage": settings.LANGUAGE_CODE,
        "staticUrl": settings.STATIC_URL,
    }
    body = render_to_string("ui/service-worker.js", {"config": json.dumps(config)})
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    # The browser must see a new release at once, never a cached worker.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What a phone shows when a page cannot load; the worker keeps it in each language."""
    language = _language(request)
    with translation.override(language):
        return render(request, "ui/offline.html", {"language": language})
