"""A notification is said in the language of whoever reads it, at the moment they read it:
the same event reaches a Chinese and an English colleague each in their own language, on
the page and in the API, and an email goes out in its recipient's language."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import translation

from kam.core import phrases
from kam.notifications import services
from kam.notifications.models import Event, Notification
from tests.factories import AccountFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def red_flag(org):  # type: ignore[no-untyped-def]
    """A new red flag on a large deal of the rep's, announced to the rep (who reads
    Chinese) and their manager (who reads English)."""
    org.rep.language = "zh-hans"
    org.rep.save(update_fields=["language"])
    org.east_manager.language = "en"
    org.east_manager.save(update_fields=["language"])
    for person in (org.rep, org.east_manager):
        services.save_preferences(person, {Event.RED_FLAG: {"inbox"}}, by=person)
    account = AccountFactory(owner=org.rep, name="华东电网")
    deal = OpportunityFactory(account=account, amount=Decimal("5000000"), name="调度系统")
    services.scan(users=[org.rep, org.east_manager])
    return deal


def test_each_reader_sees_the_same_event_in_their_own_language_on_the_page(org, login, red_flag):
    chinese = login(org.rep).get("/notifications/").content.decode()
    english = login(org.east_manager).get("/notifications/").content.decode()
    assert "调度系统（华东电网）出现雷区" in chinese and "Red flag on" not in chinese
    assert "Red flag on 调度系统 (华东电网)" in english and "出现雷区" not in english
    # The flag's own words too (another area's message, translated when read).
    assert "Nobody identified as" in english and "Nobody identified as" not in chinese


def test_each_reader_sees_the_same_event_in_their_own_language_in_the_api(org, api, red_flag):
    def flags(answer):  # type: ignore[no-untyped-def]
        return [row for row in answer.json()["results"] if row["event"] == Event.RED_FLAG]

    chinese = flags(api(org.rep).get("/api/v1/notifications/"))
    english = flags(api(org.east_manager).get("/api/v1/notifications/"))
    assert chinese and len(chinese) == len(english)  # one per flag, to each of them
    assert {row["title"] for row in chinese} == {"调度系统（华东电网）出现雷区"}
    assert {row["title"] for row in english} == {"Red flag on 调度系统 (华东电网)"}
    assert any(row["body"].startswith("Nobody identified as") for row in english)
    assert not any("Nobody identified as" in row["body"] for row in chinese)
    # A client that asks for a language gets it.
    asked = flags(api(org.rep).get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en"))
    assert {row["title"] for row in asked} == {"Red flag on 调度系统 (华东电网)"}


def test_a_reader_who_changes_language_reads_the_old_notifications_in_the_new_one(
    org, login, red_flag
):
    org.rep.language = "en"
    org.rep.save(update_fields=["language"])
    page = login(org.rep).get("/notifications/").content.decode()
    assert "Red flag on 调度系统 (华东电网)" in page


def test_an_email_goes_out_in_its_recipients_language(org, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    org.east_manager.language = "en"
    org.east_manager.email = "manager@example.com"
    org.east_manager.save(update_fields=["language", "email"])
    services.save_preferences(
        org.east_manager, {Event.RED_FLAG: {"inbox", "email"}}, by=org.east_manager
    )
    account = AccountFactory(owner=org.rep, name="华东电网")
    OpportunityFactory(account=account, amount=Decimal("5000000"), name="调度系统")
    with translation.override("zh-hans"):  # whatever the language of the scan
        services.scan(users=[org.east_manager])
        for pk in services.due_deliveries():
            services.attempt_delivery(pk)
    subjects = {message.subject for message in mail.outbox}
    assert "[KAM] Red flag on 调度系统 (华东电网)" in subjects
    assert not [subject for subject in subjects if "雷区" in subject]
    assert all("Open in KAM" in message.body for message in mail.outbox)


def test_a_notification_stored_as_text_before_phrases_shows_as_it_was_written(org):
    old = Notification.objects.create(
        recipient=org.rep, event=Event.RED_FLAG, key="old", title="旧的提醒", body="正文"
    )
    old.refresh_from_db()
    assert old.title_phrase == phrases.literal("旧的提醒")
    with translation.override("en"):
        assert (old.title, old.body) == ("旧的提醒", "正文")


def test_a_phrase_renders_its_values_in_the_readers_format():
    from datetime import date

    from django.utils.translation import gettext_lazy

    stored = phrases.phrase(
        gettext_lazy("Invoice %(number)s of %(account)s is overdue"),
        number="INV-7",
        account="华东电网",
    )
    assert stored == {
        "msg": "Invoice %(number)s of %(account)s is overdue",
        "args": {"number": "INV-7", "account": "华东电网"},
    }
    with translation.override("en"):
        assert phrases.render(stored) == "Invoice INV-7 of 华东电网 is overdue"
        assert phrases.render(phrases.calendar_day(date(2026, 3, 5))) != "2026-03-05"
    with translation.override("zh-hans"):
        assert "INV-7" in phrases.render(stored) and "逾期" in phrases.render(stored)


def test_a_phrase_keeps_its_numbers_numbers_for_the_placeholders_that_count() -> None:
    said = phrases.phrase(
        "%(amount)s open, due on %(day)s (%(days)d days ago)",
        amount="5,264,000.00",
        day=date(2026, 9, 19),
        days=80,
    )
    with translation.override("en"):
        assert phrases.render(said) == "5,264,000.00 open, due on 19 Sep 2026 (80 days ago)"
    with translation.override("zh-hans"):
        assert "80" in phrases.render(said) and "days ago" not in phrases.render(said)
