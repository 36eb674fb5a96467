"""Forms of call preparation and the objection playbook."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.coach import guidance
from kam.coach.models import ObjectiveMet, PlaybookEntry
from kam.pipeline.models import ObjectionKind
from kam.ui.forms import KamForm, KamModelForm


def _area(label: Any, help_text: Any = "", rows: int = 2) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class CallPlanForm(KamForm):
    """The rep's plan for one call; the service judges the objectives."""

    objective = forms.CharField(
        label=_("Objective: what the customer will do"),
        help_text=guidance.OBJECTIVE_RULES,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    fallback_objective = _area(
        _("Fallback objective"),
        _("The least the customer should agree to if the main objective is not met."),
    )
    situation_questions = _area(
        _("Situation questions"), guidance.SPIN_STEPS["situation_questions"]
    )
    problem_questions = _area(_("Difficulty questions"), guidance.SPIN_STEPS["problem_questions"])
    implication_questions = _area(
        _("Impact questions"), guidance.SPIN_STEPS["implication_questions"]
    )
    need_payoff_questions = _area(
        _("Need-payoff questions"), guidance.SPIN_STEPS["need_payoff_questions"]
    )
    fab = _area(_("FAB statements"), guidance.FAB_HELP, rows=3)
    power_statement = _area(_("Power statement"), guidance.POWER_STATEMENT_HELP)
    opener_fact = _area(_("Opener: a fact"), guidance.OPENER_STEPS["opener_fact"], rows=1)
    opener_assessment = _area(
        _("Opener: your assessment"), guidance.OPENER_STEPS["opener_assessment"], rows=1
    )
    opener_question = _area(
        _("Opener: an open question"), guidance.OPENER_STEPS["opener_question"], rows=1
    )
    trust_plan = _area(_("How we build trust"))
    coach_plan = _area(_("How we win a coach"))
    expected_objections = forms.MultipleChoiceField(
        label=_("Objections expected"),
        choices=ObjectionKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(required=False)

    SECTIONS = (
        (_("Objective"), ("objective", "fallback_objective")),
        (
            _("Questions: situation → difficulty → impact"),
            (
                "situation_questions",
                "problem_questions",
                "implication_questions",
                "need_payoff_questions",
            ),
        ),
        (_("What we say"), ("fab", "power_statement")),
        (_("Three-step opener"), ("opener_fact", "opener_assessment", "opener_question")),
        (_("Trust and the coach"), ("trust_plan", "coach_plan")),
        (_("Objections"), ("expected_objections",)),
    )

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def plan_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class ObjectiveMetForm(KamForm):
    objective_met = forms.ChoiceField(
        label=_("Which objective did the customer's action meet?"),
        choices=ObjectiveMet.choices,
        widget=forms.RadioSelect,
    )
    version = forms.IntegerField(required=False)

    def __init__(self, *args: Any, has_fallback: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not has_fallback:
            field = self.fields["objective_met"]
            field.choices = [  # type: ignore[attr-defined]
                c for c in ObjectiveMet.choices if c[0] != ObjectiveMet.FALLBACK
            ]


class PlaybookEntryForm(KamModelForm):
    version = forms.IntegerField(required=False)

    class Meta:
        model = PlaybookEntry
        fields = [
            "surface_zh",
            "surface_en",
            "root_cause_zh",
            "root_cause_en",
            "response_zh",
            "response_en",
        ]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields}


class ResponseUsedForm(KamForm):
    """Log the answer given to one objection, from the playbook or in the rep's words."""

    entry = forms.ModelChoiceField(
        label=_("Playbook answer"), queryset=PlaybookEntry.objects.all(), required=False
    )
    response = _area(
        _("What we answered"), _("Leave empty to log the playbook's answer as it stands.")
    )
    resolved = forms.BooleanField(label=_("The objection is resolved"), required=False)
