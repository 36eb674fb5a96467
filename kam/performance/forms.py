"""Forms of team performance: an assessment, a survey link, the survey itself."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kam.accounts.models import Account
from kam.accounts.visibility import visible_accounts
from kam.core.models import User
from kam.performance.models import (
    LoyaltyIntent,
    PerformanceSettings,
    ScorecardIndicator,
    SkillDimension,
    SupplierRating,
    SurveyLanguage,
)
from kam.stakeholders.models import Contact
from kam.ui.forms import KamForm, KamModelForm

LEVELS = [
    (1, _("Level 1: learning")),
    (2, _("Level 2: capable")),
    (3, _("Level 3: excellent")),
]
RATINGS = [(n, str(n)) for n in range(1, 6)]


class AssessmentForm(KamForm):
    assessed_on = forms.DateField(
        label=_("assessed on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("note for the coaching conversation"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("assessed_on", timezone.localdate())
        for dimension in reversed(SkillDimension):
            self.fields = {
                dimension.value: forms.TypedChoiceField(
                    label=dimension.label,
                    choices=LEVELS,
                    coerce=int,
                    widget=forms.Select(attrs={"class": "form-select"}),
                ),
                **self.fields,
            }

    def levels(self) -> dict[str, int]:
        return {d.value: self.cleaned_data[d.value] for d in SkillDimension}


class InvitationForm(KamForm):
    account = forms.ModelChoiceField(label=_("account"), queryset=Account.objects.none())
    contact = forms.ModelChoiceField(
        label=_("person at the customer"), queryset=Contact.objects.none(), required=False
    )
    language = forms.ChoiceField(label=_("language"), choices=SurveyLanguage.choices)
    valid_days = forms.IntegerField(
        label=_("days the link stays open"), min_value=1, max_value=365, initial=30
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        accounts = visible_accounts(user).order_by("-tier", "name")
        cast(forms.ModelChoiceField, self.fields["account"]).queryset = accounts
        cast(forms.ModelChoiceField, self.fields["contact"]).queryset = (
            Contact.objects.filter(account__in=accounts.values("pk"), has_left=False)
            .select_related("account")
            .order_by("account__name", "name")
        )


class SurveyForm(forms.Form):
    """The questions a customer's person answers, 1 (not at all) to 5 (fully)."""

    comment = forms.CharField(
        label=_("Anything else you would like to tell us?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        questions = [
            *((q.value, q.label) for q in SupplierRating),
            *((q.value, q.label) for q in LoyaltyIntent),
            ("open_to_ideas", _("We welcome this supplier's ideas, suggestions and discussion")),
        ]
        fields: dict[str, forms.Field] = {}
        for name, label in questions:
            fields[name] = forms.TypedChoiceField(
                label=label,
                choices=RATINGS,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
        self.fields = {**fields, **self.fields}

    @property
    def supplier_fields(self) -> list[forms.BoundField]:
        return [self[q.value] for q in SupplierRating]

    @property
    def intent_fields(self) -> list[forms.BoundField]:
        return [self[q.value] for q in LoyaltyIntent] + [self["open_to_ideas"]]

    def answers(self) -> dict[str, int]:
        return {k: v for k, v in self.cleaned_data.items() if k != "comment"}


class IndicatorForm(KamModelForm):
    class Meta:
        model = ScorecardIndicator
        fields = ["target", "weight_attack", "weight_defend", "weight_maintain"]

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One form per table row: the inputs sit in the cells and point at the row's form.
        for field in self.fields.values():
            field.widget.attrs["form"] = f"indicator-{self.instance.pk}"


class PerformanceSettingsForm(KamModelForm):
    """The company's figures for costing time and reading loyalty."""

    class Meta:
        model = PerformanceSettings
        fields = ["hourly_cost", "loyalty_drop_points", "survey_valid_days"]
