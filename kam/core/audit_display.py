"""An audit event's changes as a reader understands them (DOMAIN.md §7).

The trail stores a change as it was written: the model's column names and JSON-safe
values (``{"stage_id": [3, 4], "status": "open"}``), so that it stays true however the
product's words change later. This module puts them into the reader's words when they
are read: the field's verbose name in the active language, a choice by its label, a
foreign key by the related record's name (looked up once per model for a whole page of
events), a yes/no, a date or a moment in the reader's format, money grouped. A value
hidden when it was recorded (personal details) stays hidden. A key that is no field of
the model (a field since removed, or a fact a service recorded beside the fields) is
shown as it was stored, marked ``raw`` so that the page can set it apart.
"""

from __future__ import annotations

import datetime
import decimal
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from kam.ui.templatetags.figures import figure

from .audit import REDACTED
from .models import AuditEvent
from .money import MoneyField

EMPTY = "—"


@dataclass(frozen=True)
class ShownValue:
    """One value as shown; ``data`` when it is what a user typed (a name, a note), which
    the page marks as customer data."""

    text: str
    data: bool = False


@dataclass(frozen=True)
class ShownChange:
    """One changed field: its label and its value, or its value before and after."""

    key: str
    label: str
    raw: bool  # no field of the model: ``label`` is the stored key
    after: ShownValue
    before: ShownValue | None = None  # None when the event records one value


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, key: str) -> models.Field[Any, Any] | None:
    """The model's field stored under ``key`` (its name or, for a foreign key, its
    column's name ``owner_id``)."""
    if model is None:
        return None
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def _is_pair(event: AuditEvent, field: models.Field[Any, Any] | None, value: Any) -> bool:
    """A before and an after (an edit), rather than one value (a creation's snapshot)."""
    if not (isinstance(value, list) and len(value) == 2):
        return False
    if isinstance(field, models.JSONField):
        return event.action == AuditEvent.Action.UPDATE
    return True


def _entries(event: AuditEvent) -> Iterable[tuple[str, models.Field[Any, Any] | None, list[Any]]]:
    """Each stored change of ``event`` with its field and its values (one or two)."""
    model = _model(event.object_type)
    changes = event.changes if isinstance(event.changes, Mapping) else {}
    for key, value in changes.items():
        field = _field(model, key)
        yield key, field, list(value) if _is_pair(event, field, value) else [value]


def _related_names(
    events: Iterable[AuditEvent],
) -> dict[type[models.Model], dict[Any, models.Model]]:
    """The records the events' foreign keys point to: one query per related model."""
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for event in events:
        for _key, field, values in _entries(event):
            if field is not None and field.many_to_one and field.related_model is not None:
                related = field.related_model
                assert isinstance(related, type)
                wanted[related].update(
                    v for v in values if v not in (None, "", REDACTED) and not isinstance(v, list)
                )
    return {
        model: model._default_manager.in_bulk(list(ids)) for model, ids in wanted.items() if ids
    }


def _moment(text: str) -> str:
    moment = datetime.datetime.fromisoformat(text)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "SHORT_DATETIME_FORMAT")


def _number(value: Any, places: int | None) -> str:
    number = decimal.Decimal(str(value))
    return formats.number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)


def shown_value(
    field: models.Field[Any, Any] | None,
    value: Any,
    related: Mapping[type[models.Model], Mapping[Any, models.Model]],
) -> ShownValue:
    """A stored value in the reader's words."""
    if value is None or value == "":
        return ShownValue(EMPTY)
    if value == REDACTED:
        return ShownValue(REDACTED)
    if field is None:
        return ShownValue(str(value), data=True)
    try:
        if field.choices:
            labels = dict(field.flatchoices)
            return ShownValue(str(labels[value])) if value in labels else ShownValue(str(value))
        if field.many_to_one and field.related_model is not None:
            found = related.get(field.related_model, {}).get(value)  # type: ignore[call-overload]
            return ShownValue(str(found) if found is not None else f"#{value}", data=True)
        if isinstance(field, models.BooleanField):
            return ShownValue(_("Yes") if value else _("No"))
        if isinstance(field, models.DateTimeField):
            return ShownValue(_moment(str(value)))
        if isinstance(field, models.DateField):
            return ShownValue(formats.date_format(datetime.date.fromisoformat(str(value))))
        if isinstance(field, MoneyField):
            return ShownValue(figure(value))
        if isinstance(field, models.DecimalField):
            return ShownValue(_number(value, field.decimal_places))
        if isinstance(field, models.IntegerField | models.FloatField) and not isinstance(
            value, bool
        ):
            return ShownValue(_number(value, None))
    except (ValueError, TypeError, decimal.InvalidOperation):
        pass  # a value stored in an older shape: shown as it was
    return ShownValue(str(value), data=True)


def _label(field: models.Field[Any, Any] | None, key: str) -> tuple[str, bool]:
    """The field's name in the reader's words, and whether it is shown raw (as stored).

    A field named without a translatable verbose name (Django's default from the column
    name) reads in the reader's language only where a catalogue knows the words; else it
    is shown as stored, set apart like a key that is not a field."""
    if field is None:
        return key, True
    name = field.verbose_name
    if isinstance(name, Promise):
        return capfirst(str(name)), False
    words = gettext(str(name))
    if words != name or (translation.get_language() or "en").startswith("en"):
        return capfirst(words), False
    return key, True


def changes_display(events: Iterable[AuditEvent]) -> dict[int, list[ShownChange]]:
    """The changes of each event (by its id), in the active language: the related records
    of the whole list are read together, a query per related model."""
    events = list(events)
    related = _related_names(events)
    shown: dict[int, list[ShownChange]] = {}
    for event in events:
        rows = []
        for key, field, values in _entries(event):
            words = [shown_value(field, value, related) for value in values]
            label, raw = _label(field, key)
            rows.append(
                ShownChange(
                    key=key,
                    label=label,
                    raw=raw,
                    after=words[-1],
                    before=words[0] if len(words) == 2 else None,
                )
            )
        shown[event.pk] = rows
    return shown


def record_label(object_type: str) -> str:
    """A kind of record in the reader's words ("Account"), or its stored name."""
    model = _model(object_type)
    return capfirst(str(model._meta.verbose_name)) if model is not None else object_type


@dataclass(frozen=True)
class ShownEvent:
    """An event with its changes and its kind of record put into words."""

    event: AuditEvent
    record: str
    changes: list[ShownChange]


def shown_events(events: Iterable[AuditEvent]) -> list[ShownEvent]:
    """A page of the trail, ready to show."""
    events = list(events)
    changes = changes_display(events)
    return [
        ShownEvent(event, record_label(event.object_type), changes[event.pk]) for event in events
    ]
