"""Opportunities and the configurable funnel (DOMAIN.md §3)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kam.core.fields import BoundedTextField
from kam.core.models import BilingualName, Versioned
from kam.core.money import MoneyField
from kam.pipeline.calculations import factor_needs_strategy


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
    exit_criteria_zh = BoundedTextField(_("exit criteria (Chinese)"), blank=True)
    exit_criteria_en = BoundedTextField(_("exit criteria (English)"), blank=True)
    #: The commitment-equivalent stage (承诺): a move into or past it first asks whether the
    #: deal would break the account's credit limit (§6), whatever the stage is called.
    requires_credit_check = models.BooleanField(
        _("credit check on entering"),
        default=False,
        help_text=_(
            "The stage where the customer commits: moving a deal into or past it warns "
            "when the deal would break the account's credit limit."
        ),
    )

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
    """Won and lost are terminal states, not stages: a closed deal keeps the stage it closed in."""

    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    NO_DECISION = "no_decision", _("No decision")


class ForecastCategory(models.TextChoices):
    """The owner's own call on a deal, beside the stage (§5)."""

    COMMIT = "commit", _("Commit")
    BEST_CASE = "best_case", _("Best case")
    PIPELINE = "pipeline", _("Pipeline")
    OMITTED = "omitted", _("Omitted")


class CompetitionStatus(models.TextChoices):
    """Whether a competitor is involved: not knowing is a red flag (§2.3 no. 6)."""

    UNKNOWN = "unknown", _("Unknown")
    NONE = "none", _("No competitor")
    PRESENT = "present", _("Competitors present")


class Standing(models.TextChoices):
    """How we stand on a decision factor or purchase element (§3.4)."""

    UNKNOWN = "unknown", _("Unknown")
    AHEAD = "ahead", _("We lead")
    EVEN = "even", _("Even")
    BEHIND = "behind", _("We trail")


