"""One upload of a spreadsheet and what became of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.core.fields import LOG_MAX_LENGTH, BoundedTextField
from kam.core.models import Interface


class Kind(models.TextChoices):
    """What a spreadsheet holds; each has its own template."""

    ACCOUNTS = "accounts", _("Accounts")
    CONTACTS = "contacts", _("People at customers")
    OPPORTUNITIES = "opportunities", _("Opportunities")
    ACTIVITIES = "activities", _("Activities")
    CONTRACTS = "contracts", _("Contracts and invoices")
    PAYMENTS = "payments", _("Payments")


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be checked")
    CHECKING = "checking", _("Being checked")
    READY = "ready", _("Checked: ready to import")
    INVALID = "invalid", _("Checked: has errors")
    COMMITTING = "committing", _("Being imported")
    COMMITTED = "committed", _("Imported")
    FAILED = "failed", _("Import failed: nothing was changed")


#: While in these, a background job is at work on the batch and the page polls it.
RUNNING = (BatchStatus.QUEUED, BatchStatus.CHECKING, BatchStatus.COMMITTING)


class ImportBatch(models.Model):
    """An uploaded file, its dry-run report and, once committed, the counts it wrote."""

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=BatchStatus.choices, default=BatchStatus.QUEUED
    )
    file_name = models.CharField(_("file"), max_length=255)
    content = models.BinaryField(editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    language = models.CharField(max_length=10, default="zh-hans", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="import_batches",
    )
    via = models.CharField(max_length=20, default=Interface.WEB, editable=False)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    committed_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(_("to create"), default=0)
    updated_count = models.PositiveIntegerField(_("to update"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    message = BoundedTextField(_("message"), blank=True, max_length=LOG_MAX_LENGTH)
    # {"errors": [{"row", "column", "message"}], "rows": [{"row", "action", "label"}]}
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.file_name}"

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING

    @property
    def progress_pct(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))
