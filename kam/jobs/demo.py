"""Demo data of the jobs area: one snapshot job that ran out of attempts last week.

It shows administrators what Settings → Background jobs looks like when something
went wrong (here the database was being restarted while the job ran); "Try again"
really queues the job.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import connection
from django.utils import timezone

from kam.core.demo import DemoContext
from kam.jobs.models import JobFailure

SNAPSHOT_JOB = "kam.forecasting.tasks.take_weekly_snapshot"

# The error the database in use would really give while it is being restarted: a SQLite
# install must not show a PostgreSQL connection error.
_DEMO_ERRORS = {
    "postgresql": "OperationalError: connection to server at 127.0.0.1, port 5432 failed",
    "sqlite": "OperationalError: database is locked",
}


def load(ctx: DemoContext) -> None:
    monday = ctx.today - timedelta(days=ctx.today.weekday())
    failed_at = timezone.make_aware(datetime.combine(monday, time(6, 14)))
    JobFailure.objects.bulk_create(
        [
            JobFailure(
                task_path=SNAPSHOT_JOB,
                args=[],
                kwargs={"week": (monday - timedelta(days=1)).isoformat()},
                attempts=4,
                error=_DEMO_ERRORS.get(connection.vendor, _DEMO_ERRORS["sqlite"]),
                traceback="",
                failed_at=failed_at,
            )
        ]
    )
    ctx.log("background jobs: 1 failure to show")