class Opportunity(Versioned):
    """A sales opportunity at an account, moving down a funnel."""

    account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    name = models.CharField(_("name"), max_length=200)
    amount = MoneyField(_("amount"), validators=[MinValueValidator(Decimal(0))])
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
    exchange_rate = models.DecimalField(
        _("rate to CNY"),
        max_digits=12,
        decimal_places=6,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.000001"))],
        help_text=_("How many CNY one unit of the currency is worth."),
    )
    source = models.CharField(_("source"), max_length=100, blank=True)
    products = models.CharField(_("products"), max_length=300, blank=True)
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opportunity team"),
        blank=True,
        related_name="opportunity_teams",
    )
    stage_entered_at = models.DateTimeField(_("in this stage since"), null=True, blank=True)
    # What the stall rule reads, kept by the services that change what it
    # depends on (kam.activities.services.refresh_deal_progress; stage moves): the two newest
    # outcomes of done activities, newest first, and the last progress, meaning the latest
    # advance or order, stage move or the deal's creation. Stored because computing them for
    # a team's thousands of open deals on every dashboard was most of the dashboard's time.
    last_outcome = models.CharField(_("last outcome"), max_length=20, blank=True, editable=False)
    previous_outcome = models.CharField(
        _("previous outcome"), max_length=20, blank=True, editable=False
    )
    progressed_at = models.DateTimeField(_("last progress"), default=timezone.now, editable=False)
    competition_status = models.CharField(
        _("competition"),
        max_length=20,
        choices=CompetitionStatus.choices,
        default=CompetitionStatus.UNKNOWN,
    )
    # Background (§3.3)
    business_status = BoundedTextField(_("customer business status"), blank=True)
    application_needs = BoundedTextField(_("application needs"), blank=True)
    description = BoundedTextField(_("description"), blank=True)
    goals = BoundedTextField(_("goals"), blank=True)
    implementation_drivers = BoundedTextField(
        _("implementation drivers"),
        blank=True,
        help_text=_("Return, risks after implementation, business or technical focus, deadline."),
    )
    # Decision process (§3.4): who, which departments, when, how
    decision_who = BoundedTextField(_("who decides"), blank=True)
    decision_departments = BoundedTextField(_("which departments"), blank=True)
    decision_when = BoundedTextField(_("when it is decided"), blank=True)
    decision_how = BoundedTextField(_("how it is decided"), blank=True)
    # The five purchase elements (§3.4), our assessment
    element_value = models.CharField(
        _("value"), max_length=10, choices=Standing.choices, default=Standing.UNKNOWN
    )
    element_need = models.CharField(
        _("need"), max_length=10, choices=Standing.choices, default=Standing.UNKNOWN
    )
    element_price = models.CharField(
        _("price"), max_length=10, choices=Standing.choices, default=Standing.UNKNOWN
    )
    element_trust = models.CharField(
        _("trust"), max_length=10, choices=Standing.choices, default=Standing.UNKNOWN
    )
    element_experience = models.CharField(
        _("experience"), max_length=10, choices=Standing.choices, default=Standing.UNKNOWN
    )
    # Qualification (§3.2)
    has_need = models.BooleanField(_("needs our product or service"), default=False)
    has_authority = models.BooleanField(_("has authority to decide"), default=False)
    has_budget = models.BooleanField(_("has budget"), default=False)
    has_timeline = models.BooleanField(_("has a purchase timeline"), default=False)
    qualification_override_reason = BoundedTextField(
        _("reason for passing unqualified"), blank=True
    )
    qualification_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("override by"),
    )
    # Outcome: why the deal ended, and who won a lost one
    close_reason = BoundedTextField(_("reason"), blank=True)
    winning_competitor = models.CharField(_("competitor who won"), max_length=200, blank=True)
    # The funnel screen (§3.3): the latest twenty-question evaluation and the gates it
    # passes under the company's pass mark, kept by
    # :func:`kam.pipeline.services.screening.refresh_screening` (recording an evaluation,
    # changing the pass mark) so the list sorts and filters and the board shows them
    # without reading every deal's evaluations. Empty while the deal has none.
    evaluated_at = models.DateTimeField(_("last evaluated"), null=True, editable=False)
    evaluation_total = models.PositiveSmallIntegerField(
        _("evaluation score"), null=True, editable=False
    )
    gates_passed = models.PositiveSmallIntegerField(_("gates passed"), null=True, editable=False)
    passes_project = models.BooleanField(_("passes: is it a project?"), null=True, editable=False)
    passes_ours = models.BooleanField(
        _("passes: is it our opportunity?"), null=True, editable=False
    )
    passes_win = models.BooleanField(_("passes: can we win?"), null=True, editable=False)
    passes_worth = models.BooleanField(_("passes: is it worth it?"), null=True, editable=False)

    class Meta:
        ordering = ["expected_close_date", "pk"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [
            # The board reads each column in close-date order, a page of cards at a
            # time, and totals the columns off the same index (amount is in it).
            models.Index(fields=["status", "stage", "expected_close_date", "amount"]),
            # The list's default order (close date, then id) among open deals: the
            # first page is read off the index instead of sorting every deal. The cash
            # forecast sums the deals closing before its horizon per account and stage
            # off the same index.
            models.Index(
                fields=["status", "expected_close_date", "id", "account", "stage", "amount"],
                name="pipeline_open_by_close",
            ),
            # What was won (or lost) in a period: the forecast's closed figure, the
            # win/loss report, the value pyramid's sales. Owner, account and amount
            # are in it, so a rep's or the company's sum is read off the index.
            models.Index(fields=["status", "closed_on", "owner", "account", "amount"]),
            # The funnel and the forecast add up the open pipeline per owner and stage:
            # read off this index alone, without touching the deals.
            models.Index(fields=["status", "owner", "stage", "expected_close_date", "amount"]),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["account", "status"]),
            # The largest open deals first (the risks and stalled-deal panels): a walk
            # down this index instead of sorting every open deal by amount.
            models.Index(fields=["status", "amount"], name="pipeline_open_by_amount"),
            # The list sorted by the twenty-question score (§3.3).
            models.Index(
                fields=["status", "evaluation_total", "id"], name="pipeline_open_by_score"
            ),
        ]

    #: Not stored: what a stage move just warned about (the account's credit limit), for
    #: the page or the board card that made the move to show.
    credit_warning: str = ""

    def __str__(self) -> str:
        return self.name

    @property
    def is_qualified(self) -> bool:
        """All four of §3.2: need, authority, budget, timeline."""
        return self.has_need and self.has_authority and self.has_budget and self.has_timeline

    @property
    def amount_cny(self) -> Decimal:
        return (self.amount * self.exchange_rate).quantize(Decimal("0.01"))


