"""Background jobs of the forecast area (django-tasks); each calls one service."""

from __future__ import annotations

from datetime import date

from django_tasks import task

from kam.forecasting import services


@task()
def take_weekly_snapshot(week: str | None = None) -> int:
    """The weekly pipeline snapshot (§5.2): ``week`` is any ISO day of it, default last week.

    Returns how many opportunities were recorded (0 when the week was already taken).
    """
    day = date.fromisoformat(week) if week else services.last_completed_week().sunday
    marker, created = services.take_snapshot(day)
    return marker.opportunities if created else 0


@task()
def train_win_model() -> int:
    """Retrain the learned win probability; returns the number of examples it learned from."""
    return services.train_win_model().examples
