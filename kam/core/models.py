"""Users, teams and the building blocks every domain app shares."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user does in the sales organisation (DOMAIN.md, "Who uses it")."""

    REP = "rep", _("Key account manager")
    MANAGER = "manager", _("Sales manager")
    DIRECTOR = "director", _("Sales director")
    FINANCE = "finance", _("Finance")
    ADMIN = "admin", _("Administrator")


class BilingualName(models.Model):
    """A configured label in both UI languages (labels are data, §3.1)."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        language = (get_language() or "zh-hans").lower()
        return self.name_zh if language.startswith("zh") else self.name_en

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A sales team; teams form a tree (region → team) under the company.

    ``path`` is the materialised chain of ancestor ids (``/1/4/9/``), kept by
    :func:`kam.core.services.teams.save_team`, so a whole subtree is one
    ``path__startswith`` query.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_teams",
    )
    path = models.CharField(max_length=500, editable=False, db_index=True, default="/")

    class Meta:
        ordering = ["path"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2


class User(AbstractUser):
    """A person at our company who uses KAM."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.REP)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True, default=""
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        # Chinese names read family name first, with no space.
        full = f"{self.last_name}{self.first_name}".strip()
        return full

    @property
    def sees_everything(self) -> bool:
        return self.role in (Role.DIRECTOR, Role.ADMIN) or self.is_superuser

    @property
    def is_kam_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser


class LoginFailure(models.Model):
    """One failed login; counted per user name to throttle guessing."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.username} @ {self.at:%Y-%m-%d %H:%M}"


class Interface(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    CLI = "cli", _("Command line")
    JOB = "job", _("Background job")
    IMPORT = "import", _("Import")


class AuditEvent(models.Model):
    """Append-only record of a change: who, when, through which interface, what.

    Written only by :func:`kam.core.audit.record`; the product offers no way to
    edit or delete one.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")
        VIEW_SENSITIVE = "view_sensitive", _("Viewed personal information")
        EXPORT = "export", _("Exported")
        ERASE = "erase", _("Erased personal information")
        LOGIN = "login", _("Logged in")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    interface = models.CharField(max_length=10, choices=Interface.choices, default=Interface.WEB)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=100, db_index=True)
    object_id = models.CharField(max_length=64, db_index=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit events are append-only.")


class Versioned(models.Model):
    """A record edited by people: carries a version so a stale save is refused.

    Services save through :func:`kam.core.concurrency.save_versioned`.
    """

    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ApiToken(models.Model):
    """What KAM knows of an API token beyond django-rest-knox's row: its name and a short id.

    knox keeps only the token's digest, its first characters, its owner, creation and
    expiry, and its primary key is the digest. This row, one to one with knox's and
    deleted with it, gives the token the name its owner chose ("ERP integration") and a
    small id for the list and the revoke address, so the digest never leaves the
    database. A separate row rather than knox's swappable token model: swapping it
    breaks knox's own migrations and admin, and knox asks for it before the first
    migration only.
    """

    auth_token = models.OneToOneField(
        "knox.AuthToken", on_delete=models.CASCADE, related_name="kam_token"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return self.name or self.auth_token.token_key
