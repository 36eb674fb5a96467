"""The shared form rendering: radios readable, the version hidden, dates the browser accepts."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone, translation

from kam.ui.forms import KamForm
from tests.factories import ActivityFactory, ContactFactory
from tests.stakeholders.factories import StakeholderFactory

pytestmark = pytest.mark.django_db


def _set_language(user, language):  # type: ignore[no-untyped-def]
    user.language = language
    user.save(update_fields=["language"])


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("zh-hans", ["成功订单", "进展", "延续", "无销售"]),
        ("en", ["Order", "Advance", "Continuation", "No sale"]),
    ],
)
def test_outcome_radios_each_sit_beside_their_whole_label(org, login, language, labels):
    _set_language(org.rep, language)
    activity = ActivityFactory(owner=org.rep, account__owner=org.rep)
    page = login(org.rep).get(reverse("activities:outcome", args=[activity.pk])).content.decode()
    for number, label in enumerate(labels):
        # Bootstrap's check layout: the radio and its full label side by side in one row.
        assert re.search(
            rf'<div class="form-check"><input type="radio" name="outcome" value="\w+" '
            rf'class="form-check-input" id="id_outcome_{number}"[^>]*> '
            rf'<label class="form-check-label" for="id_outcome_{number}">{label}</label></div>',
            page,
        ), label
    assert re.search(r'<legend class="form-label[^"]*">(结果|Outcome)</legend>', page)


def test_no_form_shows_a_version_label(org, login):
    activity = ActivityFactory(owner=org.rep, account__owner=org.rep)
    contact = ContactFactory(account=activity.account)
    client = login(org.rep)
    for url in (
        reverse("stakeholders:edit", args=[contact.pk]),
        reverse("activities:edit", args=[activity.pk]),
        reverse("activities:outcome", args=[activity.pk]),
    ):
        page = client.get(url).content.decode()
        assert re.search(r'<input type="hidden" name="version" value="\d+"', page), url
        assert "Version" not in page and 'for="id_version"' not in page, url


def test_a_version_model_field_is_hidden_too():
    class Edit(KamForm):
        version = forms.IntegerField()
        name = forms.CharField()

    html = Edit(initial={"version": 3}).as_div()
    assert '<input type="hidden" name="version" value="3"' in html


class _Dates(KamForm):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


def test_date_inputs_carry_iso_values_in_chinese():
    when = timezone.make_aware(timezone.datetime(2026, 12, 7, 21, 34))
    with translation.override("zh-hans"):
        html = _Dates(initial={"day": date(2026, 12, 7), "at": when}).as_div()
    assert 'type="date" name="day" value="2026-12-07"' in html
    assert 'type="datetime-local" name="at" value="2026-12-07T21:34"' in html


def test_the_decision_chain_prefills_assessment_dates_in_iso(org, login):
    stakeholder = StakeholderFactory(opportunity__account__owner=org.rep)
    _set_language(org.rep, "zh-hans")
    page = login(org.rep).get(
        reverse("stakeholders:opportunity", args=[stakeholder.opportunity_id])
    )
    today = timezone.localdate().isoformat()
    values = re.findall(r'type="date" name="assessed_on" value="([^"]*)"', page.content.decode())
    assert values and set(values) == {today}
