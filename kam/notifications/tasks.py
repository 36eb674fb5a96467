"""Background jobs of notifications (kam.jobs); each calls one service.

A delivery is a background job like any other: a failed try fails the job, which
:mod:`kam.jobs.runner` tries again after its growing pause, up to the delivery's
:data:`~kam.notifications.calculations.MAX_ATTEMPTS`. The last failed try gives the
delivery up: administrators see it, with every try, on the notification settings, and
send it again from there.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kam.jobs.runner import background_job
from kam.notifications import calculations, services
from kam.notifications.models import Delivery


class DeliveryFailed(Exception):
    """A try of a delivery that did not arrive (the bot's or mail server's answer)."""


@background_job(
    label=_("Notification delivery"),
    attempts=calculations.MAX_ATTEMPTS,
    backoff=calculations.FIRST_BACKOFF,
)
def deliver_notification(delivery_id: int) -> str:
    """Try one delivery once; a failed try raises, so the job is tried again later."""
    delivery = services.attempt_delivery(delivery_id)
    if delivery is None:
        return "not tried"  # done, gone, or another run has it: nothing to retry here
    if delivery.status == Delivery.Status.RETRYING:
        raise DeliveryFailed(delivery.last_error)
    return delivery.status  # sent, or given up (shown with its tries to administrators)


def enqueue_due() -> int:
    """Queue every new delivery (and any a dead worker left); a delivery queued twice is
    still sent once (claimed). Retries are queued by the jobs themselves."""
    due = services.due_deliveries(retries=False)
    for delivery_id in due:
        deliver_notification.enqueue(delivery_id)
    return len(due)


@background_job(label=_("Notification scan"))
def scan_and_deliver() -> int:
    """The scan of ``kam notify`` as a job: record due events, queue their deliveries."""
    services.scan()
    return enqueue_due()
