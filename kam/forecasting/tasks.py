"""Background jobs of the forecast area; each calls one service.

They are retried with backoff when they fail (kam.jobs.runner) and, after the last
attempt, listed for administrators under Settings → Background jobs.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

from kam.forecasting import services
from kam.jobs.runner import background_job
from kam.jobs.tasks import refresh_planner_statistics


@background_job(label=_("Weekly pipeline snapshot"), attempts=4, backoff=timedelta(minutes=5))
def take_weekly_snapshot(week: str | None = None) -> int:
    """The weekly pipeline snapshot (§5.2): ``week`` is any ISO day of it, default last week.

    Returns how many opportunities were recorded (0 when the week was already taken).
    """
    day = date.fromisoformat(week) if week else services.last_completed_week().sunday
    marker, created = services.take_snapshot(day)
    if created:
        # A week of rows was just added: let the planner see them (SQLite never looks itself).
        refresh_planner_statistics.enqueue(tables=services.SNAPSHOT_TABLES)
    return marker.opportunities if created else 0


@background_job(label=_("Win probability training"), attempts=3, backoff=timedelta(minutes=2))
def train_win_model() -> int:
    """Retrain the learned win probability; returns the number of examples it learned from."""
    return services.train_win_model().examples