class StageChange(models.Model):
    """Append-only history of an opportunity's stage and status.

    One row when the opportunity is created (``from_stage`` empty) and one per
    move, close or reopen. It is domain data, not a second change log: time in stage,
    "reached stage X", the learned win rates, the forecast's snapshots and the stall
    rule are computed from it, and it keeps what only a move knows (the stage's win
    rate that day, the exit criteria confirmed, the note). Who changed the other
    fields of a deal, and how, is read from the audit trail alone
    (:func:`kam.pipeline.selectors.field_history`).
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
    # The stage's win rate when the change happened: editing rates never rewrites history.
    win_rate = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    exit_criteria_confirmed = BoundedTextField(blank=True)
    note = BoundedTextField(blank=True)

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
    amount = MoneyField(_("amount"), validators=[MinValueValidator(Decimal(0))])
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    sold_on = models.DateField(_("sold on"), db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sold_on", "-pk"]
        verbose_name = _("off-funnel sale")
        verbose_name_plural = _("off-funnel sales")

    def __str__(self) -> str:
        return self.description


class OpportunityCompetitor(models.Model):
    """A competitor in the deal, with its strengths and weaknesses (§1.1, §3.4)."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="competitors"
    )
    name = models.CharField(_("competitor"), max_length=200)
    strengths = BoundedTextField(_("strengths"), blank=True)
    weaknesses = BoundedTextField(_("weaknesses"), blank=True)
    standing = models.CharField(
        _("our standing against it"),
        max_length=10,
        choices=Standing.choices,
        default=Standing.UNKNOWN,
    )
    note = BoundedTextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["opportunity", "name", "pk"]
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")

    def __str__(self) -> str:
        return self.name


class FactorType(models.TextChoices):
    TECHNICAL = "technical", _("Technical")
    BUSINESS = "business", _("Business")


class FactorScope(models.TextChoices):
    CUSTOMER = "customer", _("Customer's")
    PERSONAL = "personal", _("Personal")


class Priority(models.IntegerChoices):
    HIGH = 1, _("High")
    MEDIUM = 2, _("Medium")
    LOW = 3, _("Low")


class CriteriaSetter(models.TextChoices):
    """Who draws up the customer's decision criteria (§3.4, 决策因素制定)."""

    INTERNAL = "internal", _("The customer's internal team")
    CONSULTANT = "consultant", _("An outside consultant")
    COMPETITOR = "competitor", _("A competitor")
    US = "us", _("Us")


class CriteriaStrategy(models.TextChoices):
    """How we shape a criterion where we trail (§3.4)."""

    BE_FIRST = "be_first", _("Be first (write the criteria first)")
    A_TO_B = "a_to_b", _("A→B (shift the weight to a criterion we win)")
    A_TO_A_PLUS_1 = "a_to_a_plus_1", _("A→A+1 (add a criterion we win)")
    REPRIORITISE = "reprioritise", _("Reset the priorities")


class DecisionFactor(models.Model):
    """A criterion the customer decides by, how we stand on it and how we shape it (§3.4).

    A factor of high priority is *decisive*: where we trail on one, it needs a strategy
    (:func:`kam.pipeline.calculations.factor_needs_strategy`), else the deal is flagged.
    """

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="decision_factors"
    )
    name = models.CharField(_("decision factor"), max_length=200)
    factor_type = models.CharField(
        _("type"), max_length=20, choices=FactorType.choices, default=FactorType.BUSINESS
    )
    scope = models.CharField(
        _("whose"), max_length=20, choices=FactorScope.choices, default=FactorScope.CUSTOMER
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.MEDIUM
    )
    standing = models.CharField(
        _("how we stand"), max_length=10, choices=Standing.choices, default=Standing.UNKNOWN
    )
    missed_by_customer = models.BooleanField(
        _("relevant, but the customer missed it"), default=False
    )
    set_by = models.CharField(
        _("who sets it"), max_length=20, choices=CriteriaSetter.choices, blank=True
    )
    strategy = models.CharField(
        _("our strategy"), max_length=20, choices=CriteriaStrategy.choices, blank=True
    )
    strategy_actions = BoundedTextField(_("what we do about it"), blank=True)
    note = BoundedTextField(_("note"), blank=True)

    class Meta:
        ordering = ["opportunity", "priority", "pk"]
        verbose_name = _("decision factor")
        verbose_name_plural = _("decision factors")

    def __str__(self) -> str:
        return self.name

    @property
    def needs_strategy(self) -> bool:
        """Decisive (high priority), we trail, and no strategy chosen yet."""
        return factor_needs_strategy(self.priority, self.standing, self.strategy)


