"""Administrators configure the stage models (issue 5 no. 1)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from kam.pipeline.models import PipelineSettings, Stage, StageChange
from tests.factories import AccountFactory
from tests.pipeline.factories import new_opportunity, stage

pytestmark = pytest.mark.django_db

URL = reverse("pipeline:settings")


def stage_data(s: Stage, **changes):  # type: ignore[no-untyped-def]
    prefix = f"stage-{s.pk}-"
    data = {
        "part": "stage",
        "stage": s.pk,
        **{
            prefix + f: getattr(s, f)
            for f in [
                "name_zh",
                "name_en",
                "win_rate",
                "our_step_zh",
                "our_step_en",
                "exit_criteria_zh",
                "exit_criteria_en",
            ]
        },
    }
    data.update({prefix + k: v for k, v in changes.items()})
    return data


def test_changing_a_rate_applies_from_now_on_and_keeps_history(org, login):
    deal = new_opportunity(AccountFactory(owner=org.rep))
    interest = stage("interest")
    client = login(org.admin)
    response = client.post(URL, stage_data(interest, win_rate="7", name_en="First interest"))
    assert response.status_code == 302
    interest.refresh_from_db()
    assert (interest.win_rate, interest.name_en) == (Decimal("7"), "First interest")
    assert StageChange.objects.get(opportunity=deal).win_rate == Decimal("5")


def test_a_rate_above_one_hundred_is_refused(org, login):
    interest = stage("interest")
    response = login(org.admin).post(URL, stage_data(interest, win_rate="150"))
    assert response.status_code == 400
    interest.refresh_from_db()
    assert interest.win_rate == Decimal("5")


def test_stages_are_reordered_and_added(org, login):
    client = login(org.admin)
    brewing = stage("brewing")
    client.post(
        URL,
        {"part": "order", "model": brewing.model_id, "stage": brewing.pk, "direction": "up"},
    )
    order = list(brewing.model.stages.order_by("order").values_list("key", flat=True))
    assert order[:2] == ["brewing", "interest"]
    response = client.post(
        URL,
        {
            "part": "new_stage",
            "model": brewing.model_id,
            f"new-{brewing.model_id}-key": "renewal",
            f"new-{brewing.model_id}-name_zh": "续约",
            f"new-{brewing.model_id}-name_en": "Renewal",
            f"new-{brewing.model_id}-win_rate": "90",
        },
    )
    assert response.status_code == 302
    assert brewing.model.stages.order_by("order").last().key == "renewal"


def test_only_administrators_change_the_funnel(org, login):
    client = login(org.east_manager)
    page = client.get(URL)
    assert page.status_code == 200 and 'name="part"' not in page.content.decode()
    response = client.post(URL, stage_data(stage("interest"), win_rate="50"))
    assert response.status_code == 403
    assert stage("interest").win_rate == Decimal("5")


def test_funnel_settings_threshold_and_stall_days(org, login):
    client = login(org.admin)
    client.post(
        URL,
        {
            "part": "settings",
            "small_sale_threshold": "80000",
            "stall_days": "21",
            "gate_pass_mark": "7",
            "evaluation_max_age_days": "30",
        },
    )
    row = PipelineSettings.current()
    assert (row.small_sale_threshold, row.stall_days) == (Decimal("80000"), 21)
    bad = client.post(URL, {"part": "settings", "small_sale_threshold": "-1", "stall_days": "0"})
    assert bad.status_code == 400
    assert PipelineSettings.current().stall_days == 21
