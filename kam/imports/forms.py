from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.imports.models import Kind
from kam.ui.forms import KamForm


class UploadForm(KamForm):
    kind = forms.ChoiceField(label=_("The file holds"), choices=Kind.choices)
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
