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
:func:`tracked` records the difference of whatever happens inside the block; with
``action=CREATE`` it records a record whose insert is particular (its path needs its
id) with its first values, as :func:`create` does. :func:`create_many` inserts many
records of one model at once (imports), each with its own event.

Only events that are not a change of a record (a read of personal information, an
export, an erasure, a token) and summaries of related rows kept on their parent (a
payment's allocations, a stage model's order) call :func:`kam.core.audit.record`.
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


def full_clean(instance: models.Model, exclude: Iterable[str] | None = None) -> None:
    """The model's field and ``clean()`` validation; uniqueness is left to the database."""
    instance.full_clean(
        exclude=list(exclude) if exclude is not None else None,
        validate_unique=False,
        validate_constraints=False,
    )


def full_check(instance: models.Model) -> None:
    """Every check of the model, uniqueness and constraints included: for records whose
    duplicates people must be told about in words (a stage key, a settings row)."""
    instance.full_clean()


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


def _first_values(instance: models.Model, redacted: Iterable[str]) -> dict[str, Any]:
    return _hidden(audit.snapshot(instance), redacted)


def create(
    instance: M,
    *,
    by: User | None,
    via: str = Interface.WEB,
    clean: Callable[[M], None] | None = full_clean,
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
        changes=_first_values(instance, redacted),
    )
    return instance


def create_many(
    instances: list[M],
    *,
    by: User | None,
    via: str = Interface.WEB,
    clean: Callable[[M], None] | None = full_clean,
    redacted: Iterable[str] = (),
    batch_size: int = 500,
) -> list[M]:
    """:func:`create` for many records of one model, in bulk inserts (imports).

    Every record is validated before any is written; each gets its own event with its
    first values, as :func:`create` records them.
    """
    if clean is not None:
        for instance in instances:
            clean(instance)
    if not instances:
        return []
    created = type(instances[0])._default_manager.bulk_create(instances, batch_size=batch_size)
    redacted = list(redacted)
    audit.record_many(
        AuditEvent.Action.CREATE,
        [(instance, _first_values(instance, redacted)) for instance in created],
        by=by,
        via=via,
    )
    return created


def update(
    instance: M,
    values: Mapping[str, Any],
    *,
    by: User | None,
    via: str = Interface.WEB,
    expected_version: int | None = None,
    clean: Callable[[M], None] | None = full_clean,
    also_save: Iterable[str] = (),
    redacted: Iterable[str] = (),
    always: bool = False,
) -> dict[str, Any]:
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
        changes=_first_values(instance, redacted),
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
    fields: Iterable[str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Record what the block changed on ``instance`` (nothing changed: nothing recorded,
    unless ``always``).

    Yields the dictionary the changes are written into when the block ends, so a caller
    can tell whether anything changed, and can add what is not a field of the record
    (a reason given, its related rows before and after). ``fields`` limits the record
    to those fields (their attribute names: ``owner_id``), for figures that are
    recomputed on every save and recorded only when they move.

    With ``action=CREATE`` the block inserts ``instance``, and the event carries its
    first values as :func:`create` records them (``fields`` does not apply).
    """
    names = list(fields) if fields is not None else None
    redacted = list(redacted)
    before = audit.snapshot(instance, names)
    changed: dict[str, Any] = {}
    yield changed
    if action == AuditEvent.Action.CREATE:
        values: dict[str, Any] = {**_first_values(instance, redacted), **changed}
        audit.record(action, instance, by=by, via=via, changes=values)
        return
    changed.update(audit.diff(before, audit.snapshot(instance, names)))
    if changed or always:
        audit.record(action, instance, by=by, via=via, changes=audit.redact(changed, redacted))
