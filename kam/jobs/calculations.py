"""When a failed job is tried again: pure arithmetic, tested without a database."""

from __future__ import annotations

from datetime import timedelta

MAX_DELAY = timedelta(hours=6)


def backoff_delay(failed_attempt: int, base: timedelta) -> timedelta:
    """The wait before the try after ``failed_attempt`` (1-based): base, 2×base, 4×base...

    Doubling spreads the retries out while the cause (a database restart, a full disk)
    goes away; the cap keeps a job with many attempts from waiting for days.
    """
    if failed_attempt < 1:
        raise ValueError("attempts are counted from 1")
    return min(base * 2 ** (failed_attempt - 1), MAX_DELAY)
