"""Customer accounts (DOMAIN.md §1)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kam.core.fields import BoundedTextField
from kam.core.models import BilingualName, Versioned

# Bounds that catch typing mistakes: no customer spends or earns more than this in a year.
MAX_MONEY = Decimal("1000000000000")  # one trillion
NON_NEGATIVE_MONEY = [MinValueValidator(Decimal(0)), MaxValueValidator(MAX_MONEY)]
SIGNED_MONEY = [MinValueValidator(-MAX_MONEY), MaxValueValidator(MAX_MONEY)]
PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]
SCORE_0_5 = [MinValueValidator(0), MaxValueValidator(5)]
SCORE_1_5 = [MinValueValidator(1), MaxValueValidator(5)]
YEAR = [MinValueValidator(1900), MaxValueValidator(2200)]


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
    annual_revenue = models.DecimalField(
        _("revenue this year"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE_MONEY,
    )
    annual_profit = models.DecimalField(
        _("profit this year"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=SIGNED_MONEY,
    )
    purchase_potential = models.DecimalField(
        _("purchase potential per year"),
        max_digits=16,
        decimal_places=2,
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
            # small indexes, not every account's row (20,000 accounts, SQLite: 3 → 0.5 ms).
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
    profit_contribution = models.DecimalField(
        _("profit contribution"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=SIGNED_MONEY,
        help_text=_("Leave empty to compute it from won business and the average margin."),
    )
    cost_of_sales = models.DecimalField(
        _("cost of sales"),
        max_digits=16,
        decimal_places=2,
        default=0,
        validators=NON_NEGATIVE_MONEY,
    )
    cost_of_service = models.DecimalField(
        _("cost of service"),
        max_digits=16,
        decimal_places=2,
        default=0,
        validators=NON_NEGATIVE_MONEY,
    )
    cost_of_relationship = models.DecimalField(
        _("cost of relationship upkeep"),
        max_digits=16,
        decimal_places=2,
        default=0,
        validators=NON_NEGATIVE_MONEY,
    )
    learning_value = models.DecimalField(
        _("learning value"),
        max_digits=16,
        decimal_places=2,
        default=0,
        validators=NON_NEGATIVE_MONEY,
    )
    skill_value = models.DecimalField(
        _("skill-building value"),
        max_digits=16,
        decimal_places=2,
        default=0,
        validators=NON_NEGATIVE_MONEY,
    )
    referral_value = models.DecimalField(
        _("referral value"),
        max_digits=16,
        decimal_places=2,
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
    high_potential_from = models.DecimalField(
        _("high purchase potential from"),
        max_digits=16,
        decimal_places=2,
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
    planned_budget = models.DecimalField(
        _("planned budget"),
        max_digits=16,
        decimal_places=2,
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
    estimated_amount = models.DecimalField(
        _("estimated amount"),
        max_digits=16,
        decimal_places=2,
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
    revenue_goal = models.DecimalField(
        _("revenue goal"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE_MONEY,
    )
    profit_goal = models.DecimalField(
        _("profit goal"),
        max_digits=16,
        decimal_places=2,
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
    expected_revenue = models.DecimalField(
        _("expected revenue"),
        max_digits=16,
        decimal_places=2,
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
