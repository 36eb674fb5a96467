"""What a reader sees instead of internal references and raw stored values."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kam.core.demo import DemoContext
from kam.jobs import demo as jobs_demo
from kam.jobs.models import JobFailure
from tests.accounts.factories import won
from tests.factories import AccountFactory

LANGUAGES = ["zh-hans", "en"]


def _as(user, language):  # type: ignore[no-untyped-def]
    user.language = language
    user.save(update_fields=["language"])
    return user


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_cites_the_methodology_document(org, login, language):  # type: ignore[no-untyped-def]
    client = login(_as(org.director, language))
    for name in (
        "forecasting:index",
        "forecasting:funnel",
        "forecasting:progress",
        "reports:forecast",
        "reports:activities",
    ):
        page = client.get(reverse(name)).content.decode()
        assert "DOMAIN" not in page and "§" not in page, name


@pytest.mark.parametrize(
    ("language", "label"), [("zh-hans", "全部进行中商机"), ("en", "All open opportunities")]
)
def test_the_period_box_of_all_open_deals_names_them(org, login, language, label):  # type: ignore[no-untyped-def]
    page = login(_as(org.rep, language)).get(reverse("forecasting:funnel")).content.decode()
    assert 'name="period" value=""' in page
    assert f'placeholder="{label}"' in page
    assert 'value="all"' not in page


def test_the_matrix_threshold_line_is_grouped(org, login):  # type: ignore[no-untyped-def]
    page = login(org.director).get(reverse("accounts:matrix")).content.decode()
    assert '"formatter": "3,000,000"' in page
    assert '"yAxis": 3000000.0, "label"' in page


@pytest.mark.parametrize(
    ("language", "shown"), [("zh-hans", "10,000 元/天"), ("en", "CNY 10,000 per day")]
)
def test_a_money_rate_reads_per_day(org, login, language, shown):  # type: ignore[no-untyped-def]
    page = (
        login(_as(org.rep, language))
        .get(reverse("performance:rep", args=[org.rep.pk]))
        .content.decode()
    )
    assert shown in page
    assert "CNY/d" not in page


def _share_row(page: str) -> str:
    row = page.split('data-indicator="share_of_wallet"', 1)[1]
    return row.split("</tr>", 1)[0]


@pytest.mark.parametrize(
    ("language", "warning"),
    [
        ("zh-hans", "成交额高于采购潜力，采购潜力似乎过低：按 100% 显示。"),
        ("en", "Won business is above the purchase potential, which looks too low: shown as 100%."),
    ],
)
def test_a_share_of_wallet_above_the_whole_is_capped_with_a_warning(  # type: ignore[no-untyped-def]
    org, login, language, warning
):
    account = AccountFactory(owner=org.rep, purchase_potential=Decimal(1000000))
    won(account, 2093000)
    page = login(_as(org.rep, language)).get(reverse("performance:rep", args=[org.rep.pk]))
    row = _share_row(page.content.decode())
    assert '<td class="num">100%</td>' in row
    assert warning in row
    assert "209.3" not in row


def test_a_share_within_the_potential_has_no_warning(org, login):  # type: ignore[no-untyped-def]
    account = AccountFactory(owner=org.rep, purchase_potential=Decimal(1000000))
    won(account, 400000)
    page = login(_as(org.rep, "en")).get(reverse("performance:rep", args=[org.rep.pk]))
    row = _share_row(page.content.decode())
    assert '<td class="num">40%</td>' in row
    assert "indicator-warning" not in row


@pytest.mark.parametrize(
    ("language", "words"), [("zh-hans", "2026年12月6日当周"), ("en", "week of 6 Dec 2026")]
)
def test_a_failed_jobs_arguments_read_as_words(org, login, language, words):  # type: ignore[no-untyped-def]
    JobFailure.objects.create(
        task_path=jobs_demo.SNAPSHOT_JOB,
        kwargs={"week": "2026-12-06"},
        attempts=4,
        error="boom",
        failed_at=timezone.now(),
    )
    page = login(_as(org.admin, language)).get(reverse("jobs:job_list")).content.decode()
    assert f"({words})" in page
    assert "week=" not in page and "2026-12-06" not in page


def test_the_demo_failure_on_sqlite_names_no_postgresql(db, settings):  # type: ignore[no-untyped-def]
    from django.db import connection

    jobs_demo.load(DemoContext(rng=random.Random(1), today=date(2026, 12, 7), log=print))
    error = JobFailure.objects.get().error
    if connection.vendor == "sqlite":
        assert error == "OperationalError: database is locked"
    else:
        assert "port 5432" in error


def test_the_deal_page_labels_read_in_sentence_case(org, login):  # type: ignore[no-untyped-def]
    from tests.factories import OpportunityFactory

    deal = OpportunityFactory(account__owner=org.rep)
    page = login(_as(org.rep, "en")).get(reverse("pipeline:detail", args=[deal.pk]))
    text = page.content.decode()
    assert '<dt class="col-5">Amount</dt>' in text
    assert '<dt class="col-5">Expected close date</dt>' in text
    assert '<dt class="col-5">amount</dt>' not in text


@pytest.mark.parametrize(
    ("span", "previous", "following"), [("week", "上一周", "下一周"), ("month", "上一月", "下一月")]
)
def test_the_calendar_steps_by_its_span_in_chinese(org, login, span, previous, following):  # type: ignore[no-untyped-def]
    page = login(_as(org.rep, "zh-hans")).get(f"{reverse('activities:calendar')}?span={span}")
    text = page.content.decode()
    assert f">{previous}</a>" in text and f">{following}</a>" in text
    assert "下一页" not in text
