"""Background jobs of imports (django-tasks): the web app stays responsive while they run."""

from __future__ import annotations

from django_tasks import task

from kam.imports import services
from kam.imports.models import BatchStatus, ImportBatch


@task()
def check_import(batch_id: int) -> str:
    """The dry run of an uploaded file; returns the batch's status afterwards."""
    batch = ImportBatch.objects.filter(pk=batch_id, status=BatchStatus.QUEUED).first()
    if batch is None:
        return "gone"
    return services.check_batch(batch).status


@task()
def commit_import(batch_id: int) -> str:
    """The all-or-nothing import of a checked file; returns the batch's status afterwards."""
    batch = ImportBatch.objects.filter(pk=batch_id, status=BatchStatus.COMMITTING).first()
    if batch is None:
        return "gone"
    return services.commit_batch(batch).status
