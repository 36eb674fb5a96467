"""People at the customer and their place in the decision chain (DOMAIN.md §2)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.core.models import Versioned


class Level(models.TextChoices):
    """Level in the customer's organisation (§2.2)."""

    OPERATIONAL = "operational", _("Operational")
    MANAGEMENT = "management", _("Management")
    DECISION = "decision", _("Decision layer")


class Contact(Versioned):
    """A person at a customer account."""

    account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    name = models.CharField(_("name"), max_length=100)
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

    class Meta:
        ordering = ["account", "name"]
        verbose_name = _("person at the customer")
        verbose_name_plural = _("people at the customer")

    def __str__(self) -> str:
        return f"{self.name}（{self.title}）" if self.title else self.name
