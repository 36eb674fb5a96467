"""Key-account plans: goals, growth levers, the whitespace map, objectives and actions
(DOMAIN.md §1.5, §1.7), and their governance: review, resources and the checklist of the
key-account strategy and principles (COACHING.md §11)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
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


class PlanStatus(models.TextChoices):
    """Where a plan is in its review: the owner submits, the owner's manager approves or
    sends it back with comments (§1.5: senior management reviews plans one by one)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting review")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Sent back")


class ChecklistItem(models.TextChoices):
    """The four-step key-account strategy and the ten principles of key-account
    management (COACHING.md §11.1, §11.2), ticked on each plan."""

    STEP_GROUPS = "step_groups", _("Identify the main customer groups and rank them")
    STEP_GOALS = "step_goals", _("Set clear goals and establish the sales potential")
    STEP_VALUE = "step_value", _("Develop a competitive value proposition")
    STEP_ROLES = "step_roles", _("Define the sales force's roles and tasks")
    KNOW_CUSTOMER = "know_customer", _("Know your customer better than the customer does")
    WALK_AHEAD = "walk_ahead", _("Walk ahead of your customer instead of following it")
    RELATIONSHIPS = "relationships", _("Managing an account is managing relationships")
    SOLVE_PROBLEMS = "solve_problems", _("Fit the remedy to the symptom: solve its problems")
    INITIATIVE = "initiative", _("Take the initiative instead of passively accepting")
    FINANCIAL_FIGURES = "financial_figures", _("Arm yourself with financial figures")
    PROCESS = "process", _("Value the process of developing the customer, not only results")
    SPREAD_SUCCESS = "spread_success", _("Spread what works through the company")
    LEARN_FROM_OTHERS = "learn_from_others", _("Learn creatively from other companies")
    CROSS_FUNCTIONAL_TEAM = (
        "cross_functional_team",
        _("Build a key-account team across functions and regions"),
    )


#: The four steps of the key-account strategy, in order; the rest are the ten principles.
STRATEGY_STEPS = [
    ChecklistItem.STEP_GROUPS,
    ChecklistItem.STEP_GOALS,
    ChecklistItem.STEP_VALUE,
    ChecklistItem.STEP_ROLES,
]
PRINCIPLES = [item for item in ChecklistItem if item not in STRATEGY_STEPS]


def validate_checklist(value: Any) -> None:
    """A plan's checklist is a list of the items' keys, each at most once."""
    if not isinstance(value, list) or not all(isinstance(key, str) for key in value):
        raise ValidationError(_("The checklist is a list of item keys."))
    unknown = sorted(set(value) - set(ChecklistItem.values))
    if unknown:
        raise ValidationError(
            _("Not an item of the checklist: %(keys)s."), params={"keys": ", ".join(unknown)}
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("Tick each item of the checklist once."))


class AccountPlan(Versioned):
    """A key-account plan for one year (§1.5, §1.7), reviewed by the owner's manager and
    given the time, people and money it asks for once approved."""

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

    # Governance: the review (§1.5) and the resources it allocates (§1.4).
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    allocated_hours = models.DecimalField(
        _("allocated hours"),
        max_digits=10,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(10_000_000))],
    )
    allocated_people = models.PositiveIntegerField(
        _("allocated people"), default=0, validators=[MaxValueValidator(100_000)]
    )
    allocated_budget = MoneyField(
        _("allocated budget"),
        default=0,
        validators=NON_NEGATIVE_MONEY,
    )
    checklist = models.JSONField(
        _("checklist"), default=list, blank=True, validators=[validate_checklist]
    )

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["account", "year"], name="unique_account_plan")
        ]
        verbose_name = _("account plan")
        verbose_name_plural = _("account plans")

    def __str__(self) -> str:
        return f"{self.account} {self.year}"


class PlanReview(models.Model):
    """One step of a plan's review, kept as its history: who submitted, approved or sent
    it back, when, and the reviewer's comments."""

    class Step(models.TextChoices):
        SUBMIT = "submit", _("Submitted")
        APPROVE = "approve", _("Approved")
        RETURN = "return", _("Sent back")

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="reviews")
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = BoundedTextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")

    def __str__(self) -> str:
        return f"{self.plan_id} {self.step}"


class PlanSettings(models.Model):
    """How often a key account's plan must be reviewed; edited by administrators (one row)."""

    review_days = models.PositiveSmallIntegerField(
        _("review a key account's plan every (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3660)],
        help_text=_("A key account whose plan was last approved longer ago is flagged."),
    )

    class Meta:
        verbose_name = _("plan settings")
        verbose_name_plural = _("plan settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> PlanSettings:
        row, _created = cls.objects.get_or_create(pk=1)
        return row


class LeverKind(models.TextChoices):
    """Growth levers (§1.5): four with an existing customer, two with new customers."""

    RAISE_USAGE = "raise_usage", _("Raise usage of current products")
    CROSS_SELL = "cross_sell", _("Cross-sell other products or services")
    PRICE_MIX = "price_mix", _("Raise price or improve the mix")
    DROP_UNPROFITABLE = "drop_unprofitable", _("Drop unprofitable business")
    NEW_CORE_INDUSTRY = "new_core_industry", _("New customers in the core industry")
    NEW_OTHER_INDUSTRY = "new_other_industry", _("New customers in unrelated industries")


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
