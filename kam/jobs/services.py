"""Writes of the jobs area: a failure recorded after the last attempt, a retry."""

from __future__ import annotations

import traceback
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core import audit, changes
from kam.core.models import AuditEvent, Interface, User
from kam.jobs import runner
from kam.jobs.models import JobFailure


def record_failure(
    path: str, args: list[Any], kwargs: dict[str, Any], *, attempts: int, exc: BaseException
) -> JobFailure:
    """Keep a job that ran out of attempts, with its error, for administrators."""
    error = f"{type(exc).__name__}: {exc}"[:500]
    with transaction.atomic():
        failure = JobFailure.objects.create(
            task_path=path,
            args=args,
            kwargs=kwargs,
            attempts=attempts,
            error=error,
            traceback="".join(traceback.format_exception(exc))[-20000:],
        )
        # The failure keeps the job's arguments and traceback for administrators; they may
        # carry anything a job was given, so the trail names the error and the attempts only.
        audit.record(
            AuditEvent.Action.CREATE,
            failure,
            by=None,
            via=Interface.JOB,
            changes={"error": [None, error], "attempts": [None, attempts]},
        )
    return failure


def retry(failure: JobFailure, *, by: User) -> JobFailure:
    """Start a failed job again from its first attempt (an administrator's action)."""
    with transaction.atomic():
        locked = JobFailure.objects.select_for_update().get(pk=failure.pk)
        if locked.retried_at is not None:
            raise ValidationError(_("This job has already been started again."))
        job = runner.job_for(locked.task_path)
        if job is None:
            raise ValidationError(_("This job no longer exists in this version of KAM."))
        job.enqueue(*locked.args, **locked.kwargs)
        changes.update(locked, {"retried_at": timezone.now(), "retried_by": by}, by=by, clean=None)
    return locked
