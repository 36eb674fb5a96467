"""Reads of notifications: a person's inbox and preferences, the bots that reach their
team, and what failed (for administrators)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kam.accounts.visibility import visible_accounts
from kam.core.models import Team, User
from kam.core.visibility import sees_all_accounts
from kam.notifications.calculations import mask_secret, mask_url, nearest
from kam.notifications.models import (
    Channel,
    Delivery,
    Event,
    Notification,
    Preference,
    WebhookEndpoint,
)

#: What a person gets before choosing: everything in the inbox, the most urgent by email.
DEFAULT_CHANNELS: dict[str, frozenset[str]] = {
    event: frozenset({Channel.INBOX})
    | (
        frozenset({Channel.EMAIL})
        if event in (Event.ACTIVITY_REMINDER, Event.PROMISE_BROKEN, Event.FORECAST_DIGEST)
        else frozenset()
    )
    for event in Event.values
}


def preferences_of(user: User) -> dict[str, set[str]]:
    """The channels the person wants for each event (their choice, else the defaults)."""
    result = {event: set(channels) for event, channels in DEFAULT_CHANNELS.items()}
    for row in Preference.objects.filter(user=user):
        if row.event not in result:
            continue
        result[row.event] = {
            channel
            for channel, on in (
                (Channel.INBOX, row.inbox),
                (Channel.EMAIL, row.email),
                (Channel.WEBHOOK, row.webhook),
            )
            if on
        }
    return result


def endpoints_for(user: User) -> list[int]:
    """The active group bots of the person's own team, else of the nearest team above it,
    else the company's."""
    team: Team | None = user.team if user.team_id else None
    query = Q(team__isnull=True)
    if team is not None:
        ancestors = [int(part) for part in team.path.strip("/").split("/") if part]
        query |= Q(team_id__in=ancestors)
    candidates = [
        (pk, path.count("/") - 2 if path else -1)
        for pk, path in WebhookEndpoint.objects.filter(query, active=True).values_list(
            "pk", "team__path"
        )
    ]
    return nearest(candidates)


def inbox(user: User) -> QuerySet[Notification]:
    """The person's own inbox, without what is about accounts they no longer see."""
    if not user.is_authenticated or not user.is_active:
        return Notification.objects.none()
    items = Notification.objects.filter(recipient=user, in_inbox=True)
    if not sees_all_accounts(user):
        items = items.filter(Q(account__isnull=True) | Q(account__in=visible_accounts(user)))
    return items


def inbox_item(user: User, pk: int) -> Notification:
    item = inbox(user).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def unread_count(user: User) -> int:
    return inbox(user).filter(read_at__isnull=True).count()


@dataclass(frozen=True)
class EndpointRow:
    endpoint: WebhookEndpoint
    masked_url: str
    masked_secret: str
    sent: int
    failed: int
    waiting: int
    last_error: str


def endpoint_rows(days: int = 7) -> list[EndpointRow]:
    """Every group bot with what happened to its messages lately; secrets masked."""
    since = timezone.now() - timedelta(days=days)
    counts: dict[int, dict[str, int]] = {
        row["endpoint_id"]: {
            "sent": row["sent"],
            "failed": row["failed"],
            "waiting": row["waiting"],
        }
        for row in Delivery.objects.filter(endpoint__isnull=False, created_at__gte=since)
        .values("endpoint_id")
        .annotate(
            sent=Count("pk", filter=Q(status=Delivery.Status.SENT)),
            failed=Count("pk", filter=Q(status=Delivery.Status.FAILED)),
            waiting=Count(
                "pk",
                filter=Q(
                    status__in=[
                        Delivery.Status.PENDING,
                        Delivery.Status.RETRYING,
                        Delivery.Status.SENDING,
                    ]
                ),
            ),
        )
    }
    last_errors = dict(
        Delivery.objects.filter(endpoint__isnull=False)
        .exclude(last_error="")
        .order_by("endpoint_id", "created_at", "pk")
        .values_list("endpoint_id", "last_error")
    )
    rows = []
    for endpoint in WebhookEndpoint.objects.select_related("team"):
        figures: dict[str, int] = counts.get(endpoint.pk, {})
        rows.append(
            EndpointRow(
                endpoint,
                mask_url(endpoint.url),
                mask_secret(endpoint.secret),
                figures.get("sent", 0),
                figures.get("failed", 0),
                figures.get("waiting", 0),
                last_errors.get(endpoint.pk, ""),
            )
        )
    return rows


def failed_deliveries(limit: int = 50) -> QuerySet[Delivery]:
    """Deliveries that were given up, newest first, with what went wrong."""
    return (
        Delivery.objects.filter(status=Delivery.Status.FAILED)
        .select_related("notification", "notification__recipient", "endpoint")
        .order_by("-created_at", "-pk")[:limit]
    )


def retrying_count() -> int:
    return Delivery.objects.filter(status=Delivery.Status.RETRYING).count()


def masked_endpoint(endpoint: WebhookEndpoint) -> dict[str, str]:
    return {"url": mask_url(endpoint.url), "secret": mask_secret(endpoint.secret)}
