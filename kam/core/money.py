"""Money in the database as whole cents, so sums are exact on SQLite as on PostgreSQL.

SQLite keeps a decimal column's values as floating point numbers: a ``SUM`` of them can
be a crumb off, and each value read back goes through a float-to-decimal conversion.
Summed as integers of cents, the total is exact on both databases and costs one
integer per row to read.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import BigIntegerField, DecimalField, Func

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


#: An amount of money: up to 99 trillion with cents, the same everywhere.
MONEY_DIGITS = 16
MONEY_PLACES = 2


class MoneyField(DecimalField):
    """An amount of money in a model: ``DecimalField(max_digits=16, decimal_places=2)``.

    Declared once so that every amount has the same precision. It deconstructs as the
    plain ``DecimalField`` it is, so adopting it costs no migration and a later change of
    precision shows up as an ordinary ``AlterField``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", MONEY_DIGITS)
        kwargs.setdefault("decimal_places", MONEY_PLACES)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs


def money_serializer_field(**kwargs: Any) -> Any:
    """The API's field for an amount: a decimal string with two places (``"1234.50"``)."""
    from rest_framework import serializers

    kwargs.setdefault("max_digits", MONEY_DIGITS + 2)
    kwargs.setdefault("decimal_places", MONEY_PLACES)
    return serializers.DecimalField(**kwargs)
