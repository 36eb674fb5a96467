"""``@background_job``: a django-tasks task that is retried with backoff when it fails.

django-tasks records a failed run and stops there. A KAM job instead enqueues itself
again after ``backoff_delay`` (1×, 2×, 4× ``backoff``...), up to ``attempts`` tries
(a ``ValidationError``, a business rule refusing the input, is not tried again);
after the last one it leaves a :class:`~kam.jobs.models.JobFailure` that
administrators see under Settings → Background jobs, where they may start it again.

The attempt number travels with the job as the keyword argument ``ATTEMPT``; the job's
own function never sees it. ``job.call(...)`` runs the function at once (attempt 1), as
with any django-tasks task.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import Promise
from django_tasks import task
from django_tasks.base import Task

from kam.jobs.calculations import backoff_delay

logger = logging.getLogger("kam.jobs")

ATTEMPT = "kam_attempt"

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class JobSpec:
    label: str | Promise
    attempts: int
    backoff: timedelta


# task path ("kam.forecasting.tasks.take_weekly_snapshot") -> how it is retried and named
REGISTRY: dict[str, JobSpec] = {}


def background_job(
    *,
    label: str | Promise,
    attempts: int = 3,
    backoff: timedelta = timedelta(minutes=1),
) -> Callable[[Callable[P, T]], Task[P, T]]:
    """Make ``func`` a background job tried up to ``attempts`` times."""
    if attempts < 1:
        raise ValueError("a job needs at least one attempt")

    def decorate(func: Callable[P, T]) -> Task[P, T]:
        path = f"{func.__module__}.{func.__qualname__}"
        REGISTRY[path] = JobSpec(label=label, attempts=attempts, backoff=backoff)

        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> T:
            attempt = int(kwargs.pop(ATTEMPT, 1))
            try:
                return func(*args, **kwargs)
            except Exception as exc:
                _after_failure(job, path, attempt, list(args), kwargs, exc)
                raise

        job: Task[P, T] = task()(run)
        return job

    return decorate


def _after_failure(
    job: Task[Any, Any],
    path: str,
    attempt: int,
    args: list[Any],
    kwargs: dict[str, Any],
    exc: Exception,
) -> None:
    """Try again later, or, after the last attempt, leave a failure for administrators."""
    spec = REGISTRY[path]
    try:
        # A rule refusing the job's input says the same on every try: no retry.
        if attempt < spec.attempts and not isinstance(exc, ValidationError):
            delay = backoff_delay(attempt, spec.backoff)
            logger.warning(
                "job %s failed (attempt %d of %d: %r); trying again in %s",
                path,
                attempt,
                spec.attempts,
                exc,
                delay,
            )
            job.using(run_after=timezone.now() + delay).enqueue(
                *args, **{**kwargs, ATTEMPT: attempt + 1}
            )
        else:
            from kam.jobs import services

            logger.error("job %s failed after %d attempts: %r", path, attempt, exc)
            services.record_failure(path, args, kwargs, attempts=attempt, exc=exc)
    except Exception:
        # The cause may be the database itself; the worker still records this run as
        # failed, and the log keeps what could not be written.
        logger.exception("job %s: could not schedule a retry or record the failure", path)


def job_for(path: str) -> Task[Any, Any] | None:
    """The job registered under ``path`` (None for a job that no longer exists)."""
    from django.utils.module_loading import import_string

    if path not in REGISTRY:
        return None
    try:
        found = import_string(path)
    except ImportError:
        return None
    return found if isinstance(found, Task) else None


def label_for(path: str) -> str:
    spec = REGISTRY.get(path)
    return str(spec.label) if spec else path.rsplit(".", 1)[-1]
