"""The "send test message" buttons: through the real delivery code, to the local fake bot
server, with a clear answer either way and nothing left in anyone's inbox."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from kam.core.models import AuditEvent
from kam.notifications.models import Delivery, Notification, Platform
from tests.notifications.signing import documented_dingtalk_signature
from tests.notifications.test_delivery import bot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _short_timeout(settings):  # type: ignore[no-untyped-def]
    settings.KAM_WEBHOOK_TIMEOUT = 0.5
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def messages_of(response):  # type: ignore[no-untyped-def]
    return [str(m) for m in response.context["messages"]]


def test_a_test_message_reaches_a_signed_bot_and_the_page_says_so(org, login, bot_server):
    secret = "SECtest-secret-0123456789"
    endpoint = bot(org, bot_server, secret=secret)
    client = login(org.admin)
    page = client.get(reverse("notifications:settings")).content.decode()
    assert f'data-testid="test-bot-{endpoint.pk}"' in page
    response = client.post(reverse("notifications:endpoint_test", args=[endpoint.pk]), follow=True)
    assert messages_of(response) == ["测试消息已发送到测试群。"]
    [request] = bot_server.received
    timestamp = request.query["timestamp"][0]
    assert request.query["sign"] == [documented_dingtalk_signature(secret, timestamp)]
    assert "KAM 测试消息" in request.body["markdown"]["text"]
    assert not Notification.objects.exists() and not Delivery.objects.exists()
    assert AuditEvent.objects.filter(
        object_type="notifications.webhookendpoint", object_id=str(endpoint.pk), actor=org.admin
    ).exists()


@pytest.mark.parametrize("platform", [Platform.WECOM, Platform.FEISHU])
def test_each_platform_gets_its_own_format(org, login, bot_server, platform):
    endpoint = bot(org, bot_server, platform=platform)
    login(org.admin).post(reverse("notifications:endpoint_test", args=[endpoint.pk]))
    [request] = bot_server.received
    key = "markdown" if platform == Platform.WECOM else "msg_type"
    assert key in request.body


@pytest.mark.parametrize(
    ("behaviour", "error"),
    [("error", "HTTP 500"), ("refuse", "310000"), ("hang", "0.5")],
)
def test_a_failing_bot_is_reported_with_the_reason(org, login, bot_server, behaviour, error):
    bot_server.behaviour = [behaviour]
    bot_server.hang_seconds = 1.5
    endpoint = bot(org, bot_server)
    org.admin.language = "en"
    org.admin.save()
    response = login(org.admin).post(
        reverse("notifications:endpoint_test", args=[endpoint.pk]), follow=True
    )
    [message] = messages_of(response)
    assert message.startswith("The test message to 测试群 failed: ") and error in message
    assert not Delivery.objects.exists()  # a test is not retried behind the admin's back


def test_a_test_email_goes_to_the_administrator(org, login):
    org.admin.email = "admin@example.com"
    org.admin.save()
    response = login(org.admin).post(reverse("notifications:email_test"), follow=True)
    assert messages_of(response) == ["测试消息已发送到admin@example.com。"]
    [email] = mail.outbox
    assert email.to == ["admin@example.com"] and "KAM 测试消息" in email.subject


def test_without_an_address_the_test_email_says_why(org, login):
    org.admin.email = ""
    org.admin.save()
    response = login(org.admin).post(reverse("notifications:email_test"), follow=True)
    [message] = messages_of(response)
    assert "失败" in message and not mail.outbox


def test_only_administrators_send_test_messages(org, login, bot_server):
    endpoint = bot(org, bot_server)
    client = login(org.director)
    client.post(reverse("notifications:endpoint_test", args=[endpoint.pk]))
    client.post(reverse("notifications:email_test"))
    assert not bot_server.received and not mail.outbox
