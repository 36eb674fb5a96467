"""Customer accounts (DOMAIN.md §1)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.core.models import Versioned


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

    class Meta:
        ordering = ["name"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        indexes = [models.Index(fields=["owner", "name"])]

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
