"""The service ritual, written once: validate, save, and record who changed what.

Every service that creates, changes or deletes a record does the same five things:
take a snapshot, apply the change, validate it, save it (refusing a stale edit through
:func:`kam.core.concurrency.save_versioned` where the record is versioned) and append
an audit event with the before/after of each changed field. These helpers are that
ritual; services keep only what is particular to them (who may, what else changes).

Usage::

    changes.create(account, by=by, via=via)
    changed = changes.update(account, fields, by=by, via=via, expected_version=version)
    changes.delete(item, by=by, via=via)

For a change whose values are set in several steps (derived fields, related rows),
:func:`tracked` records the difference of whatever happens inside the block.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import models

from kam.core import audit
from kam.core.concurrency import save_versioned
from kam.core.models import AuditEvent, Interface, User

M = TypeVar("M", bound=models.Model)

#: A model's own validation, without uniqueness and constraints (the database answers those).
Validator = Callable[[models.Model], None]


def full_clean(instance: models.Model, exclude: Iterable[str] | None = None) -> None:
    """The model's field and ``clean()`` validation; uniqueness is left to the database."""
    instance.full_clean(
        exclude=list(exclude) if exclude is not None else None,
        validate_unique=False,
        validate_constraints=False,
    )


def _attname(instance: models.Model, name: str) -> str:
    field = instance._meta.get_field(name)
    return getattr(field, "attname", name)


def _hidden(values: Mapping[str, Any], redacted: Iterable[str]) -> dict[str, Any]:
    """A snapshot with the values of ``redacted`` fields hidden (whether one was set is kept)."""
    hidden = set(redacted)
    return {
        key: (None if value in (None, "") else audit.REDACTED) if key in hidden else value
        for key, value in values.items()
    }


def create(
    instance: M,
    *,
    by: User | None,
    via: str = Interface.WEB,
    clean: Validator | None = full_clean,
    redacted: Iterable[str] = (),
) -> M:
    """Validate and insert ``instance``; the audit event carries its first values."""
    if clean is not None:
        clean(instance)
    instance.save()
    audit.record(
        AuditEvent.Action.CREATE,
        instance,
        by=by,
        via=via,
        changes=_hidden(audit.snapshot(instance), redacted),
    )
    return instance


def update(
    instance: models.Model,
    values: Mapping[str, Any],
    *,
    by: User | None,
    via: str = Interface.WEB,
    expected_version: int | None = None,
    clean: Validator | None = full_clean,
    also_save: Iterable[str] = (),
    redacted: Iterable[str] = (),
    always: bool = False,
) -> dict[str, list[Any]]:
    """Set ``values`` on ``instance``, validate, save and record the fields that changed.

    A versioned record (one with a ``version`` field) is saved through
    :func:`save_versioned`, so an edit begun on an older version raises
    :class:`~kam.core.concurrency.ConflictError` and changes nothing. ``also_save``
    names fields the caller derived before calling (a computed tier, a cleared flag).
    Answers the recorded ``{field: [before, after]}`` (empty: nothing changed, nothing
    recorded, unless ``always``: then an event with no changes marks the save).
    """
    with tracked(instance, by=by, via=via, redacted=redacted, always=always) as changed:
        for name, value in values.items():
            setattr(instance, name, value)
        if clean is not None:
            clean(instance)
        names = [_attname(instance, name) for name in [*values, *also_save]]
        if hasattr(instance, "version"):
            save_versioned(instance, expected_version, names)
        elif names:
            instance.save(update_fields=[*names, *_auto_now(instance)])
    return changed


def _auto_now(instance: models.Model) -> list[str]:
    return [
        f.attname
        for f in instance._meta.concrete_fields
        if getattr(f, "auto_now", False) and f.attname != "version"
    ]


def delete(
    instance: models.Model,
    *,
    by: User | None,
    via: str = Interface.WEB,
    redacted: Iterable[str] = (),
) -> None:
    """Record the record's last values, then delete it."""
    audit.record(
        AuditEvent.Action.DELETE,
        instance,
        by=by,
        via=via,
        changes=_hidden(audit.snapshot(instance), redacted),
    )
    instance.delete()


@contextmanager
def tracked(
    instance: models.Model,
    *,
    by: User | None,
    via: str = Interface.WEB,
    action: str = AuditEvent.Action.UPDATE,
    redacted: Iterable[str] = (),
    always: bool = False,
) -> Iterator[dict[str, list[Any]]]:
    """Record what the block changed on ``instance`` (nothing changed: nothing recorded,
    unless ``always``).

    Yields the dictionary the changes are written into when the block ends, so a caller
    can tell whether anything changed.
    """
    before = audit.snapshot(instance)
    changed: dict[str, list[Any]] = {}
    yield changed
    changed.update(audit.diff(before, audit.snapshot(instance)))
    if changed or always:
        audit.record(action, instance, by=by, via=via, changes=audit.redact(changed, redacted))
