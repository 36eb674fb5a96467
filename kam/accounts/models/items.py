"""What is recorded about one account: installed base, purchasing, competitors, notes,
total value, SWOT and latent needs (DOMAIN.md §1.1, §1.3, §1.6)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kam.accounts.models.accounts import Account, AccountItem
from kam.accounts.models.bounds import NON_NEGATIVE_MONEY, SIGNED_MONEY, YEAR
from kam.core.fields import BoundedTextField
from kam.core.money import MoneyField


class InstalledProduct(AccountItem):
    """Installed base of related products (§1.1), ours and competitors'."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="installed_products"
    )
    product = models.CharField(_("product"), max_length=200)
    brand = models.CharField(_("brand"), max_length=100)
    ours = models.BooleanField(_("our product"), default=False)
    use = models.CharField(_("used for"), max_length=200, blank=True)
    quantity = models.PositiveIntegerField(
        _("quantity"), default=1, validators=[MaxValueValidator(10_000_000)]
    )
    in_use_since = models.PositiveSmallIntegerField(
        _("in use since (year)"), null=True, blank=True, validators=YEAR
    )

    class Meta:
        ordering = ["-ours", "brand", "product"]
        verbose_name = _("installed product")
        verbose_name_plural = _("installed base")

    def __str__(self) -> str:
        return f"{self.brand} {self.product}"

    @property
    def years_in_use(self) -> int | None:
        from django.utils import timezone

        if self.in_use_since is None:
            return None
        return max(timezone.localdate().year - self.in_use_since, 0)


class PurchasingDepartment(AccountItem):
    """A department that takes part in purchasing, and its role in it (§1.1)."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="purchasing_departments"
    )
    name = models.CharField(_("department"), max_length=100)
    role_in_purchasing = models.CharField(_("role in purchasing"), max_length=200, blank=True)
    reports_to = models.CharField(_("reports to"), max_length=100, blank=True)
    cooperation = BoundedTextField(_("how it cooperates with others"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("purchasing department")
        verbose_name_plural = _("purchasing departments")

    def __str__(self) -> str:
        return self.name


class CompetitorPresence(AccountItem):
    """A competitor at this customer: its history here, its people, its products (§1.1)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="competitors")
    competitor = models.CharField(_("competitor"), max_length=100)
    history = BoundedTextField(_("history at this customer"), blank=True)
    their_reps = models.CharField(_("their reps and styles"), max_length=300, blank=True)
    strengths = BoundedTextField(_("strengths"), blank=True)
    weaknesses = BoundedTextField(_("weaknesses"), blank=True)

    class Meta:
        ordering = ["competitor"]
        verbose_name = _("competitor presence")
        verbose_name_plural = _("competitors at the account")

    def __str__(self) -> str:
        return self.competitor


class InformationSource(models.TextChoices):
    """Where a fact came from (§1.1): the customer, its surroundings, our side."""

    CUSTOMER_WEBSITE = "customer_website", _("Customer: website")
    CUSTOMER_ANNUAL_REPORT = "customer_annual_report", _("Customer: annual report")
    CUSTOMER_BROCHURE = "customer_brochure", _("Customer: brochures")
    CUSTOMER_STAFF = "customer_staff", _("Customer: current staff")
    CUSTOMER_FORMER_STAFF = "customer_former_staff", _("Customer: former staff")
    SURROUNDINGS_CUSTOMERS = "surroundings_customers", _("Surroundings: its customers")
    SURROUNDINGS_SUPPLIERS = "surroundings_suppliers", _("Surroundings: other suppliers")
    SURROUNDINGS_CHANNELS = "surroundings_channels", _("Surroundings: channels")
    SURROUNDINGS_PARTNERS = "surroundings_partners", _("Surroundings: partners")
    SURROUNDINGS_COMPETITORS = "surroundings_competitors", _("Surroundings: competitors")
    SURROUNDINGS_GOVERNMENT = "surroundings_government", _("Surroundings: government")
    SURROUNDINGS_ASSOCIATIONS = (
        "surroundings_associations",
        _("Surroundings: industry associations"),
    )
    SURROUNDINGS_BANKS = "surroundings_banks", _("Surroundings: banks and brokers")
    SURROUNDINGS_MEDIA = "surroundings_media", _("Surroundings: media")
    SURROUNDINGS_CONSULTANCIES = "surroundings_consultancies", _("Surroundings: consultancies")
    OURS_MARKETING = "ours_marketing", _("Our side: marketing")
    OURS_SERVICE = "ours_service", _("Our side: service staff")
    OURS_KNOWLEDGE_BASE = "ours_knowledge_base", _("Our side: knowledge base")
    OURS_NETWORK = "ours_network", _("Our side: network")


