"""The consultative model as the source gives it (issue 23, part 8): the five steps' own
names, the source's time split as guidance, no invented win rates."""

from __future__ import annotations

from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse

from kam.pipeline.models import Stage

pytestmark = pytest.mark.django_db

fix = import_module("kam.pipeline.migrations.0016_consultative_steps_as_the_source_gives_them")


def _consultative() -> list[Stage]:
    return list(Stage.objects.filter(model__key="consultative").order_by("order"))


def test_the_five_steps_carry_the_source_s_names_and_no_invented_rate():
    stages = _consultative()
    assert [s.name_zh for s in stages] == [
        "确认商机",
        "主导进程",
        "方案论证",
        "商务洽谈",
        "销售成交",
    ]
    assert [s.name_en for s in stages] == [
        "Confirm the opportunity",
        "Lead the process",
        "Prove the solution",
        "Negotiate",
        "Close",
    ]
    assert [s.win_rate for s in stages] == [Decimal(0)] * 5


def test_what_the_company_edited_is_kept():
    first, second, *_rest = _consultative()
    # The first step as first seeded, the second one renamed and rated by the company.
    Stage.objects.filter(pk=first.pk).update(
        name_zh="入口：确认商机", name_en="Entrance: confirm the opportunity", win_rate=10
    )
    Stage.objects.filter(pk=second.pk).update(name_zh="引导需求", win_rate=20)
    fix.as_the_source_gives_them(apps, None)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.name_zh, first.name_en, first.win_rate) == (
        "确认商机",
        "Confirm the opportunity",
        Decimal(0),
    )
    # An edited name stays; the untouched seeded rate goes.
    assert (second.name_zh, second.win_rate) == ("引导需求", Decimal(0))
    Stage.objects.filter(pk=second.pk).update(win_rate=25)
    fix.as_the_source_gives_them(apps, None)
    second.refresh_from_db()
    assert second.win_rate == Decimal(25)


def test_the_settings_page_shows_the_time_split_as_guidance(org, login):  # type: ignore[no-untyped-def]
    page = login(org.admin).get(reverse("pipeline:settings"))
    text = page.content.decode()
    assert "各步骤占销售时间的比例（来源给出的指导，不是规则）" in text
    for step in ("确认商机 20%", "主导进程 30%", "方案论证 30%", "商务洽谈 10%", "销售成交 10%"):
        assert step in text
    assert "来源没有给出这些步骤的赢率" in text
    client = login(org.admin)
    client.cookies["kam_language"] = "en"
    english = client.get(reverse("pipeline:settings")).content.decode()
    assert "Confirm the opportunity 20%" in english and "Close 10%" in english
    assert 'data-testid="time-split-purchase"' not in english


def test_the_help_page_gives_the_time_split_and_no_invented_rates(org, login):  # type: ignore[no-untyped-def]
    client = login(org.rep)
    text = client.get(reverse("ui:help_topic", args=["stages"])).content.decode()
    assert (
        "确认商机（20%）、主导进程（30%）、方案论证（30%）、商务洽谈（10%）、销售成交（10%）"
        in text
    )
    assert "来源没有给出这些步骤的赢率" in text and "确认商机（10%）" not in text
    client.cookies["kam_language"] = "en"
    english = client.get(reverse("ui:help_topic", args=["stages"])).content.decode()
    assert "confirm the opportunity (20%), lead the process (30%)" in english
    assert "The source gives these steps no win rates" in english