class ObjectionKind(models.TextChoices):
    """The eight surface excuses and real reasons (§3.5)."""

    NO_NEED = "no_need", _("No need")
    NO_HURRY = "no_hurry", _("No hurry")
    NO_MONEY = "no_money", _("No money")
    NO_GOOD = "no_good", _("No good")
    NO_PAIN = "no_pain", _("No pain")
    NO_VALUE = "no_value", _("No value")
    NO_TRUST = "no_trust", _("No trust")
    NO_DIFFERENCE = "no_difference", _("No difference")


class Objection(models.Model):
    """An objection the customer raised and how we answered it (§3.5)."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="objections"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ObjectionKind.choices)
    said = BoundedTextField(_("what was said"))
    response = BoundedTextField(_("our response"), blank=True)
    resolved = models.BooleanField(_("resolved"), default=False)
    raised_on = models.DateField(_("raised on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["opportunity", "-raised_on", "-pk"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return self.get_kind_display()


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    UNSURE = "unsure", _("Unsure")
    NO = "no", _("No")


class Evaluation(models.Model):
    """One pass of the twenty-question evaluation (§3.3); re-done over time, kept as history.

    The scores are stored with the answers so history and the forecast read them cheaply.
    """

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="evaluations"
    )
    evaluated_at = models.DateTimeField(_("evaluated at"), db_index=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answers = models.JSONField(
        default=dict, help_text="{question number: {'answer': yes|unsure|no, 'note': str}}"
    )
    project_score = models.PositiveSmallIntegerField(default=0)
    ours_score = models.PositiveSmallIntegerField(default=0)
    win_score = models.PositiveSmallIntegerField(default=0)
    worth_score = models.PositiveSmallIntegerField(default=0)
    total_score = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["opportunity", "-evaluated_at", "-pk"]
        get_latest_by = "evaluated_at"
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.opportunity_id} @ {self.evaluated_at:%Y-%m-%d}: {self.total_score}"


class PipelineSettings(models.Model):
    """Company-wide funnel settings, edited by administrators (one row)."""

    small_sale_threshold = MoneyField(
        _("off-funnel threshold (CNY)"),
        default=Decimal(50000),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Orders below this amount are recorded as small sales, outside the funnel."),
    )
    stall_days = models.PositiveSmallIntegerField(
        _("stalled after days without an advance"),
        default=30,
        validators=[MinValueValidator(1)],
    )
    # The funnel screen (§3.3): the sources give no pass mark, so the company sets it.
    gate_pass_mark = models.PositiveSmallIntegerField(
        _("pass mark of each gate (of 10 points)"),
        default=7,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
        help_text=_("Yes scores 2, unsure 1, no 0: a gate of five questions scores 0 to 10."),
    )
    critical_questions = models.JSONField(
        _("critical questions"),
        default=list,
        blank=True,
        help_text=_("A no on any of these fails its gate, whatever the score."),
    )
    evaluation_max_age_days = models.PositiveSmallIntegerField(
        _("re-evaluate after days"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=_("An evaluation older than this, or older than the last stage move, is due."),
    )
    worth_gate_stages = models.ManyToManyField(
        Stage,
        verbose_name=_("failing “Is it worth it?” is a red flag from"),
        blank=True,
        related_name="+",
        help_text=_(
            "Per stage model, the stage from which on a deal failing the gate is a red flag "
            "(Comparison in the purchase stages)."
        ),
    )

    class Meta:
        verbose_name = _("funnel settings")
        verbose_name_plural = _("funnel settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    #: the one row's key
    current_pk = 1

    @classmethod
    def current(cls) -> PipelineSettings:
        settings_row, _created = cls.objects.get_or_create(pk=cls.current_pk)
        return settings_row
