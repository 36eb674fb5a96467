"""The database's planner statistics, gathered so it keeps choosing the indexes KAM's
pages are built on (issue 9).

PostgreSQL's autovacuum analyses tables on its own once enough rows change; SQLite
never does, and without statistics its planner guesses (measured on the large tenant:
17 pages over their floor without, 9 with). KAM therefore gathers them itself: after
each weekly snapshot (a background job), and whenever an operator runs
``kam analyze``. On SQLite the scan is sampled (``analysis_limit``), so it takes
seconds on a tenant of millions of rows.
"""

from __future__ import annotations

import time

from django.db import connection

SQLITE_ANALYSIS_LIMIT = 1000  # rows sampled per index; SQLite's documented suggestion


def gather_planner_statistics() -> float:
    """Run ANALYZE on the whole database; returns the seconds it took."""
    started = time.monotonic()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
    return time.monotonic() - started
