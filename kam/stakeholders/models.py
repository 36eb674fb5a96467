"""People at the customer and their place in the decision chain (DOMAIN.md §2)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kam.core.fields import BoundedTextField
from kam.core.models import Versioned


class Level(models.TextChoices):
    """Level in the customer's organisation (§2.2)."""

    OPERATIONAL = "operational", _("Operational")
    MANAGEMENT = "management", _("Management")
    DECISION = "decision", _("Decision layer")


class BuyingRole(models.TextChoices):
    """The four kinds of buyer who decide a deal (§2.1)."""

    DECISION_MAKER = "decision_maker", _("Decision maker")
    USER = "user", _("User")
    TECHNICAL_GATEKEEPER = "technical_gatekeeper", _("Technical gatekeeper")
    COACH = "coach", _("Coach")


#: The roles whose holders decide the deal; each must be identified and met (§2.3).
CORE_ROLES = (BuyingRole.DECISION_MAKER, BuyingRole.USER, BuyingRole.TECHNICAL_GATEKEEPER)


class PurchaseRole(models.TextChoices):
    """A second view of the same people (§2.1): ※ + = −."""

    FINAL_APPROVAL = "final_approval", _("※ Final approval")
    DECISION_MAKING = "decision_making", _("+ Decision making")
    SOLUTION_EVALUATION = "solution_evaluation", _("= Solution evaluation")
    END_USER = "end_user", _("− End user")


class InnovationAttitude(models.TextChoices):
    """Innovation attitude, five levels (§2.2)."""

    LEADING = "leading", _("※ Leading creator")
    FORWARD = "forward", _("+ Forward-looking")
    PRAGMATIC = "pragmatic", _("= Pragmatic")
    CONSERVATIVE = "conservative", _("− Conservative")
    REFUSES = "refuses", _("× Refuses progress")


class Support(models.TextChoices):
    """Project support (§2.2)."""

    SUPPORTER = "supporter", _("Supporter")
    NEUTRAL = "neutral", _("Neutral")
    OPPONENT = "opponent", _("Opponent")


class Relationship(models.TextChoices):
    """Relationship level, four steps from acquainted to allied (§2.2)."""

    ACQUAINTED = "acquainted", _("Acquainted")
    DATING = "dating", _("Dating")
    TRUSTING = "trusting", _("Trusting")
    ALLIED = "allied", _("Allied")


#: Relationship levels in ascending order, for "below trusting" and trends.
RELATIONSHIP_ORDER = {value: n for n, value in enumerate(Relationship.values, start=1)}


class Style(models.TextChoices):
    """Interpersonal style, four quadrants (§2.2)."""

    ANALYTICAL = "A", _("A · Analytical")
    PROCEDURAL = "B", _("B · Procedural")
    RELATIONAL = "C", _("C · Relational")
    CONCEPTUAL = "D", _("D · Conceptual")


