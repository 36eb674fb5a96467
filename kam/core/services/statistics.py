"""The database's planner statistics, gathered so it keeps choosing the indexes KAM's
pages are built on.

PostgreSQL's autovacuum analyses tables on its own once enough rows change; SQLite
never does, and without statistics its planner guesses (measured on the large tenant:
17 pages over their floor without, 9 with). KAM therefore gathers them itself: after
each weekly snapshot (a background job), and whenever an operator runs
``kam analyze``. On SQLite the scan is sampled (``analysis_limit``), so it takes
seconds on a tenant of millions of rows.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from django.db import connection

SQLITE_ANALYSIS_LIMIT = 1000  # rows sampled per index; SQLite's documented suggestion


def gather_planner_statistics(*, vacuum: bool = False, tables: Sequence[str] = ()) -> float:
    """Run ANALYZE on the whole database (or on ``tables``); returns the seconds it took.

    ``vacuum`` (PostgreSQL, outside a transaction) runs ``VACUUM (ANALYZE)`` instead,
    which also marks the pages all-visible, so covering indexes are read without the
    table: what autovacuum does in time for rows loaded in bulk.
    """
    started = time.monotonic()
    names = [connection.ops.quote_name(t) for t in tables] or [""]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
            for name in names:
                cursor.execute(f"ANALYZE {name}")
        else:
            # VACUUM cannot run in a transaction (a test's, say): ANALYZE then.
            wanted = vacuum and not connection.in_atomic_block
            command = "VACUUM (ANALYZE)" if wanted else "ANALYZE"
            cursor.execute(f"{command} {', '.join(names)}")
    return time.monotonic() - started


def autovacuum_is_off() -> bool:
    """Whether the PostgreSQL server runs without autovacuum (KAM's indexes then go stale)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        row = cursor.fetchone()
    return bool(row) and row[0] == "off"
