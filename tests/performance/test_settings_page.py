"""The performance settings page: hourly cost, loyalty-drop threshold, survey link days."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from kam.core.models import AuditEvent
from kam.performance.models import PerformanceSettings

pytestmark = pytest.mark.django_db
URL = reverse("performance:figures")


def post(client, version, **values):  # type: ignore[no-untyped-def]
    data = {"hourly_cost": "300", "loyalty_drop_points": "10", "survey_valid_days": "30"}
    data.update({k: str(v) for k, v in values.items()})
    return client.post(URL, {**data, "version": version}, follow=True)


@pytest.mark.parametrize("who", ["admin", "director"])
def test_administrators_and_directors_change_the_figures(org, login, who):
    client = login(getattr(org, who))
    row = PerformanceSettings.current()
    page = client.get(URL).content.decode()
    assert 'data-testid="performance-settings"' in page and "每小时" in page
    response = post(client, row.version, hourly_cost="450.50", survey_valid_days=14)
    assert "已保存" in response.content.decode()
    row.refresh_from_db()
    assert row.hourly_cost == Decimal("450.50") and row.survey_valid_days == 14
    assert AuditEvent.objects.filter(
        object_type="performance.performancesettings", actor=getattr(org, who)
    ).exists()


@pytest.mark.parametrize("who", ["rep", "east_manager", "finance"])
def test_nobody_else_sees_the_page(org, login, who):
    client = login(getattr(org, who))
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"hourly_cost": "1"}).status_code == 404


def test_a_stale_edit_is_refused_and_nothing_changes(org, login):
    client = login(org.admin)
    row = PerformanceSettings.current()
    stale = row.version
    post(client, stale, hourly_cost=400)
    response = post(client, stale, hourly_cost=999)
    assert "此记录已被他人修改" in response.content.decode() or "someone else" in (
        response.content.decode()
    )
    row.refresh_from_db()
    assert row.hourly_cost == Decimal("400")


def test_bad_values_are_refused_with_the_field(org, login):
    client = login(org.admin)
    row = PerformanceSettings.current()
    response = post(client, row.version, hourly_cost=-1, survey_valid_days=0, loyalty_drop_points=0)
    form = response.context["form"]
    assert set(form.errors) == {"hourly_cost", "survey_valid_days", "loyalty_drop_points"}
    row.refresh_from_db()
    assert row.hourly_cost == Decimal("300")


def test_the_settings_tabs_lead_there(org, login):
    page = login(org.admin).get(reverse("notifications:settings")).content.decode()
    assert URL in page
    page = login(org.director).get(reverse("performance:index")).content.decode()
    assert URL in page
