"""Opportunities and the configurable funnel (DOMAIN.md §3)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kam.core.models import Versioned


class BilingualName(models.Model):
    """A configured label in both UI languages (labels are data, §3.1)."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        language = (get_language() or "zh-hans").lower()
        return self.name_zh if language.startswith("zh") else self.name_en

    def __str__(self) -> str:
        return self.name


class StageModel(BilingualName):
    """A funnel: an ordered list of stages with win rates and exit criteria."""

    key = models.SlugField(_("key"), max_length=50, unique=True)
    is_default = models.BooleanField(_("default model"), default=False)

    class Meta:
        verbose_name = _("stage model")
        verbose_name_plural = _("stage models")


class Stage(BilingualName):
    """One stage of a funnel, with its configured win rate (§3.1)."""

    model = models.ForeignKey(StageModel, on_delete=models.CASCADE, related_name="stages")
    key = models.SlugField(_("key"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"))
    win_rate = models.DecimalField(
        _("win rate (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    our_step_zh = models.CharField(_("our step (Chinese)"), max_length=100, blank=True)
    our_step_en = models.CharField(_("our step (English)"), max_length=100, blank=True)
    exit_criteria_zh = models.TextField(_("exit criteria (Chinese)"), blank=True)
    exit_criteria_en = models.TextField(_("exit criteria (English)"), blank=True)

    class Meta:
        ordering = ["model", "order"]
        constraints = [
            models.UniqueConstraint(fields=["model", "key"], name="unique_stage_key"),
            models.UniqueConstraint(fields=["model", "order"], name="unique_stage_order"),
        ]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")

    @property
    def exit_criteria(self) -> str:
        language = (get_language() or "zh-hans").lower()
        return self.exit_criteria_zh if language.startswith("zh") else self.exit_criteria_en

    @property
    def our_step(self) -> str:
        language = (get_language() or "zh-hans").lower()
        return self.our_step_zh if language.startswith("zh") else self.our_step_en


class Status(models.TextChoices):
    """Won and lost are terminal states, not stages (issue 5)."""

    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    NO_DECISION = "no_decision", _("No decision")


class ForecastCategory(models.TextChoices):
    """The owner's own call on a deal, beside the stage (issue 6)."""

    COMMIT = "commit", _("Commit")
    BEST_CASE = "best_case", _("Best case")
    PIPELINE = "pipeline", _("Pipeline")
    OMITTED = "omitted", _("Omitted")


class Opportunity(Versioned):
    """A sales opportunity at an account, moving down a funnel."""

    account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    name = models.CharField(_("name"), max_length=200)
    amount = models.DecimalField(
        _("amount"),
        max_digits=16,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="opportunities"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    expected_close_date = models.DateField(_("expected close date"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True, db_index=True)
    forecast_category = models.CharField(
        _("forecast category"),
        max_length=20,
        choices=ForecastCategory.choices,
        default=ForecastCategory.PIPELINE,
    )

    class Meta:
        ordering = ["expected_close_date", "pk"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [
            models.Index(fields=["status", "stage"]),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["account", "status"]),
        ]

    def __str__(self) -> str:
        return self.name


class StageChange(models.Model):
    """Append-only history of an opportunity's stage and status (issue 5).

    One row when the opportunity is created (``from_stage`` empty) and one per
    move or close; "reached stage X" and "time in stage" are read from here.
    """

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    changed_at = models.DateTimeField(db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["opportunity", "changed_at", "pk"]
        indexes = [models.Index(fields=["to_stage", "changed_at"])]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_stage_id} → {self.to_stage_id}"


class SmallSale(models.Model):
    """An order below the funnel threshold, kept out of the funnel (DOMAIN.md §5.3).

    Still counted in sales and in the forecast and progress formulas.
    """

    account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="small_sales",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="small_sales",
    )
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(
        _("amount"), max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    sold_on = models.DateField(_("sold on"), db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sold_on", "-pk"]
        verbose_name = _("off-funnel sale")
        verbose_name_plural = _("off-funnel sales")

    def __str__(self) -> str:
        return self.description
