"""Forms of notifications: preferences, group bots, thresholds."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.core.models import Team
from kam.notifications.models import Channel, Event, NotificationSettings, Platform
from kam.ui.forms import KamForm

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


def channels_for(event: str) -> list[str]:
    """Special days are personal: never offered for the team's group chat."""
    if event == Event.SPECIAL_DAY:
        return [Channel.INBOX, Channel.EMAIL]
    return list(Channel.values)


class PreferencesForm(KamForm):
    """One checkbox per event and channel, named ``<event>__<channel>``."""

    def __init__(self, *args: Any, current: dict[str, set[str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for event in Event.values:
            for channel in channels_for(event):
                name = f"{event}__{channel}"
                self.fields[name] = forms.BooleanField(
                    required=False,
                    initial=channel in current.get(event, set()),
                    label=f"{Event(event).label} · {Channel(channel).label}",
                )
                self.fields[name].widget.attrs["class"] = "form-check-input"

    def rows(self) -> list[tuple[str, list[Any]]]:
        """(event label, [bound field or None per channel]) for the table."""
        table = []
        for event in Event.values:
            cells = [
                self[f"{event}__{channel}"] if f"{event}__{channel}" in self.fields else None
                for channel in Channel.values
            ]
            table.append((str(Event(event).label), cells))
        return table

    def choices(self) -> dict[str, set[str]]:
        data = self.cleaned_data
        return {
            event: {c for c in channels_for(event) if data.get(f"{event}__{c}")}
            for event in Event.values
        }


class EndpointForm(KamForm):
    name = forms.CharField(label=_("name"), max_length=100)
    platform = forms.ChoiceField(label=_("platform"), choices=Platform.choices)
    url = forms.URLField(
        label=_("webhook address"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_(
            "Copied from the bot's settings in the group. Leave empty to keep the saved one."
        ),
    )
    secret = forms.CharField(
        label=_("signing secret"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "DingTalk “加签” secret (SEC…) or Feishu signature secret; leave empty to keep "
            "the saved one. WeCom bots need none."
        ),
    )
    team = forms.ModelChoiceField(
        label=_("team"),
        queryset=Team.objects.order_by("path"),
        required=False,
        empty_label=_("Whole company"),
    )
    active = forms.BooleanField(label=_("active"), required=False, initial=True)


class SettingsForm(KamForm):
    large_deal_amount = forms.DecimalField(
        label=_("large deal from (CNY)"), min_value=0, max_digits=16, decimal_places=2
    )
    activity_lead_hours = forms.IntegerField(
        label=_("remind of activities hours before"), min_value=1, max_value=168
    )
    special_day_lead_days = forms.IntegerField(
        label=_("announce special days days before"), min_value=0, max_value=30
    )
    digest_weekday = forms.TypedChoiceField(
        label=_("weekly digest on"), choices=WEEKDAYS, coerce=int
    )

    @classmethod
    def initial_from(cls, row: NotificationSettings) -> dict[str, Any]:
        return {
            "large_deal_amount": row.large_deal_amount,
            "activity_lead_hours": row.activity_lead_hours,
            "special_day_lead_days": row.special_day_lead_days,
            "digest_weekday": row.digest_weekday,
        }
