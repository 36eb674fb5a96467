"""Bounds that catch typing mistakes in the accounts' figures."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator

# Bounds that catch typing mistakes: no customer spends or earns more than this in a year.
MAX_MONEY = Decimal("1000000000000")  # one trillion
NON_NEGATIVE_MONEY = [MinValueValidator(Decimal(0)), MaxValueValidator(MAX_MONEY)]
SIGNED_MONEY = [MinValueValidator(-MAX_MONEY), MaxValueValidator(MAX_MONEY)]
PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]
SCORE_0_5 = [MinValueValidator(0), MaxValueValidator(5)]
SCORE_1_5 = [MinValueValidator(1), MaxValueValidator(5)]
YEAR = [MinValueValidator(1900), MaxValueValidator(2200)]
