"""Customer accounts, their segments and their team (DOMAIN.md §1.1, §1.3, §1.4)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.accounts.models.bounds import NON_NEGATIVE_MONEY, PERCENT, SCORE_0_5, SIGNED_MONEY, YEAR
from kam.core.fields import BoundedTextField
from kam.core.models import Versioned
from kam.core.money import MoneyField


class Nature(models.TextChoices):
    """Ownership nature of a customer (§1.1)."""

    STATE_OWNED = "state_owned", _("State-owned")
    PRIVATE = "private", _("Private")
    FOREIGN = "foreign", _("Foreign-invested")
    JOINT_VENTURE = "joint_venture", _("Joint venture")
    GOVERNMENT = "government", _("Government or public institution")
    OTHER = "other", _("Other")


class Industry(models.TextChoices):
    TELECOM = "telecom", _("Telecommunications")
    ENERGY = "energy", _("Energy and utilities")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    FINANCE = "finance", _("Banking and finance")
    TRANSPORT = "transport", _("Transport and logistics")
    HEALTHCARE = "healthcare", _("Healthcare")
    EDUCATION = "education", _("Education")
    GOVERNMENT = "government", _("Government")
    RETAIL = "retail", _("Retail")
    INTERNET = "internet", _("Internet and media")
    CONSTRUCTION = "construction", _("Construction and real estate")
    OTHER = "other", _("Other")


class Tier(models.TextChoices):
    """The customer value pyramid (§1.3)."""

    KEY = "key", _("Key account")
    IMPORTANT = "important", _("Important account")
    GENERAL = "general", _("General account")


class Scale(models.TextChoices):
    """Size segment of a customer (§1.3)."""

    LARGE = "large", _("Large enterprise or agency")
    SME = "sme", _("Small or medium enterprise")
    RESIDENTIAL = "residential", _("Residential")


class Attitude(models.TextChoices):
    """The customer's attitude toward us and what we sell: a segmentation field (§1.3)."""

    ENTHUSIASTIC = "enthusiastic", _("Enthusiastic")
    POSITIVE = "positive", _("Positive")
    INDIFFERENT = "indifferent", _("Indifferent")
    NEGATIVE = "negative", _("Negative")
    HOSTILE = "hostile", _("Hostile")


class ProductUsage(models.TextChoices):
    """How the customer uses products like ours: a segmentation field (§1.3)."""

    NON_USER = "non_user", _("Non-user")
    FORMER = "former", _("Former user")
    FIRST_TIME = "first_time", _("First-time user")
    LIGHT = "light", _("Light user")
    HEAVY = "heavy", _("Heavy user")


class CreditStanding(models.TextChoices):
    """The customer's credit standing as we judge it (§1.2 criterion 5)."""

    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    POOR = "poor", _("Poor")


class Strategy(models.TextChoices):
    """The attack / defend segmentation (§1.4): what we do with an account."""

    ACQUIRE = "acquire", _("Acquire")
    RETAIN = "retain", _("Retain")
    MAINTAIN = "maintain", _("Maintain")
    INTRUDE = "intrude", _("Intrude")
    LET_GO = "let_go", _("Let go")


