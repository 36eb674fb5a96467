"""Request-wide behaviour: the user's language, the security headers, session expiry."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import translation

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # ECharts and htmx set element styles; no inline *scripts* are allowed.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        # The service worker (/sw.js) and the web app manifest, both from KAM itself.
        "worker-src 'self'",
        "manifest-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


class UserLanguageMiddleware:
    """Activate the language a signed-in user chose, on every device they use."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None else ""
        if user is not None and user.is_authenticated and language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        elif settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and not request.path.startswith(
            "/api/"
        ):
            # The company's language (KAM_LANGUAGE), not the browser's Accept-Language: a
            # Chinese team on English-language laptops still signs in to a Chinese KAM, until
            # someone picks a language with the switcher (which sets the cookie). API clients
            # keep asking for theirs with Accept-Language.
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        response = self.get_response(request)
        if language:
            response.headers.setdefault("Content-Language", language)
        return response


SIGNED_IN_AT = "kam_signed_in_at"
LAST_SEEN_AT = "kam_last_seen_at"
# How stale the "last seen" mark may get before a request refreshes it: one session
# write a minute at most, not one per request.
TOUCH_EVERY_SECONDS = 60


def mark_sign_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: the session remembers when it started."""
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


class SessionExpiryMiddleware:
    """Sign a browser out after ``KAM_SESSION_IDLE_MINUTES`` without a request, and in
    any case ``SESSION_COOKIE_AGE`` after signing in (API tokens are not sessions)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.get("_auth_user_id"):
            now = int(time.time())
            signed_in = int(session.get(SIGNED_IN_AT, now))
            seen = int(session.get(LAST_SEEN_AT, now))
            idle = now - seen > settings.KAM_SESSION_IDLE_MINUTES * 60
            if idle or now - signed_in > settings.SESSION_COOKIE_AGE:
                logout(request)
            elif SIGNED_IN_AT not in session or now - seen >= TOUCH_EVERY_SECONDS:
                session[SIGNED_IN_AT] = signed_in
                session[LAST_SEEN_AT] = now
        return self.get_response(request)
