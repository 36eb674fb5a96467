"""Background jobs: a failure is retried with growing pauses and, after the last
attempt, shown to administrators, who can start the job again (issue 10, faults)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kam.core.models import AuditEvent
from kam.forecasting import services as forecast_services
from kam.forecasting import tasks
from kam.forecasting.models import SnapshotWeek
from kam.forecasting.services import last_completed_week
from kam.jobs.calculations import MAX_DELAY, backoff_delay
from kam.jobs.models import JobFailure
from kam.jobs.runner import ATTEMPT

WEEK = last_completed_week().monday.isoformat()
SNAPSHOT = "kam.forecasting.tasks.take_weekly_snapshot"


def snapshot_runs():  # type: ignore[no-untyped-def]
    """The snapshot job's runs (a taken snapshot queues the statistics job after it)."""
    return DBTaskResult.objects.filter(task_path=SNAPSHOT)


def run_worker() -> None:
    """One pass of `kam db_worker`: runs every job that is due, then stops."""
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())


def let_time_pass() -> None:
    """Make the queued retries due now, as if their pause were over."""
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


class Fault:
    """Makes the snapshot service fail the first ``times`` calls, then work again."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, times: int) -> None:
        self.left = times
        self.calls = 0
        real = forecast_services.take_snapshot

        def flaky(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.calls += 1
            if self.left > 0:
                self.left -= 1
                raise OperationalError("could not write: the disk is full")
            return real(*args, **kwargs)

        monkeypatch.setattr(forecast_services, "take_snapshot", flaky)


def test_the_pause_doubles_with_each_failure_and_is_capped():
    base = timedelta(minutes=5)
    assert [backoff_delay(n, base) for n in (1, 2, 3, 4)] == [
        timedelta(minutes=5),
        timedelta(minutes=10),
        timedelta(minutes=20),
        timedelta(minutes=40),
    ]
    assert backoff_delay(30, base) == MAX_DELAY
    with pytest.raises(ValueError):
        backoff_delay(0, base)


@pytest.mark.django_db(transaction=True)
def test_a_failing_job_is_retried_with_growing_pauses_then_shown_to_administrators(
    org, client, monkeypatch
):
    fault = Fault(monkeypatch, times=100)
    tasks.take_weekly_snapshot.enqueue(week=WEEK)

    pauses = []
    for attempt in (1, 2, 3):
        before = timezone.now()
        run_worker()
        assert fault.calls == attempt
        waiting = DBTaskResult.objects.get(status="READY")
        assert waiting.args_kwargs["kwargs"] == {"week": WEEK, ATTEMPT: attempt + 1}
        pauses.append(waiting.run_after - before)
        run_worker()  # not due yet: nothing runs
        assert fault.calls == attempt
        assert not JobFailure.objects.exists()
        let_time_pass()
    # 5, 10, 20 minutes (the snapshot job's backoff), give or take the test's own time
    for pause, minutes in zip(pauses, (5, 10, 20), strict=True):
        assert timedelta(minutes=minutes) <= pause < timedelta(minutes=minutes, seconds=30)

    run_worker()  # the fourth and last attempt
    assert fault.calls == 4
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert DBTaskResult.objects.filter(status="FAILED").count() == 4
    failure = JobFailure.objects.get()
    assert failure.attempts == 4 and failure.kwargs == {"week": WEEK}
    assert "the disk is full" in failure.error
    assert not SnapshotWeek.objects.exists()

    client.force_login(org.admin)
    page = client.get(reverse("jobs:job_list")).content.decode()
    assert "the disk is full" in page and "每周管道快照" in page
    assert "4 / 4" in page  # the last run shows which attempt it was

    client.force_login(org.rep)
    assert client.get(reverse("jobs:job_list")).status_code == 403
    assert client.post(reverse("jobs:job_retry", args=[failure.pk])).status_code == 403
    assert DBTaskResult.objects.filter(status="READY").count() == 0

    # The disk has been cleaned up; the administrator starts the job again.
    fault.left = 0
    client.force_login(org.admin)
    response = client.post(reverse("jobs:job_retry", args=[failure.pk]))
    assert response.status_code == 302
    queued = DBTaskResult.objects.get(status="READY")
    assert queued.args_kwargs["kwargs"] == {"week": WEEK}
    run_worker()
    assert SnapshotWeek.objects.filter(week=WEEK).exists()
    assert snapshot_runs().filter(status="SUCCESSFUL").count() == 1
    failure.refresh_from_db()
    assert failure.retried_by == org.admin and failure.retried_at is not None
    retried = AuditEvent.objects.get(
        object_type="jobs.jobfailure", object_id=str(failure.pk), actor=org.admin
    )
    assert retried.changes["retried_at"] == [None, failure.retried_at.isoformat()]
    assert retried.changes["retried_by_id"] == [None, org.admin.pk]

    # A second press does not queue it twice.
    client.post(reverse("jobs:job_retry", args=[failure.pk]))
    assert not DBTaskResult.objects.filter(status="READY").exists()
    page = client.get(reverse("jobs:job_list")).content.decode()
    assert "text-bg-success" in page


@pytest.mark.django_db(transaction=True)
def test_a_job_that_works_on_its_second_attempt_leaves_no_failure(org, monkeypatch):
    fault = Fault(monkeypatch, times=1)
    tasks.take_weekly_snapshot.enqueue(week=WEEK)
    run_worker()
    let_time_pass()
    run_worker()
    assert fault.calls == 2
    assert SnapshotWeek.objects.filter(week=WEEK).exists()
    assert not JobFailure.objects.exists()
    assert sorted(snapshot_runs().values_list("status", flat=True)) == ["FAILED", "SUCCESSFUL"]


@pytest.mark.django_db(transaction=True)
def test_a_new_snapshot_has_the_planner_statistics_gathered_after_it(org):
    tasks.take_weekly_snapshot.enqueue(week=WEEK)
    run_worker()
    statistics = DBTaskResult.objects.get(task_path="kam.jobs.tasks.refresh_planner_statistics")
    assert statistics.status == "SUCCESSFUL"
    # Only what the snapshot wrote: a whole-database ANALYZE of this nearly empty test
    # database would leave the planner sure that every table is empty for later tests.
    assert statistics.args_kwargs["kwargs"] == {"tables": forecast_services.SNAPSHOT_TABLES}
    with connection.cursor() as cursor:  # ANALYZE left the planner something to read
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'forecasting_snapshotweek'"
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_user_tables WHERE relname = "
                "'forecasting_pipelinesnapshot' AND (last_analyze IS NOT NULL)"
            )
        assert cursor.fetchone()[0] > 0
    tasks.take_weekly_snapshot.enqueue(week=WEEK)  # already taken: nothing new to analyse
    run_worker()
    assert (
        DBTaskResult.objects.filter(task_path="kam.jobs.tasks.refresh_planner_statistics").count()
        == 1
    )


def test_kam_analyze_reports_the_database_and_the_time(db, monkeypatch):
    from kam.core.management.commands import analyze

    calls = []
    monkeypatch.setattr(analyze, "gather_planner_statistics", lambda: calls.append(1) or 1.25)
    out = StringIO()
    call_command("analyze", stdout=out)
    assert calls == [1]
    assert out.getvalue().strip() == f"ANALYZE on {connection.vendor}: 1.2 s"


@pytest.mark.django_db
def test_a_job_called_directly_still_fails_loudly_and_queues_its_retry(org, monkeypatch):
    Fault(monkeypatch, times=1)
    with pytest.raises(OperationalError):
        tasks.take_weekly_snapshot.call(week=WEEK)
    retry = DBTaskResult.objects.get()
    assert retry.args_kwargs["kwargs"][ATTEMPT] == 2
    assert retry.run_after > timezone.now() + timedelta(minutes=4)


@pytest.mark.django_db(transaction=True)
def test_a_job_refused_by_a_business_rule_is_not_tried_again(org):
    tasks.take_weekly_snapshot.enqueue(week="2020-01-06")  # long over: refused
    run_worker()
    assert not DBTaskResult.objects.filter(status="READY").exists()
    failure = JobFailure.objects.get()
    assert failure.attempts == 1 and "ValidationError" in failure.error
