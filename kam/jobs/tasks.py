"""Background jobs of the database itself: the planner's statistics."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from kam.core.services.statistics import gather_planner_statistics
from kam.jobs.runner import background_job


@background_job(label=_("Database statistics"), attempts=3, backoff=timedelta(minutes=10))
def refresh_planner_statistics(tables: list[str] | None = None) -> float:
    """ANALYZE ``tables`` (default: the whole database); returns the seconds taken.

    Queued after each weekly snapshot for the tables it wrote.
    """
    return gather_planner_statistics(tables=tables or ())
