"""Writes of notifications: the scan that records due events, delivery with retries,
the inbox, preferences, group bots and settings."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam.core import audit, changes
from kam.core.models import AuditEvent, Interface, Team, User
from kam.core.phrases import phrase
from kam.jobs.calculations import backoff_delay
from kam.notifications import calculations, channels
from kam.notifications.models import (
    Channel,
    Delivery,
    DeliveryAttempt,
    Event,
    Notification,
    NotificationSettings,
    Platform,
    Preference,
    WebhookEndpoint,
)
from kam.notifications.selectors import endpoints_for, preferences_of
from kam.notifications.sources import SOURCES, Moment, Occurrence

logger = logging.getLogger(__name__)

#: A delivery claimed this long ago without an answer is taken to have died with its worker.
STALE_CLAIM = timedelta(minutes=15)


def _require_admin(by: User) -> None:
    if not by.is_kam_admin:
        raise PermissionDenied(_("Only administrators configure notifications."))


# --- the scan ---------------------------------------------------------------------


@dataclass(frozen=True)
class ScanResult:
    notifications: int
    deliveries: int


def record_occurrence(user: User, occurrence: Occurrence, wanted: set[str]) -> Notification | None:
    """Record one event for one person with a delivery per wanted channel; None when it was
    already recorded (the database refuses a second row with the same key)."""
    sensitive = occurrence.sensitive_contact is not None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=user,
                event=occurrence.event,
                key=occurrence.key[:200],
                title_phrase=occurrence.title,
                body_phrase=occurrence.body,
                url=occurrence.url[:300],
                account_id=occurrence.account_id,
                in_inbox=Channel.INBOX in wanted,
            )
            if sensitive:
                # Telling someone a customer's birthday is reading personal information (§7).
                audit.record(
                    AuditEvent.Action.VIEW_SENSITIVE,
                    occurrence.sensitive_contact,  # type: ignore[arg-type]
                    by=user,
                    via=Interface.JOB,
                    changes={"notification": notification.pk},
                )
    except IntegrityError:
        return None
    if Channel.EMAIL in wanted and user.email:
        _add_delivery(notification, Channel.EMAIL, None, f"email:{user.pk}:{notification.key}")
    if Channel.WEBHOOK in wanted and not sensitive:
        for endpoint_id in endpoints_for(user):
            _add_delivery(
                notification,
                Channel.WEBHOOK,
                endpoint_id,
                f"webhook:{endpoint_id}:{notification.key}",
            )
    return notification


def _add_delivery(
    notification: Notification, channel: str, endpoint_id: int | None, dedup_key: str
) -> None:
    try:
        with transaction.atomic():
            Delivery.objects.create(
                notification=notification,
                channel=channel,
                endpoint_id=endpoint_id,
                dedup_key=dedup_key[:260],
                next_attempt_at=notification.created_at,
            )
    except IntegrityError:
        pass  # the group already heard of this event through a colleague


def scan(now: datetime | None = None, users: Iterable[User] | None = None) -> ScanResult:
    """Find every due event for every active person and record it once (``kam notify``)."""
    from kam.receivables.services import settle_due_promises

    now = now or timezone.now()
    today = timezone.localdate(now)
    settle_due_promises(today)
    moment = Moment(now=now, today=today, settings=NotificationSettings.current())
    people = (
        users if users is not None else User.objects.filter(is_active=True).select_related("team")
    )
    before = Notification.objects.count(), Delivery.objects.count()
    for user in people:
        preferences = preferences_of(user)
        for event, source in SOURCES.items():
            wanted = preferences[event]
            if not wanted:
                continue
            try:
                occurrences = source(user, moment)
            except Exception:  # one broken source must not silence the others
                logger.exception("notification source %s failed for user %s", event, user.pk)
                continue
            if not occurrences:
                continue
            known = set(
                Notification.objects.filter(
                    recipient=user, key__in=[o.key for o in occurrences]
                ).values_list("key", flat=True)
            )
            for occurrence in occurrences:
                if occurrence.key not in known:
                    record_occurrence(user, occurrence, wanted)
    after = Notification.objects.count(), Delivery.objects.count()
    return ScanResult(after[0] - before[0], after[1] - before[1])


# --- delivery -----------------------------------------------------------------------


def due_deliveries(now: datetime | None = None, *, retries: bool = True) -> list[int]:
    """Deliveries to try now: new ones, claims that died and, unless ``retries`` is False,
    retries whose wait is over. A queued delivery's retries are queued by the background
    jobs themselves (:mod:`kam.jobs.runner`), so queueing leaves them out."""
    now = now or timezone.now()
    waiting = (
        [Delivery.Status.PENDING, Delivery.Status.RETRYING]
        if retries
        else [Delivery.Status.PENDING]
    )
    return list(
        Delivery.objects.filter(
            Q(status__in=waiting, next_attempt_at__lte=now)
            | Q(status=Delivery.Status.PENDING, next_attempt_at__isnull=True)
            | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)
    )


def _claim(delivery_id: int, now: datetime) -> bool:
    """Take the delivery for this worker; False when another has it or it is done."""
    claimable = Q(status__in=[Delivery.Status.PENDING, Delivery.Status.RETRYING]) & (
        Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True)
    ) | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
    return bool(
        Delivery.objects.filter(claimable, pk=delivery_id).update(
            status=Delivery.Status.SENDING, claimed_at=now
        )
    )


def attempt_delivery(delivery_id: int, now: datetime | None = None) -> Delivery | None:
    """Try one delivery once: sent, or to be tried again after the background jobs'
    pause (:func:`kam.jobs.calculations.backoff_delay`), or given up after
    :data:`~kam.notifications.calculations.MAX_ATTEMPTS`; every try is kept. None when
    nothing was tried: the delivery is gone, done, not due yet or another worker has it."""
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = Delivery.objects.select_related(
        "notification", "notification__recipient", "endpoint"
    ).get(pk=delivery_id)
    try:
        result = channels.send(delivery)
    except Exception as exc:  # a bug or a bad setting counts as a failed try, never a lost one
        logger.exception("delivery %s failed unexpectedly", delivery_id)
        result = channels.Result(False, error=f"{type(exc).__name__}: {exc}")
    finished = timezone.now()
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery,
            ok=result.ok,
            status_code=result.status_code,
            error=result.error,
            duration_ms=result.duration_ms,
        )
        delivery.attempts += 1
        delivery.claimed_at = None
        if result.ok:
            delivery.status = Delivery.Status.SENT
            delivery.sent_at = finished
            delivery.last_error = ""
            delivery.next_attempt_at = None
        elif calculations.gives_up(delivery.attempts):
            delivery.status = Delivery.Status.FAILED
            delivery.last_error = result.error
            delivery.next_attempt_at = None
        else:
            delivery.status = Delivery.Status.RETRYING
            delivery.last_error = result.error
            delivery.next_attempt_at = finished + backoff_delay(
                delivery.attempts, calculations.FIRST_BACKOFF
            )
        delivery.save(
            update_fields=[
                "attempts",
                "claimed_at",
                "status",
                "sent_at",
                "last_error",
                "next_attempt_at",
            ]
        )
    return delivery


@transaction.atomic
def retry_failed(*, by: User, via: str = Interface.WEB) -> int:
    """Administrators send failed deliveries again (after fixing a bot): nothing is lost."""
    _require_admin(by)
    failed = Delivery.objects.filter(status=Delivery.Status.FAILED)
    count = failed.update(
        status=Delivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    if count:
        # Many deliveries at once, none a record people edit: counted on the settings' trail.
        settings_row = NotificationSettings.current()
        audit.record(
            AuditEvent.Action.UPDATE, settings_row, by=by, via=via, changes={"retried": count}
        )
    return count


# --- the inbox --------------------------------------------------------------------


def mark_read(notification: Notification, *, by: User) -> Notification:
    """The person's own notification only; anyone else's is not found."""
    if notification.recipient_id != by.pk:
        raise Notification.DoesNotExist
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def mark_all_read(*, by: User) -> int:
    return Notification.objects.filter(recipient=by, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- preferences ------------------------------------------------------------------


@transaction.atomic
def save_preferences(
    user: User, choices: Mapping[str, Iterable[str]], *, by: User, via: str = Interface.WEB
) -> dict[str, set[str]]:
    """Which channels a person wants per event; only for themselves."""
    if by.pk != user.pk:
        raise PermissionDenied(_("You may only change your own notification preferences."))
    unknown = set(choices) - set(Event.values)
    if unknown:
        raise ValidationError(
            _("Unknown event: %(event)s.") % {"event": ", ".join(sorted(unknown))}
        )
    picks = {}
    for event, wanted in choices.items():
        picked = set(wanted)
        if picked - set(Channel.values):
            raise ValidationError(_("Unknown channel."))
        if event == Event.SPECIAL_DAY and Channel.WEBHOOK in picked:
            raise ValidationError(
                _("Special days are personal information and never go to a group chat.")
            )
        Preference.objects.update_or_create(
            user=user,
            event=event,
            defaults={
                "inbox": Channel.INBOX in picked,
                "email": Channel.EMAIL in picked,
                "webhook": Channel.WEBHOOK in picked,
            },
        )
        picks[event] = sorted(picked)
    # One row per event: the person's event keeps the channels chosen, by event.
    audit.record(AuditEvent.Action.UPDATE, user, by=by, via=via, changes={"notifications": picks})
    return preferences_of(user)


# --- group bots and settings -------------------------------------------------------


#: A bot's address carries its key, and its secret signs: the trail says they changed, not what to.
ENDPOINT_SECRETS = ("url", "secret")


def _check_url(url: str) -> str:
    url = (url or "").strip()
    if not url.startswith(("https://", "http://")):
        raise ValidationError({"url": [_("Enter the bot's webhook address (https://…).")]})
    return url


@transaction.atomic
def save_endpoint(
    endpoint: WebhookEndpoint,
    *,
    by: User,
    expected_version: int | None,
    name: str,
    platform: str,
    url: str,
    secret: str,
    team: Team | None,
    active: bool,
    via: str = Interface.WEB,
) -> WebhookEndpoint:
    """Create or change a group bot. An empty address or secret on a change keeps the one
    saved (they are never shown back); the audit records that they changed, not their value."""
    _require_admin(by)
    if platform not in Platform.values:
        raise ValidationError({"platform": [_("Choose WeCom, DingTalk or Feishu.")]})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the bot a name.")]})
    creating = endpoint.pk is None
    values: dict[str, Any] = {"name": name, "platform": platform, "team": team, "active": active}
    if url.strip() or creating:
        values["url"] = _check_url(url)
    if secret.strip():
        values["secret"] = secret.strip()
    if creating:
        for field, value in values.items():
            setattr(endpoint, field, value)
        return changes.create(endpoint, by=by, via=via, clean=None, redacted=ENDPOINT_SECRETS)
    changes.update(
        endpoint,
        values,
        by=by,
        via=via,
        expected_version=expected_version,
        clean=None,
        redacted=ENDPOINT_SECRETS,
        always=True,
    )
    return endpoint


@transaction.atomic
def clear_endpoint_secret(
    endpoint: WebhookEndpoint, *, by: User, via: str = Interface.WEB
) -> WebhookEndpoint:
    _require_admin(by)
    changes.update(
        endpoint, {"secret": ""}, by=by, via=via, clean=None, redacted=ENDPOINT_SECRETS, always=True
    )
    return endpoint


@transaction.atomic
def delete_endpoint(endpoint: WebhookEndpoint, *, by: User, via: str = Interface.WEB) -> None:
    _require_admin(by)
    changes.delete(endpoint, by=by, via=via, redacted=ENDPOINT_SECRETS)


@transaction.atomic
def save_settings(
    *,
    by: User,
    expected_version: int | None,
    large_deal_amount: Decimal,
    activity_lead_hours: int,
    special_day_lead_days: int,
    digest_weekday: int,
    via: str = Interface.WEB,
) -> NotificationSettings:
    _require_admin(by)
    errors: dict[str, list[str]] = {}
    if large_deal_amount is None or large_deal_amount < 0:
        errors["large_deal_amount"] = [_("Enter an amount of zero or more.")]
    if not 1 <= activity_lead_hours <= 168:
        errors["activity_lead_hours"] = [_("Enter between 1 and 168 hours.")]
    if not 0 <= special_day_lead_days <= 30:
        errors["special_day_lead_days"] = [_("Enter between 0 and 30 days.")]
    if not 0 <= digest_weekday <= 6:
        errors["digest_weekday"] = [_("Choose a day of the week.")]
    if errors:
        raise ValidationError(errors)
    row = NotificationSettings.current()
    changes.update(
        row,
        {
            "large_deal_amount": large_deal_amount,
            "activity_lead_hours": activity_lead_hours,
            "special_day_lead_days": special_day_lead_days,
            "digest_weekday": digest_weekday,
        },
        by=by,
        via=via,
        expected_version=expected_version,
        clean=None,
        always=True,
    )
    return row


# --- trying a channel -----------------------------------------------------------------


def send_test_message(
    *, by: User, endpoint: WebhookEndpoint | None = None, via: str = Interface.WEB
) -> channels.Result:
    """Send a test message at once through the very code real deliveries use (format,
    signing, timeout): to the group bot ``endpoint``, or without one by email to the
    administrator's own address. Nothing is kept but the audit entry; the answer says
    whether it arrived and, if not, why."""
    _require_admin(by)
    notification = Notification(
        recipient=by,
        event=Event.ACTIVITY_REMINDER,
        key="test",
        title_phrase=phrase(gettext_lazy("KAM test message")),
        body_phrase=phrase(gettext_lazy("If you read this, notifications reach you here.")),
        url="/notifications/settings/",
    )
    delivery = Delivery(
        notification=notification,
        channel=Channel.WEBHOOK if endpoint is not None else Channel.EMAIL,
        endpoint=endpoint,
    )
    try:
        result = channels.send(delivery)
    except Exception as exc:  # a bad setting must show as a failed test, not a crash
        logger.exception("test message failed unexpectedly")
        result = channels.Result(False, error=f"{type(exc).__name__}: {exc}")
    target = endpoint if endpoint is not None else NotificationSettings.current()
    audit.record(
        AuditEvent.Action.UPDATE,
        target,
        by=by,
        via=via,
        changes={
            "test_message": delivery.channel,
            "ok": result.ok,
            "error": result.error,
        },
    )
    return result