class Influence(models.TextChoices):
    """Degree of influence on the decision (§2.2)."""

    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Contact(Versioned):
    """A person at a customer account."""

    account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    department = models.CharField(_("department"), max_length=100, blank=True)
    level = models.CharField(
        _("level"), max_length=20, choices=Level.choices, default=Level.OPERATIONAL
    )
    reports_to = models.ForeignKey(
        "self",
        verbose_name=_("reports to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="direct_reports",
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    wechat = models.CharField(_("WeChat"), max_length=60, blank=True)
    has_left = models.BooleanField(_("has left the company"), default=False)
    scope = BoundedTextField(_("scope of work and influence"), blank=True)
    personality = BoundedTextField(_("personality notes"), blank=True)
    erased_at = models.DateTimeField(_("personal information erased"), null=True, blank=True)

    class Meta:
        ordering = ["account", "name"]
        verbose_name = _("person at the customer")
        verbose_name_plural = _("people at the customer")

    def __str__(self) -> str:
        return f"{self.name}（{self.title}）" if self.title else self.name


class ContactChange(models.Model):
    """A move of a person: title, department, reports-to line or leaving (§2.3 #4).

    Append-only; the person's record holds the current values, these rows say
    what they were before and from when the new value holds.
    """

    class Field(models.TextChoices):
        TITLE = "title", _("Title")
        DEPARTMENT = "department", _("Department")
        LEVEL = "level", _("Level")
        REPORTS_TO = "reports_to", _("Reports to")
        HAS_LEFT = "has_left", _("Left the company")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(_("what changed"), max_length=20, choices=Field.choices)
    old_value = models.CharField(_("before"), max_length=200, blank=True)
    new_value = models.CharField(_("after"), max_length=200, blank=True)
    effective_on = models.DateField(_("effective from"), db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contact", "-effective_on", "-pk"]
        verbose_name = _("change of position")
        verbose_name_plural = _("changes of position")

    def __str__(self) -> str:
        return f"{self.contact_id} {self.field}: {self.old_value} → {self.new_value}"


class PersonalInfo(Versioned):
    """Sensitive personal information about one person (§2.2, §7).

    Kept apart from the business record so it can be shown only to the account
    team and their managers, with every view logged, and erased on request.
    """

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="personal_info")
    address = BoundedTextField(_("address"), blank=True)
    family = BoundedTextField(_("family and children"), blank=True)
    career = BoundedTextField(_("career"), blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    special_days = BoundedTextField(_("special days and anniversaries"), blank=True)
    hobbies = BoundedTextField(_("hobbies and sports"), blank=True)
    tastes = BoundedTextField(_("tastes"), blank=True)
    proud_moments = BoundedTextField(_("proud moments"), blank=True)
    sayings = BoundedTextField(_("memorable sayings"), blank=True)

    class Meta:
        verbose_name = _("personal information")
        verbose_name_plural = _("personal information")

    def __str__(self) -> str:
        return str(self.contact)

    TEXT_FIELDS = (
        "address",
        "family",
        "career",
        "special_days",
        "hobbies",
        "tastes",
        "proud_moments",
        "sayings",
    )


class Stakeholder(Versioned):
    """A person in one opportunity's buying circle, with their roles (§2.1).

    Usually a person at the customer; a coach may also be one of our own staff
    or a third party outside the customer. The latest assessment's values are
    kept here too (written by the same service, in the same transaction), so
    the map and the red flags read one row per person.
    """

    opportunity = models.ForeignKey(
        "pipeline.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="stakeholders",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("person at the customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="stakes",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("our colleague"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    outside_name = models.CharField(_("third party"), max_length=100, blank=True)
    is_decision_maker = models.BooleanField(_("decision maker"), default=False)
    is_user = models.BooleanField(pgettext_lazy("buying role", "user"), default=False)
    is_technical_gatekeeper = models.BooleanField(_("technical gatekeeper"), default=False)
    is_coach = models.BooleanField(_("coach"), default=False)
    purchase_role = models.CharField(
        _("purchase role"), max_length=30, choices=PurchaseRole.choices, blank=True
    )
    personal_win = BoundedTextField(_("personal win"), blank=True)
    business_result = BoundedTextField(_("business result wanted"), blank=True)
    added_on = models.DateField(_("joined the buying circle"), db_index=True)
    # The latest assessment (see Assessment); empty until the first one.
    support = models.CharField(_("support"), max_length=20, choices=Support.choices, blank=True)
    influence = models.CharField(
        _("influence"), max_length=10, choices=Influence.choices, blank=True
    )
    relationship = models.CharField(
        _("relationship"), max_length=20, choices=Relationship.choices, blank=True
    )
    relationship_target = models.CharField(
        _("target relationship"), max_length=20, choices=Relationship.choices, blank=True
    )
    #: 根深蒂固的利益受威胁者 (§2.2): what this person stands to lose if we win; such a person
    #: blocks the sale, so the opponent flag watches them like a declared opponent.
    threatened_interests = BoundedTextField(
        _("entrenched interests threatened"),
        blank=True,
        help_text=_(
            "What this person stands to lose if we win: a supplier they favour, their standing, "
            "a system they built. Leave empty when nothing is at stake for them."
        ),
    )

    class Meta:
        ordering = ["opportunity", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "contact"], name="unique_stakeholder_contact"
            ),
            models.UniqueConstraint(
                fields=["opportunity", "staff"], name="unique_stakeholder_staff"
            ),
        ]
        verbose_name = _("member of the buying circle")
        verbose_name_plural = _("buying circle")

    def __str__(self) -> str:
        return self.display_name

    ROLE_FIELDS = {
        BuyingRole.DECISION_MAKER: "is_decision_maker",
        BuyingRole.USER: "is_user",
        BuyingRole.TECHNICAL_GATEKEEPER: "is_technical_gatekeeper",
        BuyingRole.COACH: "is_coach",
    }

    @property
    def display_name(self) -> str:
        if self.contact_id:
            return str(self.contact)
        if self.staff_id:
            return str(self.staff)
        return self.outside_name

    @property
    def roles(self) -> list[str]:
        return [role for role, field in self.ROLE_FIELDS.items() if getattr(self, field)]

    @property
    def role_labels(self) -> list[str]:
        return [str(BuyingRole(role).label) for role in self.roles]

    @property
    def is_outside(self) -> bool:
        return self.contact_id is None


class Assessment(models.Model):
    """A dated judgement of one person on one opportunity (§2.2); history, never edited."""

    stakeholder = models.ForeignKey(
        Stakeholder, on_delete=models.CASCADE, related_name="assessments"
    )
    assessed_on = models.DateField(_("assessed on"), db_index=True)
    innovation = models.CharField(
        _("innovation attitude"), max_length=20, choices=InnovationAttitude.choices, blank=True
    )
    support = models.CharField(_("support"), max_length=20, choices=Support.choices, blank=True)
    relationship = models.CharField(
        _("relationship"), max_length=20, choices=Relationship.choices, blank=True
    )
    relationship_target = models.CharField(
        _("target relationship"), max_length=20, choices=Relationship.choices, blank=True
    )
    style = models.CharField(
        _("interpersonal style"), max_length=1, choices=Style.choices, blank=True
    )
    influence = models.CharField(
        _("influence"), max_length=10, choices=Influence.choices, blank=True
    )
    note = BoundedTextField(_("note"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["stakeholder", "-assessed_on", "-pk"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return f"{self.stakeholder_id} @ {self.assessed_on}"


class InfluenceLine(models.Model):
    """An informal "influences" edge between two people of one account (§2.2)."""

    class Strength(models.IntegerChoices):
        WEAK = 1, _("Weak")
        MEDIUM = 2, _("Medium")
        STRONG = 3, _("Strong")

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="influence_lines"
    )
    source = models.ForeignKey(
        Contact, verbose_name=_("who"), on_delete=models.CASCADE, related_name="influences"
    )
    target = models.ForeignKey(
        Contact,
        verbose_name=_("influences whom"),
        on_delete=models.CASCADE,
        related_name="influenced_by",
    )
    strength = models.PositiveSmallIntegerField(
        _("strength"), choices=Strength.choices, default=Strength.MEDIUM
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="unique_influence_line")
        ]
        verbose_name = _("influence line")
        verbose_name_plural = _("influence lines")

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id}"


class PolicyWatch(Versioned):
    """An industry, sector or local policy change to follow up (§2.3 #7)."""

    account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="policy_watches",
    )
    opportunity = models.ForeignKey(
        "pipeline.Opportunity",
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="policy_watches",
    )
    title = models.CharField(_("policy"), max_length=200)
    note = BoundedTextField(_("what it means for us"), blank=True)
    review_on = models.DateField(_("review by"))
    resolved = models.BooleanField(_("reviewed"), default=False)

    class Meta:
        ordering = ["review_on", "pk"]
        verbose_name = _("policy watch")
        verbose_name_plural = _("policy watches")

    def __str__(self) -> str:
        return self.title


class PaymentApprovalStep(models.Model):
    """One step of a customer's payment approval chain (§6, "three questions")."""

    account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="payment_approval_steps",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="payment_approval_steps",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    note = models.CharField(_("what they care about"), max_length=200, blank=True)

    class Meta:
        ordering = ["account", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "position"], name="unique_payment_step_position"
            )
        ]
        verbose_name = _("payment approval step")
        verbose_name_plural = _("payment approval chain")

    def __str__(self) -> str:
        return f"{self.position}. {self.contact}"


class RedFlagSettings(models.Model):
    """Thresholds of the red-flag rules (§2.3); one row, edited by administrators."""

    new_person_days = models.PositiveSmallIntegerField(
        _("a new person counts as new for (days)"), default=30
    )
    min_people_engaged = models.PositiveSmallIntegerField(
        _("fewest people engaged at the customer"), default=3
    )
    single_thread_min_activities = models.PositiveSmallIntegerField(
        _("completed activities before single-threading is flagged"), default=2
    )
    contact_window_days = models.PositiveSmallIntegerField(
        _("people count as met for (days)"),
        default=90,
        help_text=_(
            "The 3–5 contacts rule counts the people met in completed activities within this "
            "many days, per deal and per key account."
        ),
    )
    trust_from_win_rate = models.DecimalField(
        _("the decision maker must trust us from this win rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(50),
        help_text=_("The default, 50, is the rate of the Commitment stage of the purchase stages."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("red-flag settings")
        verbose_name_plural = _("red-flag settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> RedFlagSettings:
        return cls.objects.order_by("pk").first() or cls()
