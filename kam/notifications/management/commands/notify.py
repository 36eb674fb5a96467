"""``kam notify``: record the events that are due and queue their deliveries.

Run it from cron every few minutes (``*/5 * * * * kam notify``) beside ``kam db_worker``,
which sends what it queues; ``--send`` sends in this process instead, without a worker.
Running it twice announces nothing twice.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kam.notifications import services, tasks


class Command(BaseCommand):
    help = (
        "Scan for due notifications (activity reminders, installments due and overdue, "
        "broken promises, red flags on large deals, stalled deals, special days, the weekly "
        "forecast digest) and queue their email and group-bot deliveries, retries included."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--send",
            action="store_true",
            help="send the due deliveries in this process instead of queueing them",
        )

    def handle(self, *args: Any, send: bool = False, **options: Any) -> None:
        result = services.scan()
        if send:
            due = services.due_deliveries()
            outcomes = [services.attempt_delivery(pk) for pk in due]
            sent = sum(1 for d in outcomes if d is not None and d.status == "sent")
            self.stdout.write(
                f"{result.notifications} new notifications, {len(due)} deliveries tried, "
                f"{sent} sent"
            )
            return
        queued = tasks.enqueue_due()
        self.stdout.write(f"{result.notifications} new notifications, {queued} deliveries queued")
