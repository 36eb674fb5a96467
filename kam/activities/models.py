"""Customer activities: visits and meetings planned with 5W (DOMAIN.md §4)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.core.fields import BoundedTextField
from kam.core.models import Versioned
from kam.core.money import MoneyField


class Kind(models.TextChoices):
    SALES_VISIT = "sales_visit", _("Sales visit")
    TECHNICAL_SEMINAR = "technical_seminar", _("Technical seminar")
    PROJECT_EXCHANGE = "project_exchange", _("Project exchange")
    SOLUTION_DEMO = "solution_demo", _("Solution demo")
    EXECUTIVE_VISIT = "executive_visit", _("Executive visit")
    SITE_VISIT = "site_visit", _("Site or reference visit")
    NEGOTIATION = "negotiation", _("Contract negotiation")
    OTHER = "other", _("Other")


class Outcome(models.TextChoices):
    """The four outcomes of a large sale's call (§3.6)."""

    ORDER = "order", _("Order")
    ADVANCE = "advance", _("Advance")
    CONTINUATION = "continuation", _("Continuation")
    NO_SALE = "no_sale", _("No sale")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Activity(Versioned):
    """A customer activity; planned with 5W, judged by what the customer does."""

    account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="activities",
    )
    opportunity = models.ForeignKey(
        "pipeline.Opportunity",
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ActivityStatus.choices,
        default=ActivityStatus.PLANNED,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    starts_at = models.DateTimeField(_("when"), db_index=True)
    location = models.CharField(_("where"), max_length=200, blank=True)
    purpose = BoundedTextField(_("why (purpose)"), blank=True)
    objective = BoundedTextField(
        _("objective: what the customer will do"),
        help_text=_("The action we expect from the customer when the activity ends."),
    )
    contacts = models.ManyToManyField(
        "stakeholders.Contact",
        verbose_name=_("people at the customer"),
        blank=True,
        related_name="activities",
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, blank=True, default=""
    )
    outcome_note = BoundedTextField(_("what the customer agreed to do"), blank=True)
    outcome_recorded_at = models.DateTimeField(_("outcome recorded at"), null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    expenses = MoneyField(
        _("expenses (CNY)"),
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("our staff"),
        blank=True,
        related_name="activities_attended",
    )

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["account", "starts_at"]),
            models.Index(fields=["opportunity", "starts_at"]),
            # Red flags read a deal's completed or planned activities; with no
            # index on status alone (nine in ten activities are done, so it only
            # misleads SQLite's planner) this is the one both databases pick.
            models.Index(fields=["opportunity", "status", "starts_at"]),
            models.Index(fields=["owner", "starts_at"]),
            # Activity outcomes over a period (the effectiveness report, the team
            # dashboard): everything the count groups and filters by is in it.
            models.Index(
                fields=["starts_at", "status", "outcome", "kind", "owner", "account"],
                name="activity_outcomes_idx",
            ),
            # The same, done activities first: the company's outcomes of a quarter are
            # one range of it. With only the index above, SQLite's planner (its
            # statistics say 232 owners) skip-scanned the owner index instead and read
            # the table (figures in benchmarks/README.md).
            models.Index(
                fields=["status", "starts_at", "outcome", "kind", "owner", "account"],
                name="activity_judged_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.account}"


class CalendarFeed(models.Model):
    """A user's private ICS feed; the token in its URL can be revoked."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user}"


class OutcomeReceipt(models.Model):
    """The key of an outcome a phone recorded as a draft, once the server took it.

    A phone without signal keeps the outcome and sends it when the connection
    returns; it may send it again when the answer was lost on the way. The second
    send finds this receipt and gets the activity as recorded instead of a second
    outcome. A refused send leaves no receipt, so the fixed draft can go again.
    """

    key = models.CharField(_("draft key"), max_length=64, unique=True)
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("outcome receipt")
        verbose_name_plural = _("outcome receipts")

    def __str__(self) -> str:
        return self.key
