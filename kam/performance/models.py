"""Team performance: rep skills, the balanced scorecard and customer loyalty surveys
(DOMAIN.md §1.4, §1.5, §7)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.core.fields import BoundedTextField
from kam.core.models import BilingualName, Versioned
from kam.core.money import MoneyField

LEVEL = [MinValueValidator(1), MaxValueValidator(3)]
RATING = [MinValueValidator(1), MaxValueValidator(5)]
WEIGHT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class SkillDimension(models.TextChoices):
    """The five dimensions a rep's skill level is judged on (§7)."""

    CUSTOMER_ACCEPTANCE = "customer_acceptance", _("Customer acceptance")
    SERVICE_RESPONSE = "service_response", _("Service response")
    INTERNAL_RELATIONSHIPS = "internal_relationships", _("Internal relationships")
    RESOURCE_USE = "resource_use", _("Use of sales resources")
    RESULTS = "results", _("Results")


class SkillAssessment(models.Model):
    """A manager's judgement of one rep at one date, level 1-3 on each dimension (§7).

    Assessments are history: a new judgement is a new row, never an edit.
    """

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sales rep"),
        on_delete=models.CASCADE,
        related_name="skill_assessments",
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assessed_on = models.DateField(_("assessed on"), db_index=True)
    customer_acceptance = models.PositiveSmallIntegerField(
        _("customer acceptance"), validators=LEVEL
    )
    service_response = models.PositiveSmallIntegerField(_("service response"), validators=LEVEL)
    internal_relationships = models.PositiveSmallIntegerField(
        _("internal relationships"), validators=LEVEL
    )
    resource_use = models.PositiveSmallIntegerField(_("use of sales resources"), validators=LEVEL)
    results = models.PositiveSmallIntegerField(_("results"), validators=LEVEL)
    note = BoundedTextField(_("note for the coaching conversation"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        verbose_name = _("skill assessment")
        verbose_name_plural = _("skill assessments")
        indexes = [models.Index(fields=["rep", "assessed_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(customer_acceptance__gte=1, customer_acceptance__lte=3)
                & models.Q(service_response__gte=1, service_response__lte=3)
                & models.Q(internal_relationships__gte=1, internal_relationships__lte=3)
                & models.Q(resource_use__gte=1, resource_use__lte=3)
                & models.Q(results__gte=1, results__lte=3),
                name="perf_skill_levels_1_to_3",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rep} {self.assessed_on:%Y-%m-%d}"

    @property
    def levels(self) -> list[tuple[str, str, int]]:
        return [(d.value, str(d.label), getattr(self, d.value)) for d in SkillDimension]


class Perspective(models.TextChoices):
    """The four perspectives of the balanced scorecard (§1.4)."""

    FINANCIAL = "financial", _("Financial")
    CUSTOMER = "customer", _("Customer")
    PROCESS = "process", _("Process")
    PEOPLE = "people", _("People")


class Posture(models.TextChoices):
    """Attack, defend or maintain: how the scorecard weighs an account (§1.4)."""

    ATTACK = "attack", _("Attack")
    DEFEND = "defend", _("Defend")
    MAINTAIN = "maintain", _("Maintain")


class ScorecardIndicator(BilingualName, Versioned):
    """One indicator of the balanced scorecard with its target and weights per posture.

    Seeded by a data migration and edited by administrators; ``key`` names the
    figure computed by :mod:`kam.performance.selectors`.
    """

    key = models.SlugField(_("key"), max_length=40, unique=True)
    perspective = models.CharField(_("perspective"), max_length=20, choices=Perspective.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    target = models.DecimalField(
        _("target"),
        max_digits=16,
        decimal_places=2,
        help_text=_("Used where no sales target is set in the forecast."),
    )
    weight_attack = models.DecimalField(
        _("weight on attack accounts"), max_digits=5, decimal_places=2, validators=WEIGHT
    )
    weight_defend = models.DecimalField(
        _("weight on defend accounts"), max_digits=5, decimal_places=2, validators=WEIGHT
    )
    weight_maintain = models.DecimalField(
        _("weight on maintain accounts"), max_digits=5, decimal_places=2, validators=WEIGHT
    )

    class Meta:
        ordering = ["order"]
        verbose_name = _("scorecard indicator")
        verbose_name_plural = _("scorecard indicators")

    def weight(self, posture: str) -> Decimal:
        return Decimal(getattr(self, f"weight_{posture}"))


class PerformanceSettings(Versioned):
    """The company's figures for costing time and reading loyalty; one row."""

    hourly_cost = MoneyField(
        _("cost of one hour of a rep (CNY)"),
        max_digits=10,
        default=Decimal(300),
        validators=[MinValueValidator(Decimal(0))],
    )
    loyalty_drop_points = models.DecimalField(
        _("loyalty drop that raises a flag (points of 100)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal(10),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal(100))],
    )
    survey_valid_days = models.PositiveSmallIntegerField(
        _("days a survey link stays open"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )

    class Meta:
        verbose_name = _("performance settings")
        verbose_name_plural = _("performance settings")

    def __str__(self) -> str:
        return str(_("Performance settings"))

    @classmethod
    def current(cls) -> PerformanceSettings:
        found = cls.objects.first()
        return found if found is not None else cls.objects.create()


class SurveyLanguage(models.TextChoices):
    CHINESE = "zh-hans", "简体中文"
    ENGLISH = "en", "English"


class SurveyInvitation(models.Model):
    """A personal link to the loyalty survey for one person at a key account (§1.5).

    Only a hash of the token is kept: the link is shown once, when it is made. It
    opens without an account, until it expires or is answered once.
    """

    account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="survey_invitations",
    )
    contact = models.ForeignKey(
        "stakeholders.Contact",
        verbose_name=_("person at the customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    language = models.CharField(
        _("language"), max_length=10, choices=SurveyLanguage.choices, default="zh-hans"
    )
    expires_at = models.DateTimeField(_("link expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")

    def __str__(self) -> str:
        return f"{self.account} · {self.created_at:%Y-%m-%d}" if self.created_at else "—"


class SupplierRating(models.TextChoices):
    """How the customer rates us as a supplier (§1.5)."""

    PRODUCT_QUALITY = "product_quality", _("Quality of products and solutions")
    DELIVERY = "delivery", _("Delivery on time")
    SERVICE = "service", _("Service and support")
    RESPONSIVENESS = "responsiveness", _("Responsiveness of the account team")
    VALUE = "value", _("Value for money")


class LoyaltyIntent(models.TextChoices):
    """The customer's intent: keep buying, recommend us, resist competitors (§2.2)."""

    KEEP_BUYING = "keep_buying", _("We will keep buying from this supplier")
    RECOMMEND = "recommend", _("We would recommend this supplier to others")
    RESIST_COMPETITORS = "resist_competitors", _("A competitor's offer would not make us switch")


class SurveyResponse(models.Model):
    """One person's answers, 1-5 on each question; the scores are kept for reporting."""

    invitation = models.OneToOneField(
        SurveyInvitation, on_delete=models.CASCADE, related_name="response"
    )
    account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="survey_responses",
    )
    answered_on = models.DateField(_("answered on"), db_index=True)
    product_quality = models.PositiveSmallIntegerField(validators=RATING)
    delivery = models.PositiveSmallIntegerField(validators=RATING)
    service = models.PositiveSmallIntegerField(validators=RATING)
    responsiveness = models.PositiveSmallIntegerField(validators=RATING)
    value = models.PositiveSmallIntegerField(validators=RATING)
    keep_buying = models.PositiveSmallIntegerField(validators=RATING)
    recommend = models.PositiveSmallIntegerField(validators=RATING)
    resist_competitors = models.PositiveSmallIntegerField(validators=RATING)
    open_to_ideas = models.PositiveSmallIntegerField(
        _("open to our ideas and suggestions"), validators=RATING
    )
    comment = BoundedTextField(_("comment"), blank=True)
    supplier_score = models.DecimalField(
        _("supplier performance (0-100)"), max_digits=5, decimal_places=1
    )
    loyalty_score = models.DecimalField(_("loyalty (0-100)"), max_digits=5, decimal_places=1)

    class Meta:
        ordering = ["-answered_on", "-pk"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [models.Index(fields=["account", "answered_on"])]

    def __str__(self) -> str:
        return f"{self.account_id} {self.answered_on:%Y-%m-%d}"
