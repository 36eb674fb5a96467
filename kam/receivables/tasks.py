"""Background jobs of receivables; each calls one service (retried by kam.jobs.runner)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

from kam.jobs.runner import background_job
from kam.receivables import services


@background_job(label=_("Accounts' payment habits"), attempts=3, backoff=timedelta(minutes=5))
def refresh_payment_habits_job(day: str | None = None) -> bool:
    """Every account's payment habits for the cash forecast, as of ``day`` (ISO; default
    today). Queued by the first forecast of a day that finds them stale."""
    return services.refresh_payment_habits(as_of=date.fromisoformat(day) if day else None)
