"""The records of areas above the activities that a task may be about (contracts, invoices).

Receivables sits above the activities (CONTRIBUTING.md, "Layers"), so a task cannot hold
a foreign key to a contract. It holds a generic link (content type and id) instead, and
receivables registers, from its ``AppConfig.ready``, which of its models may be linked,
with the page that shows one; the activities then read a linked record without importing
receivables. A linked record must have an ``account``: the task takes it, so whoever
may not see the account does not see the task.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.functional import Promise


@dataclass(frozen=True)
class LinkKind:
    """A kind of record a task may be about: its model, its name, where it is shown."""

    key: str  # "contract", "invoice": the name in URLs and the API
    model: type[models.Model]
    label: str | Promise
    url: Callable[[models.Model], str]


_KINDS: dict[str, LinkKind] = {}


def register(kind: LinkKind) -> None:
    """Let tasks be about records of ``kind.model`` (called by the area that owns it)."""
    known = _KINDS.get(kind.key)
    if known is not None and known.model is not kind.model:
        raise RuntimeError(f"task link {kind.key} is already registered for {known.model!r}")
    _KINDS[kind.key] = kind


def kinds() -> dict[str, LinkKind]:
    return dict(_KINDS)


def kind_of(key: str) -> LinkKind | None:
    return _KINDS.get(key)


def kind_for_type(content_type_id: int | None) -> LinkKind | None:
    """The registered kind of a task's ``linked_type`` (None if it is not a linkable one)."""
    if content_type_id is None:
        return None
    for kind in _KINDS.values():
        if ContentType.objects.get_for_model(kind.model).pk == content_type_id:
            return kind
    return None


@dataclass(frozen=True)
class LinkedRecord:
    """What a task's page says about its linked record: its kind, its name, its page."""

    kind: str
    label: str
    name: str
    url: str


def describe(record: models.Model | None) -> LinkedRecord | None:
    if record is None:
        return None
    for kind in _KINDS.values():
        if isinstance(record, kind.model):
            return LinkedRecord(kind.key, str(kind.label), str(record), kind.url(record))
    return None
