"""One money field: the same precision everywhere, adopted without a migration."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from rest_framework import serializers

from kam.core.money import MoneyField, money_serializer_field


def test_a_money_field_is_a_sixteen_two_decimal_that_migrations_see_as_plain() -> None:
    field = MoneyField("amount", default=Decimal(0))
    assert (field.max_digits, field.decimal_places) == (16, 2)
    _name, path, _args, kwargs = field.deconstruct()
    plain = models.DecimalField("amount", max_digits=16, decimal_places=2, default=Decimal(0))
    assert path == "django.db.models.DecimalField"
    assert kwargs == plain.deconstruct()[3]


def test_the_api_field_writes_two_places_and_refuses_a_third() -> None:
    field = money_serializer_field()
    assert field.to_representation(Decimal("1234.5")) == "1234.50"
    try:
        field.run_validation("1.234")
    except serializers.ValidationError:
        pass
    else:
        raise AssertionError("three decimal places were accepted")
