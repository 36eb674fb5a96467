"""The inbox in the API: my notifications only, mark read, mark all read, in the schema."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kam.notifications.models import Event, Notification

pytestmark = pytest.mark.django_db


def note(user, **kwargs):  # type: ignore[no-untyped-def]
    return Notification.objects.create(
        recipient=user,
        event=Event.RED_FLAG,
        key=f"k{Notification.objects.count()}",
        title="雷区",
        **kwargs,
    )


def test_the_api_lists_only_my_notifications(org, api):
    mine = note(org.rep)
    note(org.rep, read_at=timezone.now())
    note(org.rep2)
    answer = api(org.rep).get("/api/v1/notifications/").json()
    assert answer["count"] == 2
    unread = api(org.rep).get("/api/v1/notifications/?unread=1").json()
    assert [row["id"] for row in unread["results"]] == [mine.pk]


def test_mark_read_in_the_api(org, api):
    item = note(org.rep)
    answer = api(org.rep).post(f"/api/v1/notifications/{item.pk}/read/")
    assert answer.status_code == 200 and answer.json()["read_at"]
    other = note(org.rep2)
    assert api(org.rep).post(f"/api/v1/notifications/{other.pk}/read/").status_code == 404
    assert api(org.rep).get(f"/api/v1/notifications/{other.pk}/").status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_mark_all_read_in_the_api(org, api):
    note(org.rep)
    note(org.rep)
    theirs = note(org.rep2)
    assert api(org.rep).post("/api/v1/notifications/read-all/").json() == {"marked": 2}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_inbox_is_in_the_openapi_schema(api, org):
    paths = api(org.rep).get("/api/v1/schema/?format=json").json()["paths"]
    assert "get" in paths["/api/v1/notifications/"]
    assert "post" in paths["/api/v1/notifications/{id}/read/"]
    assert "post" in paths["/api/v1/notifications/read-all/"]


def test_signed_out_callers_are_refused(api):
    assert api().get("/api/v1/notifications/").status_code in (401, 403)
