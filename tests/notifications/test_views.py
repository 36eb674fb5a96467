"""The inbox, preferences and the administrators' settings page, as people use them."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kam.notifications import services
from kam.notifications.models import (
    Delivery,
    Event,
    Notification,
    Platform,
    Preference,
    WebhookEndpoint,
)
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def note(user, title="提醒", account=None, **kwargs):  # type: ignore[no-untyped-def]
    return Notification.objects.create(
        recipient=user,
        event=kwargs.pop("event", Event.STALLED_DEAL),
        key=kwargs.pop("key", f"test:{title}:{Notification.objects.count()}"),
        title=title,
        body="正文",
        url="/opportunities/",
        account=account,
        **kwargs,
    )


def test_the_inbox_lists_my_notifications_newest_first_and_not_others(org, login):
    note(org.rep, "较早的提醒")
    note(org.rep, "最新的提醒")
    note(org.rep2, "别人的提醒")
    page = login(org.rep).get("/notifications/").content.decode()
    assert page.index("最新的提醒") < page.index("较早的提醒")
    assert "别人的提醒" not in page


def test_the_badge_counts_unread(org, login):
    note(org.rep)
    note(org.rep, read_at=timezone.now())
    client = login(org.rep)
    assert 'data-testid="inbox-unread">1<' in client.get("/notifications/badge/").content.decode()
    assert "/notifications/badge/" in client.get("/notifications/").content.decode()


def test_mark_read_with_htmx_answers_the_row(org, login):
    item = note(org.rep)
    response = login(org.rep).post(f"/notifications/{item.pk}/read/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "标为已读" not in response.content.decode()
    assert response["HX-Trigger"] == "kam-notifications-changed"
    item.refresh_from_db()
    assert item.read_at is not None


def test_nobody_marks_someone_elses_notification(org, login):
    item = note(org.rep2)
    assert login(org.rep).post(f"/notifications/{item.pk}/read/").status_code == 404
    item.refresh_from_db()
    assert item.read_at is None


def test_mark_all_read_marks_only_mine(org, login):
    mine = [note(org.rep), note(org.rep)]
    theirs = note(org.rep2)
    response = login(org.rep).post("/notifications/read-all/")
    assert response.status_code == 302
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_a_notification_about_an_account_i_no_longer_see_is_hidden(org, login):
    account = AccountFactory(owner=org.north_rep)
    note(org.rep, "关于北方客户", account=account)
    assert "关于北方客户" not in login(org.rep).get("/notifications/").content.decode()


def test_inbox_filters_unread_and_event(org, login):
    note(org.rep, "未读停滞", event=Event.STALLED_DEAL)
    note(org.rep, "已读停滞", event=Event.STALLED_DEAL, read_at=timezone.now())
    note(org.rep, "雷区提醒", event=Event.RED_FLAG)
    page = login(org.rep).get("/notifications/?unread=1&event=stalled_deal").content.decode()
    assert "未读停滞" in page and "已读停滞" not in page and "雷区提醒" not in page


def test_preferences_are_saved_per_event_and_channel(org, login):
    client = login(org.rep)
    page = client.get("/notifications/preferences/").content.decode()
    assert 'name="special_day__webhook"' not in page
    response = client.post(
        "/notifications/preferences/",
        {
            "activity_reminder__email": "on",
            "stalled_deal__inbox": "on",
            "stalled_deal__webhook": "on",
        },
    )
    assert response.status_code == 302
    rows = {p.event: p for p in Preference.objects.filter(user=org.rep)}
    assert rows[Event.ACTIVITY_REMINDER].email and not rows[Event.ACTIVITY_REMINDER].inbox
    assert rows[Event.STALLED_DEAL].webhook
    assert not rows[Event.RED_FLAG].inbox


def test_the_settings_page_is_for_administrators_only(org, login):
    for who in (org.rep, org.east_manager, org.director):
        assert login(who).get("/notifications/settings/").status_code == 403
        assert (
            login(who).post("/notifications/settings/bots/new/", {"name": "x"}).status_code == 403
        )
    assert login(org.admin).get("/notifications/settings/").status_code == 200


def test_an_administrator_adds_a_bot_and_its_secrets_are_never_shown_back(org, login):
    client = login(org.admin)
    token = "abcdef0123456789abcdef"
    secret = "SECabcdefghijklmnopqrstuvwxyz0123"
    response = client.post(
        "/notifications/settings/bots/new/",
        {
            "name": "上海组钉钉群",
            "platform": Platform.DINGTALK,
            "url": f"https://oapi.dingtalk.com/robot/send?access_token={token}",
            "secret": secret,
            "team": org.shanghai.pk,
            "active": "on",
        },
    )
    assert response.status_code == 302
    bot = WebhookEndpoint.objects.get()
    assert bot.secret == secret and bot.team == org.shanghai
    for path in ("/notifications/settings/", f"/notifications/settings/bots/{bot.pk}/"):
        page = client.get(path).content.decode()
        assert token not in page and secret not in page
        assert secret[-4:] in page
    # Saving again without the secret keeps it.
    client.post(
        f"/notifications/settings/bots/{bot.pk}/",
        {
            "name": "上海组钉钉群",
            "platform": Platform.DINGTALK,
            "team": org.shanghai.pk,
            "version": bot.version,
        },
    )
    bot.refresh_from_db()
    assert bot.secret == secret and not bot.active and bot.version == 2


def test_a_bot_without_an_address_is_refused_with_a_clear_message(org, login):
    response = login(org.admin).post(
        "/notifications/settings/bots/new/", {"name": "无地址", "platform": Platform.WECOM}
    )
    assert response.status_code == 200
    assert not WebhookEndpoint.objects.exists()
    assert "invalid-feedback" in response.content.decode()


def test_a_stale_edit_of_a_bot_is_refused(org, login):
    bot = services.save_endpoint(
        WebhookEndpoint(),
        by=org.admin,
        expected_version=None,
        name="群",
        platform=Platform.WECOM,
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
        secret="",
        team=None,
        active=True,
    )
    services.save_endpoint(
        bot,
        by=org.admin,
        expected_version=1,
        name="群2",
        platform=Platform.WECOM,
        url="",
        secret="",
        team=None,
        active=True,
    )
    response = login(org.admin).post(
        f"/notifications/settings/bots/{bot.pk}/",
        {"name": "旧名字", "platform": Platform.WECOM, "version": 1, "active": "on"},
    )
    assert response.status_code == 200
    bot.refresh_from_db()
    assert bot.name == "群2"


def test_thresholds_are_saved_and_bad_values_refused(org, login):
    client = login(org.admin)
    assert (
        client.post(
            "/notifications/settings/",
            {
                "large_deal_amount": "2000000",
                "activity_lead_hours": "12",
                "special_day_lead_days": "5",
                "digest_weekday": "1",
            },
        ).status_code
        == 302
    )
    response = client.post(
        "/notifications/settings/",
        {
            "large_deal_amount": "-1",
            "activity_lead_hours": "999",
            "special_day_lead_days": "5",
            "digest_weekday": "1",
        },
    )
    assert response.status_code == 200
    from kam.notifications.models import NotificationSettings

    row = NotificationSettings.current()
    assert row.activity_lead_hours == 12 and str(row.large_deal_amount) == "2000000.00"


def test_deleting_a_bot_drops_its_pending_deliveries(org, login):
    bot = services.save_endpoint(
        WebhookEndpoint(),
        by=org.admin,
        expected_version=None,
        name="群",
        platform=Platform.WECOM,
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
        secret="",
        team=None,
        active=True,
    )
    Delivery.objects.create(
        notification=note(org.rep), channel="webhook", endpoint=bot, dedup_key="x"
    )
    assert (
        login(org.admin).post(f"/notifications/settings/bots/{bot.pk}/delete/").status_code == 302
    )
    assert not WebhookEndpoint.objects.exists() and not Delivery.objects.exists()
