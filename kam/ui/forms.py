"""Form base classes that render with KAM's Bootstrap look."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db.models import QuerySet

# What the browser's own pickers accept, whatever the language: a localized value
# such as 2026/12/07 is rejected by <input type=date> and the field shows empty.
ISO_FORMATS = {"date": "%Y-%m-%d", "datetime-local": "%Y-%m-%dT%H:%M", "time": "%H:%M"}

# The optimistic-locking field travels with every edit but is nothing the user reads.
VERSION_FIELD = "version"


def _style(fields: dict[str, forms.Field]) -> None:
    for name, field in fields.items():
        if name == VERSION_FIELD:
            field.widget = forms.HiddenInput()
            continue
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
            # RadioSelect before Select: it is a Select subclass, but a radio is a check input.
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
        input_type = widget.attrs.get("type") or getattr(widget, "input_type", "")
        if input_type in ISO_FORMATS and hasattr(widget, "format"):
            widget.format = ISO_FORMATS[input_type]


def _bound_free_text(fields: dict[str, forms.Field]) -> None:
    """A text area declared by hand gets the limit its model field has (a note's).

    A model form's text areas already carry their field's ``max_length``; this covers
    the forms that declare the same field themselves, so the page names the field
    instead of the service refusing the whole save.
    """
    for field in fields.values():
        if (
            isinstance(field, forms.CharField)
            and field.max_length is None
            and isinstance(field.widget, forms.Textarea)
        ):
            field.max_length = settings.KAM_NOTE_MAX_LENGTH
            field.validators.append(MaxLengthValidator(settings.KAM_NOTE_MAX_LENGTH))
            field.widget.attrs.setdefault("maxlength", str(settings.KAM_NOTE_MAX_LENGTH))


class KamForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bound_free_text(self.fields)
        _style(self.fields)


class KamModelForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bound_free_text(self.fields)
        _style(self.fields)


def offer(field: forms.Field, queryset: QuerySet[Any]) -> None:
    """Let a model choice field (one or many) offer only the records of ``queryset``:
    what the user may see, what belongs to the record being edited."""
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset
