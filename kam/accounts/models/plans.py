"""Key-account plans: goals, growth levers, the whitespace map, objectives and actions
(DOMAIN.md §1.5, §1.7)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.accounts.models.accounts import Account
from kam.accounts.models.bounds import NON_NEGATIVE_MONEY, PERCENT, SCORE_1_5, SIGNED_MONEY, YEAR
from kam.accounts.models.items import Horizon
from kam.core.fields import BoundedTextField
from kam.core.models import BilingualName, Versioned
from kam.core.money import MoneyField


class ProductLine(BilingualName):
    """One of our product lines, the columns of the whitespace map (§1.5); data."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order"]
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")


class AccountPlan(Versioned):
    """A key-account plan for one year (§1.5, §1.7)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="plans")
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR)
    revenue_goal = MoneyField(
        _("revenue goal"),
        null=True,
        blank=True,
        validators=NON_NEGATIVE_MONEY,
    )
    profit_goal = MoneyField(
        _("profit goal"),
        null=True,
        blank=True,
        validators=SIGNED_MONEY,
    )
    share_goal_pct = models.DecimalField(
        _("share of wallet goal (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
    )
    value_proposition = BoundedTextField(_("value proposition"), blank=True)
    short_term_focus = BoundedTextField(_("short-term focus"), blank=True)
    long_term_focus = BoundedTextField(_("long-term focus"), blank=True)

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["account", "year"], name="unique_account_plan")
        ]
        verbose_name = _("account plan")
        verbose_name_plural = _("account plans")

    def __str__(self) -> str:
        return f"{self.account} {self.year}"


class LeverKind(models.TextChoices):
    """Growth levers with an existing customer (§1.5)."""

    RAISE_USAGE = "raise_usage", _("Raise usage of current products")
    CROSS_SELL = "cross_sell", _("Cross-sell other products or services")
    PRICE_MIX = "price_mix", _("Raise price or improve the mix")
    DROP_UNPROFITABLE = "drop_unprofitable", _("Drop unprofitable business")


class GrowthLever(models.Model):
    """A growth opportunity in a plan, ranked on the priority matrix (§1.5)."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="levers")
    kind = models.CharField(_("lever"), max_length=30, choices=LeverKind.choices)
    description = BoundedTextField(_("description"))
    expected_revenue = MoneyField(
        _("expected revenue"),
        default=0,
        validators=SIGNED_MONEY,
    )
    attractiveness = models.PositiveSmallIntegerField(
        _("attractiveness (1-5)"), default=3, validators=SCORE_1_5
    )
    probability = models.PositiveSmallIntegerField(
        _("probability of success (1-5)"), default=3, validators=SCORE_1_5
    )
    horizon = models.CharField(
        _("horizon"), max_length=10, choices=Horizon.choices, default=Horizon.SHORT
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("growth lever")
        verbose_name_plural = _("growth levers")

    def __str__(self) -> str:
        return self.description[:60]


class WhitespaceStatus(models.TextChoices):
    BOUGHT = "bought", _("Bought from us")
    OPPORTUNITY = "opportunity", _("Opportunity")
    COMPETITOR = "competitor", _("With a competitor")
    NOT_APPLICABLE = "na", _("Not applicable")


class WhitespaceCell(models.Model):
    """One cell of the whitespace map: a product line at a business unit (§1.5)."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="whitespace")
    unit = models.CharField(_("business unit or subsidiary"), max_length=200)
    product_line = models.ForeignKey(
        ProductLine, verbose_name=_("product line"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=WhitespaceStatus.choices)

    class Meta:
        ordering = ["unit", "product_line__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "unit", "product_line"], name="unique_whitespace_cell"
            )
        ]
        verbose_name = _("whitespace cell")
        verbose_name_plural = _("whitespace map")

    def __str__(self) -> str:
        return f"{self.unit} × {self.product_line_id}"


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class PlanObjective(models.Model):
    """An objective of an account plan, measured by the customer's result (§1.5)."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="objectives")
    text = models.CharField(_("objective"), max_length=300)
    measure = models.CharField(_("how it is measured"), max_length=200, blank=True)
    horizon = models.CharField(
        _("horizon"), max_length=10, choices=Horizon.choices, default=Horizon.SHORT
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")

    def __str__(self) -> str:
        return self.text


class PlanAction(models.Model):
    """An action towards an objective, with an owner and a due date (§1.5)."""

    objective = models.ForeignKey(PlanObjective, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="plan_actions",
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    activity = models.ForeignKey(
        "activities.Activity",
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opportunity = models.ForeignKey(
        "pipeline.Opportunity",
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return self.text
