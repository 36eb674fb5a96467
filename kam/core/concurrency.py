"""Optimistic locking: a stale save is refused, never silently applied."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F
from django.utils.translation import gettext as _


class ConflictError(Exception):
    """Somebody else saved the record after this edit began."""

    def __init__(self, instance: models.Model, current: dict[str, Any] | None = None) -> None:
        self.instance = instance
        self.current = current or {}
        super().__init__(
            _(
                "This record was changed by someone else while you were editing it. "
                "Reload it to see their changes, then apply yours again."
            )
        )


def save_versioned(instance: Any, expected_version: int | None, fields: list[str]) -> None:
    """Write ``fields`` of ``instance`` only if nobody saved it since ``expected_version``.

    ``expected_version`` is the version the editor loaded (from the form or the
    API request); ``None`` means "whatever is current" and is for internal
    callers only. On success the instance's version goes up by one.
    """
    model = type(instance)
    version = instance.version if expected_version is None else expected_version
    values = {name: getattr(instance, name) for name in fields}
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        from django.utils import timezone

        instance.updated_at = timezone.now()
        values["updated_at"] = instance.updated_at
    updated = model.objects.filter(pk=instance.pk, version=version).update(
        version=F("version") + 1, **values
    )
    if not updated:
        current = model.objects.filter(pk=instance.pk).values().first()
        raise ConflictError(instance, current)
    instance.version = version + 1
