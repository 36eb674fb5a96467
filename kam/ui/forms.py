"""Form base classes that render with KAM's Bootstrap look."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator

from kam.core.fields import NOTE_MAX_LENGTH


def _style(fields: dict[str, forms.Field]) -> None:
    for field in fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


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
            field.max_length = NOTE_MAX_LENGTH
            field.validators.append(MaxLengthValidator(NOTE_MAX_LENGTH))
            field.widget.attrs.setdefault("maxlength", str(NOTE_MAX_LENGTH))


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
