"""Background jobs of notifications (django-tasks); each calls one service."""

from __future__ import annotations

from django_tasks import task

from kam.notifications import services


@task()
def deliver_notification(delivery_id: int) -> str:
    """Try one delivery once; a failure waits for its backoff and the next ``kam notify``."""
    delivery = services.attempt_delivery(delivery_id)
    return delivery.status if delivery is not None else "gone"


def enqueue_due() -> int:
    """Queue every delivery due now; a delivery queued twice is still sent once (claimed)."""
    due = services.due_deliveries()
    for delivery_id in due:
        deliver_notification.enqueue(delivery_id)
    return len(due)


@task()
def scan_and_deliver() -> int:
    """The scan of ``kam notify`` as a job: record due events, queue their deliveries."""
    services.scan()
    return enqueue_due()