class Account(Versioned):
    """A customer organisation: the root everything else hangs off."""

    name = models.CharField(_("name"), max_length=200, db_index=True)
    industry = models.CharField(
        _("industry"), max_length=30, choices=Industry.choices, default=Industry.OTHER
    )
    nature = models.CharField(
        _("nature"), max_length=30, choices=Nature.choices, default=Nature.PRIVATE
    )
    city = models.CharField(_("city"), max_length=60, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_accounts",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent company"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subsidiaries",
    )
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices, default=Tier.GENERAL)

    # Identity (§1.1)
    business = BoundedTextField(_("main business"), blank=True)
    scale = models.CharField(_("scale"), max_length=20, choices=Scale.choices, default=Scale.LARGE)
    attitude = models.CharField(
        _("attitude toward us"), max_length=20, choices=Attitude.choices, blank=True
    )
    product_usage = models.CharField(
        _("product usage"), max_length=20, choices=ProductUsage.choices, blank=True
    )
    employees = models.PositiveIntegerField(
        _("employees"), null=True, blank=True, validators=[MaxValueValidator(10_000_000)]
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    post_code = models.CharField(_("post code"), max_length=12, blank=True)
    website = models.URLField(_("website"), blank=True)

    # Current situation (§1.1)
    business_status = BoundedTextField(_("business status"), blank=True)
    competitive_environment = BoundedTextField(_("competitive environment"), blank=True)
    core_business_structure = BoundedTextField(_("core business structure"), blank=True)
    financial_year = models.PositiveSmallIntegerField(
        _("financial year"), null=True, blank=True, validators=YEAR
    )
    annual_revenue = MoneyField(
        _("revenue this year"),
        null=True,
        blank=True,
        validators=NON_NEGATIVE_MONEY,
    )
    annual_profit = MoneyField(
        _("profit this year"),
        null=True,
        blank=True,
        validators=SIGNED_MONEY,
    )
    purchase_potential = MoneyField(
        _("purchase potential per year"),
        null=True,
        blank=True,
        validators=NON_NEGATIVE_MONEY,
        help_text=_("What the customer spends per year on products and services like ours."),
    )

    # Qualification inputs entered by hand (§1.2); the rest is computed from the data.
    margin_pct = models.DecimalField(
        _("average margin (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
    )
    payment_cycle_days = models.PositiveSmallIntegerField(
        _("payment cycle (days)"), null=True, blank=True, validators=[MaxValueValidator(3650)]
    )
    credit_standing = models.CharField(
        _("credit standing"),
        max_length=10,
        choices=CreditStanding.choices,
        blank=True,
        help_text=_("As we judge it; a credit hold recorded by finance counts as poor."),
    )
    goal_access = models.PositiveSmallIntegerField(
        _("access to its business goals (0-5)"), null=True, blank=True, validators=SCORE_0_5
    )
    openness = models.PositiveSmallIntegerField(
        _("open to our ideas (0-5)"), null=True, blank=True, validators=SCORE_0_5
    )
    qualification_score = models.DecimalField(
        _("qualification score"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    qualified_at = models.DateTimeField(_("qualified at"), null=True, blank=True)
    tier_overridden = models.BooleanField(_("tier set by hand"), default=False)
    tier_override_reason = BoundedTextField(_("why the tier was set by hand"), blank=True)
    tier_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tier set by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    tier_override_at = models.DateTimeField(_("tier set at"), null=True, blank=True)
    segment = models.CharField(
        _("segment"), max_length=20, choices=Strategy.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        indexes = [
            models.Index(fields=["owner", "name"]),
            # The pyramid's and the matrix's counts per tier and per segment read these
            # small indexes, not every account's row.
            models.Index(fields=["tier"], name="accounts_by_tier"),
            models.Index(fields=["segment"], name="accounts_by_segment"),
        ]

    def __str__(self) -> str:
        return self.name


class AccountMember(models.Model):
    """A colleague on the account team besides the owner."""

    class TeamRole(models.TextChoices):
        SALES = "sales", _("Sales")
        PRESALES = "presales", _("Pre-sales engineer")
        SERVICE = "service", _("Service")
        EXECUTIVE_SPONSOR = "executive_sponsor", _("Executive sponsor")
        FINANCE = "finance", _("Finance")
        OTHER = "other", _("Other")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_memberships"
    )
    role = models.CharField(
        _("role on the account"), max_length=30, choices=TeamRole.choices, default=TeamRole.SALES
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "user"], name="unique_account_member")
        ]
        verbose_name = _("account team member")
        verbose_name_plural = _("account team members")

    def __str__(self) -> str:
        return f"{self.account} · {self.user}"


class AccountItem(models.Model):
    """Something recorded about one account; written by the account item services."""

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
