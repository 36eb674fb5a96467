"""What a user meets first: the sign-in language, closing a deal, adding a person, English dates."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from kam.pipeline.models import Status
from tests.factories import AccountFactory
from tests.pipeline.factories import new_opportunity

pytestmark = pytest.mark.django_db


def test_the_sign_in_page_speaks_the_company_language_not_the_browsers(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in page and "登录" in page


def test_the_switcher_overrides_the_company_language_on_the_sign_in_page(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert '<html lang="en">' in page


def test_the_close_form_preselects_no_outcome_and_asks_for_no_english_word(org, login):
    opportunity = new_opportunity(AccountFactory(owner=org.rep))
    page = login(org.rep).get(reverse("pipeline:detail", args=[opportunity.pk])).content.decode()
    select = re.search(r'<select name="status".*?</select>', page, re.S).group(0)
    assert "selected" not in select.split("</option>", 1)[1]
    assert '<option value="" selected>—</option>' in select
    assert "none" not in page.split('data-testid="close-form"', 1)[1].split("</form>", 1)[0]
    assert "没有竞争对手赢单" in page


def test_a_lost_deal_closes_with_the_no_winner_box(org, login):
    opportunity = new_opportunity(AccountFactory(owner=org.rep))
    client = login(org.rep)
    data = {"status": Status.LOST, "reason": "价格", "version": opportunity.version}
    refused = client.post(reverse("pipeline:close", args=[opportunity.pk]), data)
    assert "请填写赢单的竞争对手，或勾选“没有竞争对手赢单”。" in refused.content.decode()
    client.post(reverse("pipeline:close", args=[opportunity.pk]), {**data, "no_winner": "on"})
    opportunity.refresh_from_db()
    assert opportunity.status == Status.LOST and opportunity.winning_competitor == "none"


def test_no_status_chosen_closes_nothing(org, login):
    opportunity = new_opportunity(AccountFactory(owner=org.rep))
    login(org.rep).post(
        reverse("pipeline:close", args=[opportunity.pk]),
        {"reason": "x", "version": opportunity.version},
    )
    opportunity.refresh_from_db()
    assert opportunity.status == Status.OPEN


def test_add_a_person_from_the_account_page_and_from_the_people_list(org, login):
    account = AccountFactory(owner=org.rep, name="上海移动")
    client = login(org.rep)
    detail = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    add = reverse("stakeholders:create") + f"?account={account.pk}"
    assert f'href="{add}" data-testid="add-person"' in detail
    people = client.get(reverse("stakeholders:list")).content.decode()
    assert 'href="/people/new/" data-testid="add-person"' in people
    pick = client.get(reverse("stakeholders:create")).content.decode()
    assert f'<option value="{account.pk}">上海移动</option>' in pick
    assert client.get(add).status_code == 200


def test_english_dates_read_day_month_year_on_a_24_hour_clock():
    moment = timezone.make_aware(datetime(2026, 12, 7, 21, 34))
    with translation.override("en"):
        text = Template("{{ m|date }} · {{ m }} · {{ m|date:'SHORT_DATETIME_FORMAT' }}").render(
            Context({"m": moment})
        )
    assert text == "7 Dec 2026 · 7 Dec 2026 21:34 · 7 Dec 2026 21:34"
