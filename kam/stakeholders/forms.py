"""Forms of the decision-chain pages; they parse input, services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kam.accounts.models import Account
from kam.accounts.visibility import visible_accounts
from kam.stakeholders.models import (
    BuyingRole,
    Contact,
    Influence,
    InfluenceLine,
    InnovationAttitude,
    Level,
    PersonalInfo,
    PurchaseRole,
    RedFlagSettings,
    Relationship,
    Style,
    Support,
)
from kam.ui.forms import KamForm, KamModelForm, offer


def _blank(choices: Any) -> list[tuple[str, str]]:
    return [("", "—"), *choices]


class AccountChoiceForm(KamForm):
    """Adding a person from the people list: first, at which customer."""

    account = forms.ModelChoiceField(label=_("Account"), queryset=Account.objects.none())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(self.fields["account"], visible_accounts(user).order_by("name"))


class ContactForm(KamForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=pgettext_lazy("person", "name"), max_length=100)
    title = forms.CharField(label=_("title"), max_length=100, required=False)
    department = forms.CharField(label=_("department or function"), max_length=100, required=False)
    level = forms.ChoiceField(label=_("level"), choices=Level.choices, initial=Level.OPERATIONAL)
    reports_to = forms.ModelChoiceField(
        label=_("reports to"), queryset=Contact.objects.none(), required=False
    )
    phone = forms.CharField(label=_("phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("email"), required=False)
    wechat = forms.CharField(label=_("WeChat"), max_length=60, required=False)
    scope = forms.CharField(
        label=_("scope of work and influence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    personality = forms.CharField(
        label=_("personality notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    has_left = forms.BooleanField(label=_("has left the company"), required=False)
    effective_on = forms.DateField(
        label=_("a move takes effect on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For a change of title, department, line or leaving; today if empty."),
    )

    FIELDS = (
        "name",
        "title",
        "department",
        "level",
        "reports_to",
        "phone",
        "email",
        "wechat",
        "scope",
        "personality",
        "has_left",
    )

    def __init__(
        self, *args: Any, account: Any, instance: Contact | None = None, **kw: Any
    ) -> None:
        if instance is not None:
            kw.setdefault(
                "initial",
                {**{f: getattr(instance, f) for f in self.FIELDS}, "version": instance.version},
            )
        super().__init__(*args, **kw)
        people = Contact.objects.filter(account=account).order_by("name")
        if instance is not None:
            people = people.exclude(pk=instance.pk)
        else:
            del self.fields["has_left"]
            del self.fields["effective_on"]
        offer(self.fields["reports_to"], people)

    def values(self) -> dict[str, Any]:
        return {f: self.cleaned_data[f] for f in self.FIELDS if f in self.cleaned_data}


class PersonalInfoForm(KamForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    address = forms.CharField(
        label=_("address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    family = forms.CharField(
        label=_("family and children"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    career = forms.CharField(
        label=_("career"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    birthday = forms.DateField(
        label=_("birthday"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    special_days = forms.CharField(
        label=_("special days and anniversaries"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    hobbies = forms.CharField(
        label=_("hobbies and sports"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    tastes = forms.CharField(
        label=_("tastes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    proud_moments = forms.CharField(
        label=_("proud moments"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    sayings = forms.CharField(
        label=_("memorable sayings"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, instance: PersonalInfo, **kw: Any) -> None:
        kw.setdefault(
            "initial",
            {
                **{f: getattr(instance, f) for f in (*PersonalInfo.TEXT_FIELDS, "birthday")},
                "version": instance.version if instance.pk else 0,
            },
        )
        super().__init__(*args, **kw)

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class StakeholderForm(KamForm):
    """Add a person to the buying circle: someone at the customer, a colleague or a third party."""

    contact = forms.ModelChoiceField(
        label=_("person at the customer"), queryset=Contact.objects.none(), required=False
    )
    staff: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("or our colleague (as coach)"), queryset=None, required=False
    )
    outside_name = forms.CharField(
        label=_("or a third party (as coach)"), max_length=100, required=False
    )
    roles = forms.MultipleChoiceField(
        label=_("buying roles"),
        choices=BuyingRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    purchase_role = forms.ChoiceField(
        label=_("purchase role"), choices=_blank(PurchaseRole.choices), required=False
    )
    personal_win = forms.CharField(label=_("personal win"), max_length=500, required=False)
    business_result = forms.CharField(
        label=_("business result wanted"), max_length=500, required=False
    )
    threatened_interests = forms.CharField(
        label=_("entrenched interests threatened"), max_length=1000, required=False
    )

    def __init__(self, *args: Any, opportunity: Any, staff: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        offer(
            self.fields["contact"],
            Contact.objects.filter(account_id=opportunity.account_id, has_left=False)
            .exclude(stakes__opportunity=opportunity)
            .order_by("name"),
        )
        offer(self.fields["staff"], staff)
        self.fields["roles"].widget.attrs["class"] = ""


class AssessmentForm(KamForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    assessed_on = forms.DateField(
        label=_("assessed on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )
    support = forms.ChoiceField(label=_("support"), choices=_blank(Support.choices), required=False)
    influence = forms.ChoiceField(
        label=_("influence"), choices=_blank(Influence.choices), required=False
    )
    relationship = forms.ChoiceField(
        label=_("relationship"), choices=_blank(Relationship.choices), required=False
    )
    relationship_target = forms.ChoiceField(
        label=_("target relationship"), choices=_blank(Relationship.choices), required=False
    )
    innovation = forms.ChoiceField(
        label=_("innovation attitude"), choices=_blank(InnovationAttitude.choices), required=False
    )
    style = forms.ChoiceField(
        label=_("interpersonal style"), choices=_blank(Style.choices), required=False
    )
    note = forms.CharField(label=_("note"), required=False, max_length=1000)

    SCALES = ("support", "influence", "relationship", "relationship_target", "innovation", "style")

    def values(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in self.SCALES}


class InterestsForm(KamForm):
    """What a person of the buying circle stands to lose if we win (§2.2)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    threatened_interests = forms.CharField(
        label=_("entrenched interests threatened"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "What this person stands to lose if we win: a supplier they favour, their standing, "
            "a system they built. Leave empty when nothing is at stake for them."
        ),
    )


