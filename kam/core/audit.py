"""The audit trail: one function records every change (DOMAIN.md §7)."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from .models import AuditEvent, Interface, User


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value, for the before/after of a change."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime | datetime.time | uuid.UUID):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The current values of an instance's concrete fields (or of ``fields``)."""
    names = (
        list(fields) if fields is not None else [f.attname for f in instance._meta.concrete_fields]
    )
    return {name: _plain(getattr(instance, name)) for name in names}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as ``{field: [before, after]}``."""
    return {
        key: [before.get(key), after.get(key)]
        for key in after
        if before.get(key) != after.get(key) and key not in {"updated_at", "version"}
    }


REDACTED = "***"


def redact(changes: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """``changes`` with the values of ``fields`` hidden: that they changed is kept.

    For personal details (PIPL): the append-only trail must not keep a copy of what an
    erasure later removes.
    """
    hidden = set(fields)
    return {
        key: [None if v in (None, "") else REDACTED for v in value]
        if key in hidden and isinstance(value, list)
        else value
        for key, value in changes.items()
    }


def record(
    action: AuditEvent.Action | str,
    instance: models.Model,
    *,
    by: User | None,
    via: str = Interface.WEB,
    changes: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event for ``instance``."""
    return AuditEvent.objects.create(
        actor=by if by is not None and by.pk else None,
        interface=via,
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        changes=dict(changes or {}),
    )


def record_many(
    action: AuditEvent.Action | str,
    entries: Iterable[tuple[models.Model, Mapping[str, Any]]],
    *,
    by: User | None,
    via: str = Interface.WEB,
) -> list[AuditEvent]:
    """Append one audit event per (instance, changes), in one insert (bulk services)."""
    actor = by if by is not None and by.pk else None
    return AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=actor,
                interface=via,
                action=action,
                object_type=instance._meta.label_lower,
                object_id=str(instance.pk),
                object_repr=str(instance)[:200],
                changes=dict(changes or {}),
            )
            for instance, changes in entries
        ],
        batch_size=1000,
    )
