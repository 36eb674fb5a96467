"""Forms of the forecast pages; validation of money stays in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.forecasting.models import Metric
from kam.ui.forms import KamForm


class TargetForm(KamForm):
    metric = forms.ChoiceField(choices=Metric.choices, widget=forms.HiddenInput)
    period = forms.CharField(widget=forms.HiddenInput)
    scope = forms.CharField(widget=forms.HiddenInput)
    amount = forms.CharField(label=_("Target"), max_length=30)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AdjustmentForm(KamForm):
    period = forms.CharField(widget=forms.HiddenInput)
    scope = forms.CharField(widget=forms.HiddenInput)
    adjusted_amount = forms.CharField(label=_("Adjusted forecast"), max_length=30)
    note = forms.CharField(
        label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
