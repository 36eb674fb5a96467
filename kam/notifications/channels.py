"""Sending one delivery: an email through Django's mail backend, or a POST to a group bot.

Every call has a timeout (``KAM_WEBHOOK_TIMEOUT``, ``KAM_EMAIL_TIMEOUT``), so a bot
that hangs costs one try, not a worker.
"""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kam.notifications.calculations import Message, webhook_answer_ok, webhook_request
from kam.notifications.models import Channel, Delivery

#: The most of a bot's answer that is read.
ANSWER_LIMIT = 64 * 1024


@dataclass(frozen=True)
class Result:
    ok: bool
    status_code: int | None = None
    error: str = ""
    duration_ms: int = 0


def absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.KAM_BASE_URL.rstrip("/") + url


def _language(delivery: Delivery) -> str:
    return delivery.notification.recipient.language or settings.LANGUAGE_CODE


def send(delivery: Delivery) -> Result:
    started = time.monotonic()
    with translation.override(_language(delivery)):
        if delivery.channel == Channel.EMAIL:
            result = _send_email(delivery)
        else:
            result = _send_webhook(delivery)
    elapsed = int((time.monotonic() - started) * 1000)
    return Result(result.ok, result.status_code, result.error[:500], elapsed)


def _send_email(delivery: Delivery) -> Result:
    notification = delivery.notification
    address = notification.recipient.email
    if not address:
        return Result(False, error=_("The person has no email address."))
    body = notification.body
    if notification.url:
        body += "\n\n" + _("Open in KAM: %(url)s") % {"url": absolute(notification.url)}
    message = EmailMessage(
        subject=f"[KAM] {notification.title}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
    )
    try:
        message.send(fail_silently=False)
    except (TimeoutError, OSError) as exc:  # smtplib errors are OSErrors
        return Result(False, error=f"{type(exc).__name__}: {exc}")
    return Result(True)


def _send_webhook(delivery: Delivery) -> Result:
    endpoint = delivery.endpoint
    if endpoint is None or not endpoint.active:
        return Result(False, error=_("The group bot was removed or switched off."))
    notification = delivery.notification
    request = webhook_request(
        endpoint.platform,
        endpoint.url,
        endpoint.secret,
        Message(notification.title, notification.body, absolute(notification.url)),
        timezone.now(),
        link_label=_("Open in KAM"),
    )
    if not request.url.startswith(("https://", "http://")):
        return Result(False, error=_("Enter the bot's webhook address (https://…)."))
    # The scheme is checked above: only http(s) addresses are ever opened.
    http = urllib.request.Request(  # noqa: S310
        request.url,
        data=request.data,
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(http, timeout=settings.KAM_WEBHOOK_TIMEOUT) as answer:  # noqa: S310
            status = answer.status
            body = answer.read(ANSWER_LIMIT)
    except urllib.error.HTTPError as exc:
        return Result(False, exc.code, f"HTTP {exc.code} {exc.reason}")
    except TimeoutError:
        return Result(
            False,
            error=_("No answer within %(seconds)s seconds.")
            % {"seconds": settings.KAM_WEBHOOK_TIMEOUT},
        )
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, (TimeoutError, socket.timeout)):
            return Result(
                False,
                error=_("No answer within %(seconds)s seconds.")
                % {"seconds": settings.KAM_WEBHOOK_TIMEOUT},
            )
        return Result(False, error=f"{type(exc).__name__}: {reason}")
    ok, error = webhook_answer_ok(endpoint.platform, body)
    return Result(ok, status, error)
