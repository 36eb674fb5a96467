"""Login throttling: after repeated failures a user name is locked for a while.

Failures are rows in the database, so every app server sees the same count.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from kam.core.models import LoginFailure


def _window_start() -> datetime:
    return timezone.now() - timedelta(minutes=settings.KAM_LOGIN_LOCKOUT_MINUTES)


def is_locked_out(username: str) -> bool:
    """True when ``username`` failed too often within the lockout window."""
    recent = LoginFailure.objects.filter(
        username__iexact=username.strip(), at__gte=_window_start()
    ).count()
    return recent >= settings.KAM_LOGIN_MAX_FAILURES


def record_failure(username: str, ip_address: str | None) -> None:
    LoginFailure.objects.create(username=username.strip()[:150], ip_address=ip_address)


def clear_failures(username: str) -> None:
    LoginFailure.objects.filter(username__iexact=username.strip()).delete()
