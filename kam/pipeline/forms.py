"""Forms of the opportunity pages; they parse input, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kam.accounts.visibility import visible_accounts
from kam.core.models import Role, User
from kam.pipeline import calculations
from kam.pipeline.models import (
    Answer,
    DecisionFactor,
    Evaluation,
    Objection,
    Opportunity,
    OpportunityCompetitor,
    PipelineSettings,
    Stage,
    Status,
)
from kam.pipeline.services import EDITABLE_FIELDS
from kam.ui.forms import KamForm, KamModelForm, offer

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SHORT_TEXT = forms.Textarea(attrs={"rows": 2})
TEXT_FIELDS = [
    "business_status",
    "application_needs",
    "description",
    "goals",
    "implementation_drivers",
    "decision_who",
    "decision_departments",
    "decision_when",
    "decision_how",
]


def _colleagues(*keep: int | None) -> Any:
    """Active staff who can work a deal (as on the account team), plus whoever is on it."""
    keep_ids = [pk for pk in keep if pk]
    return (
        User.objects.filter(Q(is_active=True) | Q(pk__in=keep_ids))
        .exclude(role=Role.FINANCE)
        .order_by("username")
    )


class OpportunityForm(KamModelForm):
    """The record and its qualification (§3.2); the account only when new."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Opportunity
        fields = ["account", *EDITABLE_FIELDS, "team"]
        widgets = {
            "expected_close_date": DATE,
            **{name: SHORT_TEXT for name in TEXT_FIELDS},
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk:
            del self.fields["account"]
            self.fields["version"].initial = instance.version
            team_ids = list(instance.team.values_list("pk", flat=True))
            offer(self.fields["owner"], _colleagues(instance.owner_id))
            offer(self.fields["team"], _colleagues(*team_ids))
        else:
            offer(self.fields["account"], visible_accounts(user).order_by("name"))
            offer(self.fields["owner"], _colleagues())
            offer(self.fields["team"], _colleagues())
        self.fields["exchange_rate"].required = False

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values the services take (account and team apart)."""
        data = {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}
        if data.get("exchange_rate") is None:
            data.pop("exchange_rate")
        return data


def _answer_choices() -> list[tuple[str, Any]]:
    return [("", "—"), *Answer.choices]


class EvaluationForm(KamForm):
    """The twenty questions (§3.3): one answer and one note per question."""

    def __init__(self, *args: Any, latest: Evaluation | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        answers = latest.answers if latest else {}
        for number in calculations.QUESTION_NUMBERS:
            previous = answers.get(str(number)) or {}
            self.fields[f"q{number}"] = forms.ChoiceField(
                choices=_answer_choices(),
                required=False,
                initial=previous.get("answer", ""),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[f"n{number}"] = forms.CharField(
                required=False,
                max_length=500,
                initial=previous.get("note", ""),
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )

    def answers(self) -> dict[int, str]:
        return {n: self.cleaned_data.get(f"q{n}", "") for n in calculations.QUESTION_NUMBERS}

    def notes(self) -> dict[int, str]:
        return {n: self.cleaned_data.get(f"n{n}", "") for n in calculations.QUESTION_NUMBERS}

    def field_pairs(self) -> dict[int, tuple[Any, Any]]:
        return {n: (self[f"q{n}"], self[f"n{n}"]) for n in calculations.QUESTION_NUMBERS}


class MoveForm(KamForm):
    """A stage move (§3.1) with the exit criteria confirmed and, if needed, an override (§3.2)."""

    to_stage = forms.ModelChoiceField(queryset=Stage.objects.none(), label=_("move to stage"))
    confirm_exit = forms.BooleanField(
        required=False, label=_("The exit criteria of the stages being left are met")
    )
    override_reason = forms.CharField(
        required=False,
        widget=SHORT_TEXT,
        label=_("Manager's reason for passing an unqualified opportunity"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, opportunity: Opportunity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(
            self.fields["to_stage"],
            Stage.objects.filter(model_id=opportunity.stage.model_id).order_by("order"),
        )
        self.fields["to_stage"].initial = opportunity.stage_id
        self.fields["version"].initial = opportunity.version


# What a lost deal records when nobody won: the word the API takes and the reports read
# (kam.reports.selectors.NONE_WON), whatever the page's language.
NO_WINNER = "none"


class CloseForm(KamForm):
    """Won, lost or no decision, with the reason.

    No outcome is preselected: closing a deal as won by leaving the default would count a
    sale that never happened, so the user picks won, lost or no decision every time.
    """

    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", "—"), *((v, label) for v, label in Status.choices if v != Status.OPEN)],
    )
    reason = forms.CharField(label=_("Reason"), widget=SHORT_TEXT, required=False)
    winning_competitor = forms.CharField(
        label=_("Competitor who won"),
        required=False,
        help_text=_("When lost: the competitor who won, or tick “No competitor won”."),
    )
    no_winner = forms.BooleanField(label=_("No competitor won"), required=False)
    closed_on = forms.DateField(label=_("Closed on"), required=False, widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("no_winner") and not data.get("winning_competitor"):
            data["winning_competitor"] = NO_WINNER
        elif data.get("status") == Status.LOST and not data.get("winning_competitor"):
            self.add_error(
                "winning_competitor",
                _("Name the competitor who won, or tick “No competitor won”."),
            )
        return data


class ReopenForm(KamForm):
    reason = forms.CharField(label=_("why reopen"), widget=SHORT_TEXT, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class CompetitorForm(KamModelForm):
    class Meta:
        model = OpportunityCompetitor
        fields = ["name", "strengths", "weaknesses", "standing", "note"]
        widgets = {"strengths": SHORT_TEXT, "weaknesses": SHORT_TEXT, "note": SHORT_TEXT}


#: What "decisive" means (决策因素制定): the customer's highest priority.
DECISIVE_HELP = _(
    "High priority makes a factor decisive: where we trail on it, choose a strategy "
    "to shape it, or the deal is flagged."
)


class DecisionFactorForm(KamModelForm):
    class Meta:
        model = DecisionFactor
        fields = [
            "name",
            "factor_type",
            "scope",
            "priority",
            "standing",
            "missed_by_customer",
            "set_by",
            "strategy",
            "strategy_actions",
        ]
        widgets = {"strategy_actions": SHORT_TEXT}
        help_texts = {"priority": DECISIVE_HELP}


class FactorStrategyForm(KamModelForm):
    """Who sets a decision factor, how we stand, and how we shape it (决策因素制定)."""

    class Meta:
        model = DecisionFactor
        fields = ["priority", "standing", "set_by", "strategy", "strategy_actions"]
        widgets = {"strategy_actions": SHORT_TEXT}
        help_texts = {"priority": DECISIVE_HELP}


class ObjectionForm(KamModelForm):
    class Meta:
        model = Objection
        fields = ["kind", "said", "response", "resolved", "raised_on"]
        widgets = {"said": SHORT_TEXT, "response": SHORT_TEXT, "raised_on": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["raised_on"].required = False


class ObjectionResponseForm(KamForm):
    response = forms.CharField(label=_("our response"), widget=SHORT_TEXT, required=False)
    resolved = forms.BooleanField(label=_("resolved"), required=False)


# --- administration ----------------------------------------------------------------------

STAGE_FIELDS = [
    "name_zh",
    "name_en",
    "win_rate",
    "our_step_zh",
    "our_step_en",
    "exit_criteria_zh",
    "exit_criteria_en",
    "requires_credit_check",
]


class StageForm(KamModelForm):
    """Names in both languages, rate and exit criteria of one stage (§3.1)."""

    class Meta:
        model = Stage
        fields = STAGE_FIELDS
        widgets = {"exit_criteria_zh": SHORT_TEXT, "exit_criteria_en": SHORT_TEXT}


class NewStageForm(StageForm):
    class Meta(StageForm.Meta):
        fields = ["key", *STAGE_FIELDS]


class StageChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.model.name} · {obj.order}. {obj.name}"


class PipelineSettingsForm(KamModelForm):
    """The off-funnel threshold, the stall rule and the funnel screen (§3.3)."""

    critical_questions = forms.TypedMultipleChoiceField(
        label=_("critical questions"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select form-select-sm", "size": 8}),
        help_text=_("A no on any of these fails its gate, whatever the score."),
    )
    worth_gate_stages = StageChoice(
        label=_("failing “Is it worth it?” is a red flag from"),
        queryset=Stage.objects.select_related("model").order_by("model__pk", "order"),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select form-select-sm", "size": 8}),
        help_text=_(
            "Per stage model, the stage from which on a deal failing the gate is a red flag "
            "(Comparison in the purchase stages)."
        ),
    )

    class Meta:
        model = PipelineSettings
        fields = [
            "small_sale_threshold",
            "stall_days",
            "gate_pass_mark",
            "evaluation_max_age_days",
            "critical_questions",
            "worth_gate_stages",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["critical_questions"]
        field.choices = [
            (number, f"{number}. {text}")
            for _key, _label, questions in calculations.GATES
            for number, text in questions
        ]
