"""The form a manager fills per deal in the funnel review."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.ui.forms import KamForm


class DecisionForm(KamForm):
    opportunity = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.CharField(
        label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    next_step = forms.CharField(label=_("Next step (the rep's task)"), max_length=200)
    due_on = forms.DateField(
        label=_("Due on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
