"""Customer activities: visits and meetings planned with 5W (DOMAIN.md §4)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kam.activities.todos import links as task_links
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


class TaskSource(models.TextChoices):
    """Who put a task on someone's list."""

    MANUAL = "manual", _("By hand")
    FUNNEL_REVIEW = "funnel_review", _("Funnel review")
    RULE = "rule", _("Rule")


class Task(Versioned):
    """A to-do (待办): a title, a due date, an owner, and what it is about.

    It may hang off an account, a person at it, a deal, or a contract or an invoice.
    Contracts and invoices belong to receivables, which sits *above* the activities, so
    they are linked generically (``linked_type`` / ``linked_id`` through
    ``django.contrib.contenttypes``) and only the kinds receivables registers
    (:mod:`kam.activities.todos.links`) may be linked; the service copies the linked
    record's account onto the task, so visibility stays the account's, like everything
    else hanging off it. ``account`` is always the account of whatever the task is about
    (empty for a personal to-do).
    """

    title = models.CharField(pgettext_lazy("task", "title"), max_length=200)
    notes = BoundedTextField(pgettext_lazy("task", "notes"), blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(
        _("source"), max_length=20, choices=TaskSource.choices, default=TaskSource.MANUAL
    )
    account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    person = models.ForeignKey(
        "stakeholders.Contact",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    opportunity = models.ForeignKey(
        "pipeline.Opportunity",
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    linked_type = models.ForeignKey(
        ContentType,
        verbose_name=_("linked record type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    linked_id = models.PositiveBigIntegerField(_("linked record"), null=True, blank=True)
    linked = GenericForeignKey("linked_type", "linked_id")
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            # "My tasks": one person's open ones by due date (and the due-task notifications).
            models.Index(fields=["owner", "done_at", "due_on"], name="task_owner_due_idx"),
            models.Index(fields=["account", "done_at"], name="task_account_idx"),
            models.Index(fields=["opportunity", "done_at"], name="task_deal_idx"),
            models.Index(fields=["person", "done_at"], name="task_person_idx"),
            models.Index(fields=["linked_type", "linked_id"], name="task_linked_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def linked_record(self) -> task_links.LinkedRecord | None:
        """The linked contract or invoice: its kind, name and page (None without one)."""
        return task_links.describe(self.linked) if self.linked_id else None
