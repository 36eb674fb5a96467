"""Demo notifications: the inbox of the demo people filled from the real event sources
(as of the demo's "today"), some read, and a switched-off group bot with one sent and
one failed delivery, so the settings page shows what a failure looks like."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from kam.core.demo import DemoContext
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
from kam.notifications.sources import SOURCES, Moment

#: Who gets a demo inbox; special days are left out (they are logged as personal reads).
PEOPLE = ("rep", "lijing", "manager", "director", "zhouhao")
EVENTS = [e for e in SOURCES if e != Event.SPECIAL_DAY]
PER_EVENT = 4


def load(ctx: DemoContext) -> None:
    rng = ctx.rng
    morning = datetime.combine(ctx.today, time(8, 0), tzinfo=timezone.get_current_timezone())
    moment = Moment(now=morning, today=ctx.today, settings=NotificationSettings.current())
    rows: list[Notification] = []
    for username in PEOPLE:
        user = ctx.users.get(username)
        if user is None:
            continue
        for event in EVENTS:
            for occurrence in SOURCES[event](user, moment)[:PER_EVENT]:
                rows.append(
                    Notification(
                        recipient=user,
                        event=occurrence.event,
                        key=occurrence.key,
                        title_phrase=occurrence.title,
                        body_phrase=occurrence.body,
                        url=occurrence.url,
                        account_id=occurrence.account_id,
                        read_at=morning - timedelta(hours=rng.randint(1, 48))
                        if rng.random() < 0.4
                        else None,
                    )
                )
    Notification.objects.bulk_create(rows)
    rep = ctx.users.get("rep")
    if rep is not None:
        Preference.objects.bulk_create(
            [
                Preference(user=rep, event=Event.ACTIVITY_REMINDER, inbox=True, email=True),
                Preference(user=rep, event=Event.STALLED_DEAL, inbox=True, webhook=True),
            ]
        )
    east = ctx.teams.get("east")
    bot = WebhookEndpoint.objects.create(
        name="华东大区钉钉群",
        platform=Platform.DINGTALK,
        url="https://oapi.dingtalk.com/robot/send?access_token=demo-not-a-real-token-0000",
        secret="SECdemo-not-a-real-secret-0000",
        team=east,
        active=False,
    )
    digests = list(Notification.objects.order_by("pk")[:2])
    for index, notification in enumerate(digests):
        failed = index == 1
        delivery = Delivery.objects.create(
            notification=notification,
            channel=Channel.WEBHOOK,
            endpoint=bot,
            dedup_key=f"webhook:{bot.pk}:{notification.key}",
            status=Delivery.Status.FAILED if failed else Delivery.Status.SENT,
            attempts=4 if failed else 1,
            sent_at=None if failed else morning,
            last_error="310000: sign not match" if failed else "",
        )
        DeliveryAttempt.objects.bulk_create(
            [
                DeliveryAttempt(
                    delivery=delivery,
                    ok=not failed,
                    status_code=200,
                    error="310000: sign not match" if failed else "",
                    duration_ms=rng.randint(80, 400),
                )
                for _ in range(delivery.attempts)
            ]
        )
    ctx.log(f"notifications: {len(rows)}")
