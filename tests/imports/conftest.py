from __future__ import annotations

import pytest

from kam.core.models import Interface
from kam.imports import selectors, services
from kam.imports.models import BatchStatus
from tests.imports.helpers import xlsx


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def run():  # type: ignore[no-untyped-def]
    """Upload rows as ``user``, check them, and (unless ``dry_run``) commit them."""

    def _run(user, kind, rows, *, dry_run=False, merge=()):  # type: ignore[no-untyped-def]
        batch = services.start_import(
            kind=kind,
            file_name=f"{kind}.xlsx",
            content=xlsx(rows, merge=merge),
            by=user,
            via=Interface.WEB,
            language="en",
            run_check=False,
        )
        batch = services.check_batch(batch)
        if dry_run or batch.status != BatchStatus.READY:
            return batch
        batch = services.request_commit(batch, by=user)
        return services.commit_batch(batch)

    return _run


def errors(batch):  # type: ignore[no-untyped-def]
    """The report's errors as the reader reads them (in the active language)."""
    return [(e["row"], e["column"], e["message"]) for e in selectors.report_errors(batch)]
