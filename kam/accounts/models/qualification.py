"""The company's qualification criteria, tier and matrix thresholds, and resource
allocation per strategy (DOMAIN.md §1.2-§1.4); data edited by administrators."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.accounts.models.accounts import Strategy
from kam.accounts.models.bounds import NON_NEGATIVE_MONEY, PERCENT, YEAR
from kam.core.models import BilingualName
from kam.core.money import MoneyField


class QualificationCriterion(BilingualName):
    """One of the seven key-account criteria (§1.2) with the company's weight and scale.

    A measured value scores 0 at ``zero_at`` and 100 at ``full_at``, linearly in
    between (``zero_at`` above ``full_at`` means lower is better, e.g. payment days).
    """

    key = models.SlugField(_("key"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, validators=PERCENT)
    zero_at = models.DecimalField(_("scores 0 at"), max_digits=16, decimal_places=2)
    full_at = models.DecimalField(_("scores 100 at"), max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["order"]
        verbose_name = _("qualification criterion")
        verbose_name_plural = _("qualification criteria")


class AccountPolicy(models.Model):
    """The company's thresholds for tiers (§1.3) and for the attack / defend matrix (§1.4).

    One row, seeded by a migration and edited by administrators.
    """

    key_min_score = models.DecimalField(
        _("key account from score"), max_digits=5, decimal_places=1, validators=PERCENT
    )
    important_min_score = models.DecimalField(
        _("important account from score"), max_digits=5, decimal_places=1, validators=PERCENT
    )
    high_potential_from = MoneyField(
        _("high purchase potential from"),
        validators=NON_NEGATIVE_MONEY,
    )
    high_share_from_pct = models.DecimalField(
        _("high share of wallet from (%)"), max_digits=5, decimal_places=2, validators=PERCENT
    )
    intrude_below_pct = models.DecimalField(
        _("competitor stronghold below share (%)"),
        max_digits=5,
        decimal_places=2,
        validators=PERCENT,
    )

    class Meta:
        verbose_name = _("account policy")
        verbose_name_plural = _("account policy")

    def __str__(self) -> str:
        return str(_("Account policy"))


class StrategyAllocation(models.Model):
    """Planned time, people and money per attack / defend strategy for a year (§1.4)."""

    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR)
    strategy = models.CharField(_("strategy"), max_length=20, choices=Strategy.choices)
    planned_hours = models.DecimalField(
        _("planned hours"),
        max_digits=10,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(10_000_000))],
    )
    planned_people = models.PositiveIntegerField(
        _("planned people"), default=0, validators=[MaxValueValidator(100_000)]
    )
    planned_budget = MoneyField(
        _("planned budget"),
        default=0,
        validators=NON_NEGATIVE_MONEY,
    )

    class Meta:
        ordering = ["year", "strategy"]
        constraints = [
            models.UniqueConstraint(fields=["year", "strategy"], name="unique_allocation")
        ]
        verbose_name = _("resource allocation")
        verbose_name_plural = _("resource allocations")

    def __str__(self) -> str:
        return f"{self.year} {self.strategy}"
