"""Demo data of the jobs area: one snapshot job that ran out of attempts last week.

It shows administrators what Settings → Background jobs looks like when something
went wrong (here the database was being restarted while the job ran); "Try again"
really queues the job.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from kam.core.demo import DemoContext
from kam.jobs.models import JobFailure

SNAPSHOT_JOB = "kam.forecasting.tasks.take_weekly_snapshot"


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
                error="OperationalError: connection to server at 127.0.0.1, port 5432 failed",
                traceback="",
                failed_at=failed_at,
            )
        ]
    )
    ctx.log("background jobs: 1 failure to show")
