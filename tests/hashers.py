"""A cheap Argon2 for the test suite: the same algorithm and hash format, a tiny cost.

Users are created by the hundred in tests; at production cost each takes a third of
a second on this machine's two cores."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 64
    parallelism = 1
