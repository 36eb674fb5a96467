"""Reads for Settings → Background jobs (administrators only; the view checks)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from kam.jobs import runner
from kam.jobs.models import JobFailure


@dataclass(frozen=True)
class JobRun:
    label: str
    status: str
    status_label: str
    attempt: int
    attempts: int
    enqueued_at: datetime
    run_after: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    error: str


# django-tasks names its states in English only.
STATUS_LABELS = {
    "READY": _("Waiting"),
    "RUNNING": _("Running"),
    "SUCCESSFUL": _("Succeeded"),
    "FAILED": _("Failed"),
}


def recent_runs(limit: int = 50) -> list[JobRun]:
    """The newest runs of the job queue, each with its attempt number."""
    rows = DBTaskResult.objects.order_by("-enqueued_at")[:limit]
    runs = []
    for row in rows:
        spec = runner.REGISTRY.get(row.task_path)
        kwargs = (row.args_kwargs or {}).get("kwargs") or {}
        run_after = None if row.run_after.year >= 9999 else row.run_after
        runs.append(
            JobRun(
                label=runner.label_for(row.task_path),
                status=row.status,
                status_label=str(STATUS_LABELS.get(row.status, row.status)),
                attempt=int(kwargs.get(runner.ATTEMPT, 1)),
                attempts=spec.attempts if spec else 1,
                enqueued_at=row.enqueued_at,
                run_after=run_after,
                started_at=row.started_at,
                finished_at=row.finished_at,
                error=row.exception_class_path.rsplit(".", 1)[-1],
            )
        )
    return runs


def failures() -> QuerySet[JobFailure]:
    """Jobs that ran out of attempts, newest first; those not yet retried first."""
    return JobFailure.objects.select_related("retried_by").order_by(
        "retried_at", "-failed_at", "-pk"
    )


# A job's keyword arguments as words; the other keywords show as "name: value".
ARGUMENT_LABELS = {"week": _("week of %(value)s")}


def arguments_in_words(args: list[object], kwargs: dict[str, object]) -> str:
    """A failed job's arguments as a reader says them: "week of 6 Dec 2026", not
    "week=2026-12-06". Dates stored in ISO are shown in the reader's date format."""
    parts = [_value_in_words(value) for value in args]
    for key, value in kwargs.items():
        shown = _value_in_words(value)
        label = ARGUMENT_LABELS.get(key)
        parts.append(str(label) % {"value": shown} if label else f"{key}: {shown}")
    return "; ".join(parts)


def _value_in_words(value: object) -> str:
    if isinstance(value, str):
        try:
            return date_format(date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)
