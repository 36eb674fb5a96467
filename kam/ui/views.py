"""The pieces of the shell: what makes KAM installable (the manifest, the service worker, the
offline page) and the help pages of the method."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.views.decorators.http import require_GET

from kam.ui import help, installable


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


@login_required
@require_GET
def help_index(request: HttpRequest) -> HttpResponse:
    """The method in one page: every concept KAM uses, by area."""
    return render(request, "help/index.html", {"groups": help.grouped()})


@login_required
@require_GET
def help_topic(request: HttpRequest, topic: str) -> HttpResponse:
    """One concept: what it is, how KAM computes it, where it appears."""
    try:
        shown = help.topic(topic)
    except help.UnknownTopic:
        raise Http404 from None
    related = [help.topic(key) for key in shown.related]
    group = next(g for g in help.GROUPS if g.key == shown.group)
    return render(request, "help/topic.html", {"topic": shown, "group": group, "related": related})
