"""An outcome kept on a phone without signal is recorded once, however often it is sent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kam.activities import services
from kam.activities.models import Activity, ActivityStatus, Outcome, OutcomeReceipt
from kam.core.models import AuditEvent
from tests.factories import AccountFactory, ActivityFactory

pytestmark = pytest.mark.django_db

KEY = "3f2b8c1e-5d4a-4e7b-9a61-0c2d7e8f9a10"
CONFLICT = "在您编辑期间，此记录已被他人修改。请重新加载查看对方的修改，然后再提交您的修改。"


def past_visit(owner):  # type: ignore[no-untyped-def]
    return ActivityFactory(
        account=AccountFactory(owner=owner), starts_at=timezone.now() - timedelta(hours=3)
    )


def outcome_url(activity: Activity) -> str:
    return f"/api/v1/activities/{activity.pk}/outcome/"


def outcome_updates(activity: Activity) -> int:
    return AuditEvent.objects.filter(
        object_id=str(activity.pk), action=AuditEvent.Action.UPDATE
    ).count()


def test_a_replayed_draft_is_recorded_once(org):
    activity = past_visit(org.rep)
    loaded = activity.version
    first = services.record_outcome(
        activity,
        outcome=Outcome.ADVANCE,
        note="客户同意下周二安排演示",
        by=org.rep,
        expected_version=loaded,
        idempotency_key=KEY,
    )
    again = services.record_outcome(
        Activity.objects.get(pk=activity.pk),
        outcome=Outcome.NO_SALE,
        note="",
        by=org.rep,
        expected_version=loaded,
        idempotency_key=KEY,
    )
    assert again.pk == first.pk
    assert (again.outcome, again.outcome_note) == (Outcome.ADVANCE, "客户同意下周二安排演示")
    assert again.version == loaded + 1
    assert outcome_updates(activity) == 1


def test_the_api_answers_a_replay_with_the_outcome_as_first_recorded(org, api):
    activity = past_visit(org.rep)
    client = api(org.rep)
    payload = {
        "outcome": Outcome.ADVANCE,
        "note": "客户同意试用",
        "version": activity.version,
        "idempotency_key": KEY,
    }
    first = client.post(outcome_url(activity), payload, format="json")
    second = client.post(outcome_url(activity), payload, format="json")
    assert first.status_code == second.status_code == 200
    assert second.json()["outcome"] == Outcome.ADVANCE
    assert second.json()["version"] == first.json()["version"] == activity.version + 1
    assert outcome_updates(activity) == 1
    assert OutcomeReceipt.objects.filter(key=KEY, activity=activity, user=org.rep).count() == 1


def test_a_draft_someone_else_overtook_is_refused_with_a_clear_conflict(org, api):
    activity = past_visit(org.rep)
    loaded = activity.version
    services.update_activity(
        Activity.objects.get(pk=activity.pk),
        by=org.east_manager,
        expected_version=loaded,
        location="客户新园区",
    )
    client = api(org.rep)
    payload = {
        "outcome": Outcome.CONTINUATION,
        "version": loaded,
        "idempotency_key": KEY,
    }
    refused = client.post(outcome_url(activity), payload, format="json")
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == CONFLICT
    assert not OutcomeReceipt.objects.exists()
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PLANNED

    # Corrected on the phone (the version now current), the same draft goes through.
    payload["version"] = activity.version
    assert client.post(outcome_url(activity), payload, format="json").status_code == 200
    activity.refresh_from_db()
    assert activity.outcome == Outcome.CONTINUATION


def test_a_refused_draft_leaves_no_receipt(org, api):
    activity = past_visit(org.rep)
    refused = api(org.rep).post(
        outcome_url(activity),
        {"outcome": Outcome.ADVANCE, "version": activity.version, "idempotency_key": KEY},
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["details"]["outcome_note"] == [
        "进展是客户同意采取的行动：请写明具体行动。"
    ]
    assert not OutcomeReceipt.objects.exists()


def test_a_key_cannot_touch_another_persons_activity(org, api):
    mine = past_visit(org.rep)
    theirs = past_visit(org.north_rep)
    payload = {"outcome": Outcome.NO_SALE, "version": mine.version, "idempotency_key": KEY}
    assert api(org.rep).post(outcome_url(mine), payload, format="json").status_code == 200

    # The same key on another person's activity changes nothing there.
    payload["version"] = theirs.version
    refused = api(org.north_rep).post(outcome_url(theirs), payload, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["details"]["idempotency_key"] == [
        "这份草稿已用于另一条结果：请丢弃它。"
    ]
    theirs.refresh_from_db()
    assert theirs.status == ActivityStatus.PLANNED

    # Nor does it let someone else replay the rep's draft on the rep's activity.
    payload["version"] = mine.version
    manager = api(org.east_manager).post(outcome_url(mine), payload, format="json")
    assert manager.status_code == 400
    # One who cannot see the activity does not learn it exists.
    assert api(org.north_rep).post(outcome_url(mine), payload, format="json").status_code == 404
    assert OutcomeReceipt.objects.get().activity == mine


def test_a_key_is_not_reused_for_another_activity_of_the_same_rep(org, api):
    first, second = past_visit(org.rep), past_visit(org.rep)
    client = api(org.rep)
    payload = {"outcome": Outcome.NO_SALE, "version": first.version, "idempotency_key": KEY}
    assert client.post(outcome_url(first), payload, format="json").status_code == 200
    payload["version"] = second.version
    assert client.post(outcome_url(second), payload, format="json").status_code == 400
    second.refresh_from_db()
    assert second.status == ActivityStatus.PLANNED


def test_a_malformed_key_is_refused(org, api):
    activity = past_visit(org.rep)
    refused = api(org.rep).post(
        outcome_url(activity),
        {"outcome": Outcome.NO_SALE, "version": activity.version, "idempotency_key": "x y"},
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["details"]["idempotency_key"] == ["这份草稿的标识无效。"]


def test_the_form_posted_twice_with_its_key_records_once(org, login):
    activity = past_visit(org.rep)
    client = login(org.rep)
    url = reverse("activities:outcome", args=[activity.pk])
    form = {
        "outcome": Outcome.ORDER,
        "outcome_note": "客户签订首批订单",
        "version": activity.version,
        "idempotency_key": KEY,
    }
    assert client.post(url, form).status_code == 302
    again = client.post(url, form)
    assert again.status_code == 302
    assert again.url == reverse("activities:detail", args=[activity.pk])
    assert outcome_updates(activity) == 1


def test_the_outcome_form_carries_its_draft_fields_without_labels(org, login):
    activity = past_visit(org.rep)
    page = login(org.rep).get(reverse("activities:outcome", args=[activity.pk])).content.decode()
    assert 'name="idempotency_key"' in page
    assert f'data-send-url="/api/v1/activities/{activity.pk}/outcome/"' in page
    assert "等待发送" in page
    assert ">版本<" not in page and "Idempotency" not in page
