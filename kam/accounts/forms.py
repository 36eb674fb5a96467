"""Forms of the account pages; they parse input, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.accounts.models import (
    PRINCIPLES,
    STRATEGY_STEPS,
    Account,
    AccountMember,
    AccountNote,
    AccountPlan,
    AccountPolicy,
    ChecklistItem,
    CompetitorPresence,
    GrowthLever,
    InstalledProduct,
    LatentNeed,
    PlanAction,
    PlanObjective,
    PlanSettings,
    ProductLine,
    PurchasingDepartment,
    StrategyAllocation,
    SwotItem,
    Tier,
    ValuePeriod,
    WhitespaceStatus,
)
from kam.accounts.services import PROFILE_FIELDS
from kam.accounts.visibility import visible_accounts
from kam.core.models import Role, User
from kam.ui.forms import KamForm, KamModelForm, offer

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SHORT_TEXT = forms.Textarea(attrs={"rows": 2})


class AccountForm(KamModelForm):
    """The full profile (§1.1) plus the qualification inputs entered by hand (§1.2)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    website = forms.URLField(
        label=Account._meta.get_field("website").verbose_name,
        max_length=200,
        required=False,
        assume_scheme="https",
    )

    class Meta:
        model = Account
        fields = PROFILE_FIELDS
        widgets = {
            "business": SHORT_TEXT,
            "business_status": SHORT_TEXT,
            "competitive_environment": SHORT_TEXT,
            "core_business_structure": SHORT_TEXT,
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(self.fields["owner"], User.objects.filter(is_active=True).exclude(role=Role.FINANCE))
        parents = visible_accounts(user).only("pk", "name")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        offer(self.fields["parent"], parents)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    # The service checks the group tree and duplicates; the form only parses.
    def validate_unique(self) -> None:
        return None


class MemberForm(KamForm):
    user = forms.ModelChoiceField(
        label=_("colleague"),
        queryset=User.objects.filter(is_active=True).exclude(role=Role.FINANCE),
    )
    role = forms.ChoiceField(label=_("role on the account"), choices=AccountMember.TeamRole.choices)


class MemberRoleForm(KamForm):
    role = forms.ChoiceField(label=_("role on the account"), choices=AccountMember.TeamRole.choices)


def _item_form(model: type, fields: list[str], widgets: dict[str, Any] | None = None) -> type:
    meta = type("Meta", (), {"model": model, "fields": fields, "widgets": widgets or {}})
    return type(f"{model.__name__}Form", (KamModelForm,), {"Meta": meta})


# What can be recorded about an account from its 360 page: kind → (model, form).
ITEM_KINDS: dict[str, tuple[type, type]] = {
    "installed": (
        InstalledProduct,
        _item_form(
            InstalledProduct, ["product", "brand", "ours", "use", "quantity", "in_use_since"]
        ),
    ),
    "department": (
        PurchasingDepartment,
        _item_form(
            PurchasingDepartment,
            ["name", "role_in_purchasing", "reports_to", "cooperation"],
            {"cooperation": SHORT_TEXT},
        ),
    ),
    "competitor": (
        CompetitorPresence,
        _item_form(
            CompetitorPresence,
            ["competitor", "history", "their_reps", "strengths", "weaknesses"],
            {"history": SHORT_TEXT, "strengths": SHORT_TEXT, "weaknesses": SHORT_TEXT},
        ),
    ),
    "note": (
        AccountNote,
        _item_form(
            AccountNote,
            ["text", "source", "source_detail", "observed_on"],
            {"text": SHORT_TEXT, "observed_on": DATE},
        ),
    ),
    "swot": (SwotItem, _item_form(SwotItem, ["kind", "factor", "text"], {"text": SHORT_TEXT})),
    "need": (
        LatentNeed,
        _item_form(
            LatentNeed,
            ["quadrant", "text", "horizon", "estimated_amount"],
            {"text": SHORT_TEXT},
        ),
    ),
    "value": (
        ValuePeriod,
        _item_form(
            ValuePeriod,
            [
                "year",
                "profit_contribution",
                "cost_of_sales",
                "cost_of_service",
                "cost_of_relationship",
                "learning_value",
                "skill_value",
                "referral_value",
            ],
        ),
    ),
}


class TierOverrideForm(KamForm):
    tier = forms.ChoiceField(label=_("tier"), choices=Tier.choices)
    reason = forms.CharField(label=_("why"), widget=SHORT_TEXT)
    version = forms.IntegerField(widget=forms.HiddenInput)


class NeedToOpportunityForm(KamForm):
    name = forms.CharField(label=_("opportunity name"), max_length=200)
    amount = forms.DecimalField(label=_("amount"), max_digits=16, decimal_places=2, min_value=0)
    expected_close_date = forms.DateField(label=_("expected close date"), widget=DATE)


class PlanForm(KamModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = AccountPlan
        fields = [
            "year",
            "revenue_goal",
            "profit_goal",
            "share_goal_pct",
            "value_proposition",
            "short_term_focus",
            "long_term_focus",
            "allocated_hours",
            "allocated_people",
            "allocated_budget",
        ]
        widgets = {
            "value_proposition": SHORT_TEXT,
            "short_term_focus": SHORT_TEXT,
            "long_term_focus": SHORT_TEXT,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["year"].disabled = True
            self.fields["version"].initial = self.instance.version
        for name in self.RESOURCES:
            self.fields[name].required = False

    #: Nothing allocated until the plan says so: an empty field means none.
    RESOURCES = ("allocated_hours", "allocated_people", "allocated_budget")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.RESOURCES:
            if name in data and data[name] is None:
                data[name] = 0
        return data

    def validate_unique(self) -> None:
        return None


class ChecklistForm(KamForm):
    """Which steps of the key-account strategy and which principles the plan applies."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    steps = forms.MultipleChoiceField(
        label=_("The four-step key-account strategy"),
        choices=[(item.value, item.label) for item in STRATEGY_STEPS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    principles = forms.MultipleChoiceField(
        label=_("The ten principles of key-account management"),
        choices=[(item.value, item.label) for item in PRINCIPLES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    @classmethod
    def for_plan(cls, plan: AccountPlan) -> ChecklistForm:
        ticked = set(plan.checklist)
        return cls(
            initial={
                "version": plan.version,
                "steps": [i.value for i in STRATEGY_STEPS if i in ticked],
                "principles": [i.value for i in PRINCIPLES if i in ticked],
            }
        )

    def checklist(self) -> list[str]:
        """The ticked items in the checklist's own order."""
        ticked = {*self.cleaned_data["steps"], *self.cleaned_data["principles"]}
        return [value for value in ChecklistItem.values if value in ticked]


class ReviewForm(KamForm):
    """A reviewer's (or the submitter's) comment on a step of the plan's review."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(label=_("comment"), widget=SHORT_TEXT, required=False)


class PlanSettingsForm(KamModelForm):
    class Meta:
        model = PlanSettings
        fields = ["review_days"]


LeverForm = _item_form(
    GrowthLever,
    ["kind", "description", "expected_revenue", "attractiveness", "probability", "horizon"],
    {"description": SHORT_TEXT},
)
ObjectiveForm = _item_form(PlanObjective, ["text", "measure", "horizon"])


class ActionForm(KamModelForm):
    class Meta:
        model = PlanAction
        fields = ["objective", "text", "owner", "due_date", "activity", "opportunity"]
        widgets = {"due_date": DATE}

    def __init__(self, *args: Any, plan: AccountPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        account: Any = plan.account
        offer(self.fields["objective"], plan.objectives.all())
        offer(self.fields["owner"], User.objects.filter(is_active=True))
        offer(self.fields["activity"], account.activities.order_by("-starts_at"))
        offer(self.fields["opportunity"], account.opportunities.order_by("name"))


class WhitespaceForm(KamForm):
    unit = forms.CharField(label=_("business unit or subsidiary"), max_length=200)
    product_line = forms.ModelChoiceField(
        label=_("product line"), queryset=ProductLine.objects.filter(active=True)
    )
    status = forms.ChoiceField(
        label=_("status"),
        choices=[("", _("(clear)")), *WhitespaceStatus.choices],
        required=False,
    )


class PolicyForm(KamModelForm):
    class Meta:
        model = AccountPolicy
        fields = [
            "key_min_score",
            "important_min_score",
            "high_potential_from",
            "high_share_from_pct",
            "intrude_below_pct",
        ]


class AllocationForm(KamModelForm):
    class Meta:
        model = StrategyAllocation
        fields = ["strategy", "planned_hours", "planned_people", "planned_budget"]

    def validate_unique(self) -> None:
        return None


class CriteriaForm(KamForm):
    """Weights and scales of the seven criteria, one row each (admins)."""

    def __init__(self, *args: Any, criteria: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = []
        for criterion in criteria:
            names = []
            for part, label, initial in (
                ("weight", _("weight"), criterion.weight),
                ("zero_at", _("scores 0 at"), criterion.zero_at),
                ("full_at", _("scores 100 at"), criterion.full_at),
            ):
                name = f"{criterion.key}__{part}"
                self.fields[name] = forms.DecimalField(
                    label=label, max_digits=16, decimal_places=2, initial=initial
                )
                self.fields[name].widget.attrs["class"] = "form-control form-control-sm"
                names.append(name)
            self.rows.append((criterion, [self[n] for n in names]))

    def values(self) -> dict[str, dict[str, Any]]:
        result: dict[str, dict[str, Any]] = {}
        for name, value in self.cleaned_data.items():
            key, part = name.split("__")
            result.setdefault(key, {})[part] = value
        return result
