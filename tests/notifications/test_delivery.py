"""Delivery to a real HTTP server on 127.0.0.1 and by email: signed, retried with backoff,
given up visibly, never twice, nothing lost."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kam.jobs.calculations import backoff_delay
from kam.jobs.runner import ATTEMPT
from kam.notifications import calculations, services, tasks
from kam.notifications.models import Delivery, DeliveryAttempt, Event, Notification, Platform
from tests.factories import AccountFactory, ActivityFactory
from tests.notifications.signing import documented_dingtalk_signature, documented_feishu_sign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _short_timeout(settings):  # type: ignore[no-untyped-def]
    settings.KAM_WEBHOOK_TIMEOUT = 0.5
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def bot(org, server, platform=Platform.DINGTALK, secret="", team=None, path=None):  # type: ignore[no-untyped-def]
    return services.save_endpoint(
        services.WebhookEndpoint(),
        by=org.admin,
        expected_version=None,
        name="测试群",
        platform=platform,
        url=server.url(path) if path else server.url(),
        secret=secret,
        team=team,
        active=True,
    )


def reminder_for(org, *, channels=("inbox", "webhook")):  # type: ignore[no-untyped-def]
    services.save_preferences(org.rep, {Event.ACTIVITY_REMINDER: set(channels)}, by=org.rep)
    account = AccountFactory(owner=org.rep)
    return ActivityFactory(account=account, starts_at=timezone.now() + timedelta(hours=2))


def run_worker() -> None:
    """One pass of `kam db_worker`: runs every job that is due, then stops."""
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())


def deliver_all(now=None) -> list[Delivery]:  # type: ignore[no-untyped-def]
    return [
        d for d in (services.attempt_delivery(pk, now) for pk in services.due_deliveries(now)) if d
    ]


def test_a_signed_dingtalk_message_reaches_the_bot(org, bot_server):
    secret = "SECtest-secret-0123456789"
    bot(org, bot_server, secret=secret)
    reminder_for(org)
    services.scan(users=[org.rep])
    [delivery] = deliver_all()
    assert delivery.status == Delivery.Status.SENT
    [request] = bot_server.received
    timestamp = request.query["timestamp"][0]
    assert request.query["sign"] == [documented_dingtalk_signature(secret, timestamp)]
    assert request.query["access_token"] == ["test-token-123456"]
    assert request.body["msgtype"] == "markdown"
    assert "http://127.0.0.1:8000/activities/" in request.body["markdown"]["text"]


def test_a_feishu_bot_gets_its_signature_in_the_body(org, bot_server):
    secret = "feishu-secret"
    bot(org, bot_server, platform=Platform.FEISHU, secret=secret, path="/open-apis/bot/v2/hook/abc")
    reminder_for(org)
    services.scan(users=[org.rep])
    deliver_all()
    [request] = bot_server.received
    assert request.path == "/open-apis/bot/v2/hook/abc"
    assert request.body["sign"] == documented_feishu_sign(secret, request.body["timestamp"])
    assert request.body["msg_type"] == "post"


def test_a_wecom_bot_gets_markdown(org, bot_server):
    bot(org, bot_server, platform=Platform.WECOM, path="/cgi-bin/webhook/send?key=k-123")
    reminder_for(org)
    services.scan(users=[org.rep])
    deliver_all()
    [request] = bot_server.received
    assert request.query == {"key": ["k-123"]}
    assert request.body["markdown"]["content"].startswith("### ")


def test_a_bot_that_hangs_times_out_and_the_retry_gets_through(org, bot_server):
    bot_server.behaviour = ["hang"]
    bot_server.hang_seconds = 1.5
    bot(org, bot_server)
    reminder_for(org)
    services.scan(users=[org.rep])
    [first] = deliver_all()
    assert first.status == Delivery.Status.RETRYING
    assert "0.5" in first.last_error
    # Not due again before its backoff…
    assert services.due_deliveries() == []
    later = timezone.now() + backoff_delay(1, calculations.FIRST_BACKOFF) + timedelta(seconds=1)
    [second] = deliver_all(later)
    assert second.status == Delivery.Status.SENT and second.attempts == 2
    tries = list(DeliveryAttempt.objects.filter(delivery=second).values_list("ok", flat=True))
    assert tries == [False, True]


def test_a_bot_that_keeps_failing_is_given_up_shown_to_admins_and_can_be_sent_again(
    org, bot_server, login
):
    bot_server.behaviour = ["error"] * calculations.MAX_ATTEMPTS
    bot(org, bot_server)
    reminder_for(org)
    services.scan(users=[org.rep])
    moment = timezone.now()
    for attempt in range(1, calculations.MAX_ATTEMPTS + 1):
        [delivery] = deliver_all(moment)
        moment += backoff_delay(attempt, calculations.FIRST_BACKOFF) + timedelta(seconds=1)
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == calculations.MAX_ATTEMPTS
    assert set(
        DeliveryAttempt.objects.filter(delivery=delivery).values_list("status_code", flat=True)
    ) == {500}
    assert deliver_all(moment + timedelta(days=1)) == []
    page = login(org.admin).get("/notifications/settings/")
    assert "HTTP 500" in page.content.decode()
    assert 'data-testid="delivery-failures"' in page.content.decode()
    # The administrator fixes the bot and sends again: the message was never lost.
    assert services.retry_failed(by=org.admin) == 1
    [again] = deliver_all()
    assert again.status == Delivery.Status.SENT
    assert len(bot_server.received) == calculations.MAX_ATTEMPTS + 1


def test_a_bot_that_answers_with_an_error_code_has_not_delivered(org, bot_server):
    bot_server.behaviour = ["refuse"]
    bot(org, bot_server)
    reminder_for(org)
    services.scan(users=[org.rep])
    [delivery] = deliver_all()
    assert delivery.status == Delivery.Status.RETRYING
    assert "310000" in delivery.last_error


def test_scanning_twice_sends_once(org, bot_server):
    bot(org, bot_server)
    reminder_for(org, channels=("inbox", "email", "webhook"))
    org.rep.email = "rep@example.com"
    org.rep.save()
    for _ in range(2):
        services.scan(users=[org.rep])
        deliver_all()
    assert Notification.objects.filter(recipient=org.rep).count() == 1
    assert len(bot_server.received) == 1
    assert len(mail.outbox) == 1


def test_a_delivery_queued_twice_is_sent_once(org, bot_server):
    bot(org, bot_server)
    reminder_for(org)
    services.scan(users=[org.rep])
    [pk] = services.due_deliveries()
    services.attempt_delivery(pk)
    services.attempt_delivery(pk)
    assert len(bot_server.received) == 1


def test_the_group_hears_of_one_event_once_even_through_two_people(org, bot_server):
    from decimal import Decimal

    from tests.factories import OpportunityFactory

    bot(org, bot_server)  # the company's bot
    for person in (org.rep, org.east_manager):
        services.save_preferences(person, {Event.RED_FLAG: {"inbox", "webhook"}}, by=person)
    OpportunityFactory(account=AccountFactory(owner=org.rep), amount=Decimal("5000000"))
    services.scan(users=[org.rep, org.east_manager])
    keys = set(Notification.objects.filter(event=Event.RED_FLAG).values_list("key", flat=True))
    assert Notification.objects.filter(event=Event.RED_FLAG).count() == 2 * len(keys)
    assert Delivery.objects.count() == len(keys)


def test_the_own_team_bot_wins_over_the_company_bot(org, bot_server):
    company = bot(org, bot_server)
    team = bot(org, bot_server, team=org.shanghai)
    reminder_for(org)
    services.scan(users=[org.rep])
    assert list(Delivery.objects.values_list("endpoint_id", flat=True)) == [team.pk]
    assert company.pk != team.pk


def test_email_goes_through_the_mail_backend_in_the_persons_language(org):
    org.rep.email = "rep@example.com"
    org.rep.language = "zh-hans"
    org.rep.save()
    reminder_for(org, channels=("inbox", "email"))
    services.scan(users=[org.rep])
    deliver_all()
    [message] = mail.outbox
    assert message.to == ["rep@example.com"]
    assert message.subject.startswith("[KAM] ")
    assert "在 KAM 中打开" in message.body


def test_nobody_without_an_email_address_gets_an_email_delivery(org):
    org.rep.email = ""
    org.rep.save()
    reminder_for(org, channels=("inbox", "email"))
    services.scan(users=[org.rep])
    assert not Delivery.objects.exists()


def test_kam_notify_queues_deliveries_that_the_worker_sends(org, bot_server, immediate_tasks):
    bot(org, bot_server)
    reminder_for(org)
    out = StringIO()
    call_command("notify", stdout=out)
    assert "deliveries queued" in out.getvalue()
    assert Delivery.objects.get().status == Delivery.Status.SENT
    call_command("notify", stdout=StringIO())
    assert len(bot_server.received) == 1


def test_kam_notify_can_send_without_a_worker(org, bot_server):
    bot(org, bot_server)
    reminder_for(org)
    out = StringIO()
    call_command("notify", "--send", stdout=out)
    assert "1 sent" in out.getvalue()


def test_an_unexpected_error_while_sending_counts_as_a_failed_try(org, bot_server, monkeypatch):
    from kam.notifications import channels

    bot(org, bot_server)
    reminder_for(org)
    services.scan(users=[org.rep])

    def broken(delivery):  # type: ignore[no-untyped-def]
        raise RuntimeError("misconfigured")

    monkeypatch.setattr(channels, "send", broken)
    [delivery] = deliver_all()
    assert delivery.status == Delivery.Status.RETRYING
    assert "misconfigured" in delivery.last_error


@pytest.mark.django_db(transaction=True)
def test_a_queued_delivery_is_retried_by_the_background_jobs_then_given_up(org, bot_server):
    """Deliveries run on kam.jobs' one retry mechanism: each failed try fails its job,
    which the jobs queue again after their growing pause; the delivery keeps every try
    and is given up after the last one, visible to administrators."""
    bot_server.behaviour = ["error"] * calculations.MAX_ATTEMPTS
    bot(org, bot_server)
    reminder_for(org)
    services.scan(users=[org.rep])
    assert tasks.enqueue_due() == 1
    for attempt in range(1, calculations.MAX_ATTEMPTS):
        before = timezone.now()
        run_worker()
        delivery = Delivery.objects.get()
        assert delivery.status == Delivery.Status.RETRYING and delivery.attempts == attempt
        waiting = DBTaskResult.objects.get(status="READY")
        assert waiting.args_kwargs["kwargs"] == {ATTEMPT: attempt + 1}
        pause = backoff_delay(attempt, calculations.FIRST_BACKOFF)
        assert pause <= waiting.run_after - before < pause + timedelta(seconds=30)
        assert delivery.next_attempt_at is not None
        assert delivery.next_attempt_at <= waiting.run_after  # due when the job runs
        # The scan does not queue it a second time: its retry is queued already.
        assert tasks.enqueue_due() == 0
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        Delivery.objects.update(next_attempt_at=timezone.now())
    run_worker()  # the last attempt
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == calculations.MAX_ATTEMPTS
    assert DeliveryAttempt.objects.filter(delivery=delivery, ok=False).count() == 4
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert len(bot_server.received) == calculations.MAX_ATTEMPTS


@pytest.mark.django_db(transaction=True)
def test_a_queued_delivery_that_gets_through_on_its_retry_is_sent(org, bot_server):
    bot_server.behaviour = ["refuse"]
    bot(org, bot_server)
    reminder_for(org)
    services.scan(users=[org.rep])
    tasks.enqueue_due()
    run_worker()
    assert Delivery.objects.get().status == Delivery.Status.RETRYING
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    Delivery.objects.update(next_attempt_at=timezone.now())
    run_worker()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 2
    assert not DBTaskResult.objects.filter(status="READY").exists()
