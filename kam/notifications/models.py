"""Notifications: the inbox, what was sent where, and how to reach the teams.

A :class:`Notification` is one event for one person (a reminder, a broken promise, the
weekly digest), its words kept as phrases (:mod:`kam.core.phrases`) put into
the language of whoever reads them. Its ``key`` names the event, and the database
refuses a second row with the same key for the same person, so an event is never
announced twice. Each channel
beyond the inbox (email, a group bot) is one :class:`Delivery`, again unique per event
and destination, with every try kept as a :class:`DeliveryAttempt`.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kam.core import phrases
from kam.core.models import Versioned


class Event(models.TextChoices):
    ACTIVITY_REMINDER = "activity_reminder", _("Activity reminder")
    INSTALLMENT_DUE = "installment_due", _("Installment due soon")
    INVOICE_OVERDUE = "invoice_overdue", _("Invoice overdue")
    PROMISE_BROKEN = "promise_broken", _("Broken promise to pay")
    RED_FLAG = "red_flag", _("New red flag on a large deal")
    STALLED_DEAL = "stalled_deal", _("Stalled deal")
    SPECIAL_DAY = "special_day", _("Special day of a customer's person")
    FORECAST_DIGEST = "forecast_digest", _("Weekly forecast digest")
    TASK_ASSIGNED = "task_assigned", _("Task given by a colleague")
    TASK_DUE = "task_due", _("Task due")


class Channel(models.TextChoices):
    INBOX = "inbox", _("Inbox")
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Team group bot")


class Platform(models.TextChoices):
    WECOM = "wecom", _("WeCom group bot")
    DINGTALK = "dingtalk", _("DingTalk group bot")
    FEISHU = "feishu", _("Feishu bot")


class Notification(models.Model):
    """One event for one person; shown in their inbox when they want it there.

    Its title and message are phrases, said in the language of the moment they are read:
    the reader's on a page, the recipient's in an email or a group bot's message.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(_("event"), max_length=30, choices=Event.choices)
    key = models.CharField(max_length=200)
    title_phrase = models.JSONField(pgettext_lazy("heading", "title"), default=dict)
    body_phrase = models.JSONField(_("message"), default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    # The account the event is about: the inbox re-checks it, so a person who no longer
    # sees the account no longer sees what was said about it.
    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    in_inbox = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_event")
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """The title in the active language."""
        return phrases.render(self.title_phrase)

    @title.setter
    def title(self, text: str) -> None:
        self.title_phrase = phrases.literal(text)

    @property
    def body(self) -> str:
        """The message in the active language."""
        return phrases.render(self.body_phrase)

    @body.setter
    def body(self, text: str) -> None:
        self.body_phrase = phrases.literal(text)


class WebhookEndpoint(Versioned):
    """A group bot of a team (or of the whole company) that receives its people's events."""

    name = models.CharField(_("name"), max_length=100)
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    url = models.URLField(_("webhook address"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    team = models.ForeignKey(
        "core.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Leave empty for the whole company."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["team__path", "name", "pk"]
        verbose_name = _("group bot")
        verbose_name_plural = _("group bots")

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    """One event sent to one destination: an email address or a group bot."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        RETRYING = "retrying", _("Will retry")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    endpoint = models.ForeignKey(
        WebhookEndpoint, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    # email:<user id>:<event key> or webhook:<endpoint id>:<event key>; unique, so a group
    # that hears of an event through two of its people still hears it once.
    dedup_key = models.CharField(max_length=260, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return self.dedup_key


class DeliveryAttempt(models.Model):
    """One try of a delivery, kept whatever its result."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="tries")
    at = models.DateTimeField(auto_now_add=True)
    ok = models.BooleanField(default=False)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} @ {self.at:%Y-%m-%d %H:%M}"


class Preference(models.Model):
    """Which channels one person wants for one kind of event; no row means the defaults."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    event = models.CharField(_("event"), max_length=30, choices=Event.choices)
    inbox = models.BooleanField(_("inbox"), default=True)
    email = models.BooleanField(_("email"), default=False)
    webhook = models.BooleanField(_("team group bot"), default=False)

    class Meta:
        ordering = ["user", "event"]
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="notification_pref_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.event}"


class NotificationSettings(Versioned):
    """Company-wide thresholds of the events (one row, edited by administrators)."""

    large_deal_amount = models.DecimalField(
        _("large deal from (CNY)"),
        max_digits=16,
        decimal_places=2,
        default=Decimal("1000000"),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("New red flags are announced for open deals of at least this amount."),
    )
    activity_lead_hours = models.PositiveSmallIntegerField(
        _("remind of activities hours before"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
    )
    special_day_lead_days = models.PositiveSmallIntegerField(
        _("announce special days days before"),
        default=3,
        validators=[MinValueValidator(0), MaxValueValidator(30)],
    )
    digest_weekday = models.PositiveSmallIntegerField(
        _("weekly digest on"),
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(6)],
    )

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return str(_("Notification settings"))

    @classmethod
    def current(cls) -> NotificationSettings:
        row = cls.objects.order_by("pk").first()
        return row if row is not None else cls.objects.create()
