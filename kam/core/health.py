"""Probes for load balancers and containers: ``/healthz`` (the process answers) and
``/readyz`` (it can do its work: database reachable, migrations applied, job queue
readable). Neither needs signing in; neither touches the session."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks_db.models import DBTaskResult


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: answers without asking the database, so a slow database does not get
    healthy app servers restarted."""
    return JsonResponse({"status": "ok"})


def _not_ready_reason() -> str | None:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return f"database unreachable: {exc.__class__.__name__}"
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return f"migrations unreadable: {exc.__class__.__name__}"
    if pending:
        return f"{len(pending)} migrations not applied: run kam migrate"
    try:
        DBTaskResult.objects.exists()
    except DatabaseError as exc:
        return f"job queue unreachable: {exc.__class__.__name__}"
    return None


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: 503 with the reason while this server cannot serve pages."""
    reason = _not_ready_reason()
    if reason:
        return JsonResponse({"status": "unavailable", "reason": reason}, status=503)
    return JsonResponse({"status": "ok"})