class AccountNote(AccountItem):
    """A piece of information with its source and date: what already happened (§1.1)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="notes")
    text = BoundedTextField(_("information"))
    source = models.CharField(_("information source"), max_length=40, choices=InformationSource)
    source_detail = models.CharField(_("source detail"), max_length=200, blank=True)
    observed_on = models.DateField(_("date of the information"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-observed_on", "-pk"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")

    def __str__(self) -> str:
        return self.text[:60]


class ValuePeriod(AccountItem):
    """Customer total value over one year (§1.3), with its parts."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="value_periods")
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR)
    profit_contribution = MoneyField(
        _("profit contribution"),
        null=True,
        blank=True,
        validators=SIGNED_MONEY,
        help_text=_("Leave empty to compute it from won business and the average margin."),
    )
    cost_of_sales = MoneyField(
        _("cost of sales"),
        default=0,
        validators=NON_NEGATIVE_MONEY,
    )
    cost_of_service = MoneyField(
        _("cost of service"),
        default=0,
        validators=NON_NEGATIVE_MONEY,
    )
    cost_of_relationship = MoneyField(
        _("cost of relationship upkeep"),
        default=0,
        validators=NON_NEGATIVE_MONEY,
    )
    learning_value = MoneyField(
        _("learning value"),
        default=0,
        validators=NON_NEGATIVE_MONEY,
    )
    skill_value = MoneyField(
        _("skill-building value"),
        default=0,
        validators=NON_NEGATIVE_MONEY,
    )
    referral_value = MoneyField(
        _("referral value"),
        default=0,
        validators=NON_NEGATIVE_MONEY,
    )

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["account", "year"], name="unique_value_period")
        ]
        verbose_name = _("customer total value")
        verbose_name_plural = _("customer total value")

    def __str__(self) -> str:
        return f"{self.account_id} {self.year}"


class SwotKind(models.TextChoices):
    STRENGTH = "S", pgettext_lazy("SWOT", "Strength")
    WEAKNESS = "W", pgettext_lazy("SWOT", "Weakness")
    OPPORTUNITY = "O", pgettext_lazy("SWOT", "Opportunity")
    THREAT = "T", pgettext_lazy("SWOT", "Threat")


class SwotFactor(models.TextChoices):
    """The §1.6 checklists: internal factors, then external ones."""

    MARKETING = "marketing", _("Marketing")
    PROFIT = "profit", _("Profit")
    FINANCE = "finance", _("Finance")
    PRODUCTS = "products", _("Products")
    SERVICE = "service", _("Service")
    TECHNOLOGY = "technology", _("Technology")
    BRAND = "brand", _("Brand")
    SPEED = "speed", _("Speed")
    CAPACITY = "capacity", _("Capacity")
    QUALITY = "quality", _("Quality")
    CHANNELS = "channels", _("Channels")
    STAFF = "staff", _("Staff")
    INDUSTRY_POSITION = "industry_position", _("Industry position")
    CULTURE = "culture", _("Culture")
    BUSINESS_MODEL = "business_model", _("Business model")
    CUSTOMER_RELATIONS = "customer_relations", _("Customer relations")
    POLITICS = "politics", _("Politics")
    COMPETITORS = "competitors", _("Competitors")
    LAW = "law", _("Law")
    SUPPLIERS = "suppliers", _("Suppliers")
    ECONOMY = "economy", _("Economy")
    PARTNERS = "partners", _("Partners")
    SOCIETY = "society", _("Society")
    CUSTOMER_PREFERENCES = "customer_preferences", _("Customer preferences")
    EXTERNAL_TECHNOLOGY = "external_technology", _("Technology trends")
    SUBSTITUTES = "substitutes", _("Substitutes")
    CRISES = "crises", _("Crises")
    INDUSTRY_RULES = "industry_rules", _("Industry rules")


class SwotItem(AccountItem):
    """One point of the customer's SWOT (§1.6)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="swot_items")
    kind = models.CharField(_("kind"), max_length=1, choices=SwotKind.choices)
    factor = models.CharField(_("factor"), max_length=30, choices=SwotFactor.choices)
    text = BoundedTextField(_("finding"))

    class Meta:
        ordering = ["kind", "factor", "pk"]
        verbose_name = _("SWOT item")
        verbose_name_plural = _("SWOT items")

    def __str__(self) -> str:
        return self.text[:60]


class NeedQuadrant(models.TextChoices):
    """How a latent need serves the customer's SWOT (§1.6)."""

    SO = "SO", _("SO: use strengths to seize opportunities")
    WO = "WO", _("WO: overcome weaknesses to seize opportunities")
    ST = "ST", _("ST: use strengths to avoid threats")
    WT = "WT", _("WT: overcome weaknesses to remove threats")


class Horizon(models.TextChoices):
    """Short- vs long-term (§1.7)."""

    SHORT = "short", _("Short term (pays off now)")
    MEDIUM = "medium", _("Medium term (3-6 months)")
    LONG = "long", _("Long term (12 months or more)")


class LatentNeed(AccountItem):
    """A need we can serve, derived from the customer's SWOT (§1.6)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="latent_needs")
    quadrant = models.CharField(_("quadrant"), max_length=2, choices=NeedQuadrant.choices)
    text = BoundedTextField(_("need"))
    horizon = models.CharField(
        _("horizon"), max_length=10, choices=Horizon.choices, default=Horizon.SHORT
    )
    estimated_amount = MoneyField(
        _("estimated amount"),
        null=True,
        blank=True,
        validators=NON_NEGATIVE_MONEY,
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
        ordering = ["quadrant", "pk"]
        verbose_name = _("latent need")
        verbose_name_plural = _("latent needs")

    def __str__(self) -> str:
        return self.text[:60]