class InfluenceLineForm(KamForm):
    source = forms.ModelChoiceField(label=_("who"), queryset=Contact.objects.none())
    target = forms.ModelChoiceField(label=_("influences whom"), queryset=Contact.objects.none())
    strength = forms.TypedChoiceField(
        label=_("strength"),
        choices=InfluenceLine.Strength.choices,
        coerce=int,
        initial=InfluenceLine.Strength.MEDIUM,
    )

    def __init__(self, *args: Any, people: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        offer(self.fields["source"], people)
        offer(self.fields["target"], people)


class RoleForm(KamForm):
    """Set or clear one buying role of one circle member, from the map.

    The member's choice carries the version the page showed, so a role set by
    a colleague meanwhile makes this edit a conflict instead of overwriting it.
    """

    member = forms.CharField(label=_("person"), widget=forms.Select)
    role = forms.ChoiceField(label=_("buying role"), choices=BuyingRole.choices)
    held = forms.TypedChoiceField(
        label=_("holds it"),
        choices=[("1", _("yes")), ("0", _("no"))],
        coerce=lambda v: v == "1",
        initial="1",
    )

    def __init__(self, *args: Any, members: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.member_ids = {s.pk for s in members}
        member = self.fields["member"].widget
        assert isinstance(member, forms.Select)
        member.choices = [(f"{s.pk}:{s.version}", s.display_name) for s in members]

    def clean_member(self) -> tuple[int, int]:
        # Any version is accepted here: an old one is the service's conflict, said clearly.
        pk, _sep, version = self.cleaned_data["member"].partition(":")
        if not (pk.isdigit() and version.isdigit()) or int(pk) not in self.member_ids:
            raise forms.ValidationError(_("Choose a person of the buying circle."))
        return int(pk), int(version)

    def member_and_version(self) -> tuple[int, int]:
        chosen: tuple[int, int] = self.cleaned_data["member"]
        return chosen


class RedFlagSettingsForm(KamModelForm):
    class Meta:
        model = RedFlagSettings
        fields = [
            "new_person_days",
            "min_people_engaged",
            "single_thread_min_activities",
            "contact_window_days",
            "trust_from_win_rate",
        ]


def _step() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("person"), queryset=Contact.objects.none(), required=False
    )


def _care() -> forms.CharField:
    return forms.CharField(label=_("what they care about"), max_length=200, required=False)


class PaymentChainForm(KamForm):
    """The customer's payment approval path (§6), one person per step, first approver first.

    ``expected`` carries the path the page showed, so a colleague's change made
    meanwhile turns this edit into a conflict instead of being overwritten.
    """

    STEPS = 6
    expected = forms.CharField(widget=forms.HiddenInput, required=False)
    person_1, note_1 = _step(), _care()
    person_2, note_2 = _step(), _care()
    person_3, note_3 = _step(), _care()
    person_4, note_4 = _step(), _care()
    person_5, note_5 = _step(), _care()
    person_6, note_6 = _step(), _care()

    def __init__(self, *args: Any, people: Any, current: Any = (), **kw: Any) -> None:
        current = list(current)
        initial: dict[str, Any] = {"expected": ",".join(str(step.contact_id) for step in current)}
        for n, step in enumerate(current[: self.STEPS], start=1):
            initial[f"person_{n}"] = step.contact_id
            initial[f"note_{n}"] = step.note
        kw.setdefault("initial", initial)
        super().__init__(*args, **kw)
        for n in range(1, self.STEPS + 1):
            offer(self.fields[f"person_{n}"], people)

    def rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"person_{n}"], self[f"note_{n}"]) for n in range(1, self.STEPS + 1)]

    def steps(self) -> list[tuple[Contact, str]]:
        data = self.cleaned_data
        return [
            (data[f"person_{n}"], data[f"note_{n}"].strip())
            for n in range(1, self.STEPS + 1)
            if data.get(f"person_{n}") is not None
        ]

    def expected_path(self) -> list[int]:
        raw = self.cleaned_data.get("expected") or ""
        return [int(x) for x in raw.split(",") if x.strip().isdigit()]
