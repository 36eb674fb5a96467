"""A background job that failed on its last try, kept for administrators to see."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kam.core.fields import LOG_MAX_LENGTH, BoundedTextField


class JobFailure(models.Model):
    """One job that ran out of attempts. Written by :mod:`kam.jobs.runner` only.

    An administrator sees it under Settings → Background jobs and may start the job
    again (``retried_at``/``retried_by`` then say who did and when).
    """

    task_path = models.CharField(_("job"), max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"))
    error = models.CharField(_("error"), max_length=500)
    traceback = BoundedTextField(blank=True, max_length=LOG_MAX_LENGTH)
    failed_at = models.DateTimeField(_("failed at"), default=timezone.now, db_index=True)
    retried_at = models.DateTimeField(_("retried at"), null=True, blank=True)
    retried_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-failed_at", "-id"]
        verbose_name = _("failed job")
        verbose_name_plural = _("failed jobs")

    def __str__(self) -> str:
        return f"{self.task_path} ({self.failed_at:%Y-%m-%d %H:%M})"
