"""Forms of the activity pages; they parse input, the services decide (DOMAIN.md §4, §3.6)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from kam.accounts.models import Account, ActionStatus, PlanAction
from kam.accounts.visibility import visible_accounts
from kam.activities.calculations import EXAMPLES, objective_problem
from kam.activities.models import Activity, Kind, Outcome
from kam.core.models import Role, User
from kam.pipeline.models import Opportunity, Status
from kam.stakeholders.models import Contact
from kam.ui.forms import KamForm, offer

WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
SHORT_TEXT = forms.Textarea(attrs={"rows": 2})


def _objective_help() -> str:
    examples = " / ".join(f"“{example}”" for example in EXAMPLES)
    return str(
        _(
            "What the customer will do when the activity ends — a result, not what we "
            "do: attends a demo, lets us meet a higher decision maker, agrees to a trial. "
            "Examples: %(examples)s"
        )
        % {"examples": examples}
    )


OBJECTIVE_HELP = lazy(_objective_help, str)()


def _staff(*keep: int) -> QuerySet[User]:
    """Colleagues who can join a customer meeting, plus whoever is on it already."""
    return (
        User.objects.filter(Q(is_active=True) | Q(pk__in=keep))
        .exclude(role=Role.FINANCE)
        .order_by("username")
    )


class AccountChoiceForm(KamForm):
    """Step one of a blank plan: which customer the activity is with."""

    account = forms.ModelChoiceField(label=_("Account"), queryset=Account.objects.none())

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(self.fields["account"], visible_accounts(user).order_by("name"))


class ActivityForm(KamForm):
    """Plan or change an activity with the 5W and an objective (§4)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("What (kind of activity)"), choices=Kind.choices)
    starts_at = forms.DateTimeField(label=_("When"), widget=WHEN)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), required=False, min_value=1, initial=60
    )
    location = forms.CharField(label=_("Where"), required=False, max_length=200)
    purpose = forms.CharField(
        label=_("Why (purpose)"),
        required=False,
        widget=SHORT_TEXT,
        help_text=_(
            "Build rapport, dig out project information, strengthen our position "
            "or move the project forward."
        ),
    )
    contacts = forms.ModelMultipleChoiceField(
        label=_("Who: people at the customer"), queryset=Contact.objects.none(), required=False
    )
    staff = forms.ModelMultipleChoiceField(
        label=_("Who: our staff"), queryset=User.objects.none(), required=False
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    objective = forms.CharField(
        label=_("Objective: what the customer will do"),
        widget=SHORT_TEXT,
        help_text=OBJECTIVE_HELP,
    )
    opportunity = forms.ModelChoiceField(
        label=_("Opportunity"), queryset=Opportunity.objects.none(), required=False
    )
    plan_action = forms.ModelChoiceField(
        label=_("Account plan action"), queryset=PlanAction.objects.none(), required=False
    )

    def __init__(
        self,
        *args: Any,
        account: Account,
        user: User,
        instance: Activity | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.account = account
        self.instance = instance
        keep_staff = [user.pk]
        keep_opportunity: list[int] = []
        if instance is not None:
            keep_staff += [instance.owner_id, *(u.pk for u in instance.staff.all())]
            keep_opportunity = [instance.opportunity_id] if instance.opportunity_id else []
            for name in ("kind", "starts_at", "duration_minutes", "location", "purpose"):
                self.fields[name].initial = getattr(instance, name)
            self.fields["starts_at"].initial = timezone.localtime(instance.starts_at)
            self.fields["objective"].initial = instance.objective
            self.fields["owner"].initial = instance.owner_id
            self.fields["opportunity"].initial = instance.opportunity_id
            self.fields["contacts"].initial = [c.pk for c in instance.contacts.all()]
            self.fields["staff"].initial = [u.pk for u in instance.staff.all()]
            self.fields["version"].initial = instance.version
            linked = PlanAction.objects.filter(activity=instance).values_list("pk", flat=True)
            self.fields["plan_action"].initial = next(iter(linked), None)
        else:
            self.fields["owner"].initial = user.pk
        offer(self.fields["contacts"], Contact.objects.filter(account=account).order_by("name"))
        offer(self.fields["staff"], _staff(*keep_staff))
        offer(self.fields["owner"], _staff(*keep_staff))
        offer(
            self.fields["opportunity"],
            Opportunity.objects.filter(
                Q(status=Status.OPEN) | Q(pk__in=keep_opportunity), account=account
            ).order_by("name"),
        )
        pending = Q(status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS])
        if instance is not None:
            pending |= Q(activity=instance)
        offer(
            self.fields["plan_action"],
            PlanAction.objects.filter(pending, objective__plan__account=account)
            .select_related("objective")
            .order_by("due_date", "pk"),
        )

    def clean_objective(self) -> str:
        objective: str = self.cleaned_data.get("objective", "")
        problem = objective_problem(objective)
        if problem:
            raise forms.ValidationError(problem)
        return objective

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "starts_at": data["starts_at"],
            "duration_minutes": data.get("duration_minutes"),
            "location": data.get("location", ""),
            "purpose": data.get("purpose", ""),
            "objective": data["objective"],
            "owner": data["owner"],
            "opportunity": data.get("opportunity"),
        }


class OutcomeForm(KamForm):
    """What happened, judged by what the customer did (§3.6)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The phone's draft key (offline.js fills it), so a repeated send records once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Order: the customer bought. Advance: the customer agreed to a concrete step "
            "(a demo, a meeting with a higher decision maker, a trial, part of a budget). "
            "Continuation: a pleasant talk but no step agreed — polite praise at the end of "
            "a meeting is a continuation. No sale: the customer said no."
        ),
    )
    outcome_note = forms.CharField(
        label=_("What the customer agreed to do"),
        required=False,
        widget=SHORT_TEXT,
        help_text=_("Needed for an advance or an order, e.g. “attends our demo on Tuesday”."),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), required=False, min_value=1
    )
    expenses = forms.DecimalField(
        label=_("Expenses (CNY)"), required=False, min_value=0, max_digits=16, decimal_places=2
    )

    def __init__(self, *args: Any, instance: Activity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = instance.version
        self.fields["outcome"].initial = instance.outcome or None
        self.fields["outcome_note"].initial = instance.outcome_note
        self.fields["duration_minutes"].initial = instance.duration_minutes
        self.fields["expenses"].initial = instance.expenses


class VersionForm(KamForm):
    """A bare confirmation (cancel) that carries the version the user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
