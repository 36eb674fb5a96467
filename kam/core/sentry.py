"""Error reporting to Sentry when ``KAM_SENTRY_DSN`` is set, without personal data.

The SDK is told to send no personal information, and every event passes ``scrub``
before it leaves: no user but the id, no cookies, no request body, no headers that
carry credentials, no email addresses in messages.
"""

from __future__ import annotations

import re
from typing import Any

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
SECRET_HEADERS = {"cookie", "authorization", "x-csrftoken", "proxy-authorization"}


def _redact(value: Any) -> Any:
    if isinstance(value, str):
        return EMAIL.sub("[email]", value)
    if isinstance(value, dict):
        return {k: _redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


def scrub(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Sentry's ``before_send``: the event with personal data taken out."""
    user = event.get("user")
    if user:
        event["user"] = {"id": user["id"]} if "id" in user else {}
    request = event.get("request")
    if request:
        request.pop("cookies", None)
        request.pop("data", None)
        request.pop("env", None)
        headers = request.get("headers") or {}
        request["headers"] = {k: v for k, v in headers.items() if k.lower() not in SECRET_HEADERS}
    return _redact(event)


def init(dsn: str, **options: Any) -> None:
    """Start reporting; called from the settings only when a DSN is configured."""
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        before_send=scrub,  # type: ignore[arg-type]
        **options,
    )
