"""The audit rows of group bots and notification settings: values kept, the bot's key hidden."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kam.core.audit import REDACTED
from kam.core.models import AuditEvent
from kam.notifications import services
from kam.notifications.models import Platform, WebhookEndpoint

pytestmark = pytest.mark.django_db

URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=secret-key"


def last_event() -> AuditEvent:
    return AuditEvent.objects.latest("pk")


def save(bot: WebhookEndpoint, by, **fields):  # type: ignore[no-untyped-def]
    values = {"name": "华东群", "platform": Platform.WECOM, "url": URL, "secret": "s3"}
    values |= fields
    return services.save_endpoint(
        bot,
        by=by,
        expected_version=bot.version if bot.pk else None,
        team=None,
        active=True,
        **values,
    )


def test_a_bot_records_its_values_with_its_address_and_secret_hidden(org):
    bot = save(WebhookEndpoint(), org.admin)
    created = last_event()
    assert (created.action, created.object_id) == (AuditEvent.Action.CREATE, str(bot.pk))
    assert (created.changes["name"], created.changes["platform"]) == ("华东群", Platform.WECOM)
    assert created.changes["url"] == REDACTED and created.changes["secret"] == REDACTED
    assert "secret-key" not in str(created.changes) and "s3" not in str(created.changes)

    save(bot, org.admin, name="华东销售群", url="", secret="")
    assert last_event().changes == {"name": ["华东群", "华东销售群"]}
    save(bot, org.admin, name="华东销售群", url=URL + "2", secret="")
    assert last_event().changes == {"url": [REDACTED, REDACTED]}

    services.clear_endpoint_secret(bot, by=org.admin)
    assert last_event().changes == {"secret": [REDACTED, None]}
    services.delete_endpoint(bot, by=org.admin)
    deleted = last_event()
    assert deleted.action == AuditEvent.Action.DELETE and deleted.changes["name"] == "华东销售群"
    assert deleted.changes["url"] == REDACTED


def test_the_settings_record_the_figures_that_changed(org):
    row = services.save_settings(
        by=org.admin,
        expected_version=None,
        large_deal_amount=Decimal(2000000),
        activity_lead_hours=24,
        special_day_lead_days=3,
        digest_weekday=0,
    )
    services.save_settings(
        by=org.admin,
        expected_version=row.version,
        large_deal_amount=Decimal("2000000.00"),
        activity_lead_hours=48,
        special_day_lead_days=3,
        digest_weekday=0,
    )
    assert last_event().changes == {"activity_lead_hours": [24, 48]}
