"""Collections (DOMAIN.md §6): promises to pay, the alerts a broken one raises, the
excuse library and the conversations recorded along POWER."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kam.core.fields import BoundedTextField
from kam.core.money import MoneyField
from kam.receivables.models.ledger import Invoice


class PaymentPromise(models.Model):
    """承诺付款: the customer's promise to pay; kept or broken is decided from payments."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        KEPT = "kept", _("Kept")
        BROKEN = "broken", _("Broken")

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="payment_promises"
    )
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.SET_NULL, related_name="promises"
    )
    made_on = models.DateField(_("promised on"))
    due_on = models.DateField(_("will pay by"), db_index=True)
    amount = MoneyField(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    contact = models.ForeignKey(
        "stakeholders.Contact",
        verbose_name=_("promised by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    promised_by_name = models.CharField(_("promised by (name)"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    settled_on = models.DateField(_("settled on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_on", "-pk"]
        verbose_name = _("promise to pay")
        verbose_name_plural = _("promises to pay")

    def __str__(self) -> str:
        return f"{self.account} {self.amount} @ {self.due_on}"

    @property
    def promised_by(self) -> str:
        contact = self.contact if self.contact_id else None
        return contact.name if contact is not None else self.promised_by_name


class CollectionAlert(models.Model):
    """An in-app alert for the account owner: react quickly (POWER's R)."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="collection_alerts"
    )
    promise = models.OneToOneField(
        PaymentPromise, null=True, blank=True, on_delete=models.CASCADE, related_name="alert"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_on = models.DateField(_("raised on"))
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_on", "-pk"]
        verbose_name = _("collection alert")
        verbose_name_plural = _("collection alerts")

    def __str__(self) -> str:
        return f"{self.account} {self.raised_on}"


class Excuse(models.Model):
    """A stalling excuse from the §6 library, with its recommended response (data)."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text_zh = models.CharField(_("excuse (Chinese)"), max_length=200)
    text_en = models.CharField(_("excuse (English)"), max_length=200)
    response_zh = BoundedTextField(_("recommended response (Chinese)"))
    response_en = BoundedTextField(_("recommended response (English)"))

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("excuse")
        verbose_name_plural = _("excuses")

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return (
            self.text_zh if (get_language() or "zh-hans").lower().startswith("zh") else self.text_en
        )

    @property
    def response(self) -> str:
        language = (get_language() or "zh-hans").lower()
        return self.response_zh if language.startswith("zh") else self.response_en


class PowerStep(models.TextChoices):
    """The POWER collection process (§6)."""

    PREPARATION = "preparation", _("Preparation")
    OPEN = "open", _("Open strongly")
    WORK_OBJECTIONS = "objections", _("Work with objections")
    END_COMMITMENT = "commitment", _("End with commitment")
    REACT = "react", _("React quickly")


class CollectionOutcome(models.TextChoices):
    """What a collection negotiation brought in (§6): cash, cash and A/R, or A/R only."""

    CASH = "cash", _("Cash")
    CASH_AND_AR = "cash_ar", _("Cash + A/R")
    AR = "ar", _("A/R only")


class NegotiationOutcome(models.TextChoices):
    """The four outcomes of a collection negotiation (§6), kept apart: two end with A/R only."""

    WIN_WIN = "win_win", _("We win, they win: cash")
    WIN_LOSE = "win_lose", _("We win, they lose: cash + A/R")
    LOSE_WIN = "lose_win", _("We lose, they win: A/R")
    LOSE_LOSE = "lose_lose", _("We lose, they lose: A/R")


# What each negotiation outcome brings in (§6).
NEGOTIATION_RESULT = {
    NegotiationOutcome.WIN_WIN: CollectionOutcome.CASH,
    NegotiationOutcome.WIN_LOSE: CollectionOutcome.CASH_AND_AR,
    NegotiationOutcome.LOSE_WIN: CollectionOutcome.AR,
    NegotiationOutcome.LOSE_LOSE: CollectionOutcome.AR,
}


class CollectionContact(models.Model):
    """One collection conversation (催款记录), recorded along POWER."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="collection_contacts"
    )
    invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("invoice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="collection_contacts",
    )
    contact = models.ForeignKey(
        "stakeholders.Contact",
        verbose_name=_("spoke with"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contacted_on = models.DateField(_("date"))
    step = models.CharField(_("POWER step"), max_length=20, choices=PowerStep.choices)
    excuse = models.ForeignKey(
        Excuse,
        verbose_name=_("excuse heard"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=CollectionOutcome.choices)
    negotiation = models.CharField(
        _("negotiation outcome"),
        max_length=10,
        choices=NegotiationOutcome.choices,
        blank=True,
        help_text=_("Empty on contacts recorded before the four outcomes were kept apart."),
    )
    note = BoundedTextField(_("what was said"), blank=True)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    next_step_on = models.DateField(_("next step on"), null=True, blank=True)
    promise = models.OneToOneField(
        PaymentPromise,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="collection_contact",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-contacted_on", "-pk"]
        verbose_name = _("collection contact")
        verbose_name_plural = _("collection contacts")

    def __str__(self) -> str:
        return f"{self.account} {self.contacted_on}"
