"""Money in the database as whole cents, so sums are exact on SQLite as on PostgreSQL.

SQLite keeps a decimal column's values as floating point numbers: a ``SUM`` of them can
be a crumb off, and each value read back goes through a float-to-decimal conversion.
Summed as integers of cents, the total is exact on both databases and costs one
integer per row to read.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import BigIntegerField, Func

HUNDRED = Decimal(100)


#: The SQL of an amount (or any two-decimal number) as a whole number of hundredths, for
#: queries written out in SQL: ``CENTS_SQL % {"expressions": "column"}``.
CENTS_SQL = "CAST(ROUND((%(expressions)s) * 100) AS BIGINT)"


class _Cents(Func):
    # Written out, not as Cast(Round(... * 100)): on SQLite Django wraps each of those
    # steps in CAST(... AS NUMERIC), five casts per row for the same integer.
    template = CENTS_SQL
    output_field = BigIntegerField()


def cents(expression: Any) -> Func:
    """An amount expression as whole cents (an integer), so a SUM is exact everywhere."""
    return _Cents(expression)


def from_cents(cents: int | None) -> Decimal:
    """Whole cents from a database sum → an exact Decimal amount."""
    return Decimal(int(cents or 0)) / HUNDRED
