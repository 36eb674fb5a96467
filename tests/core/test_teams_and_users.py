"""Team tree and user administration."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kam.core.models import AuditEvent, Role, Team, User
from kam.core.services.teams import save_team, subtree
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_subtree_follows_the_paths(org):
    assert set(subtree(org.east)) == {org.east.pk, org.shanghai.pk}
    assert set(subtree(org.company)) == set(Team.objects.values_list("pk", flat=True))


def test_a_team_cannot_sit_under_its_own_subtree(org):
    with pytest.raises(ValidationError):
        save_team(org.east, name=org.east.name, parent=org.shanghai, manager=None, by=None)
    org.east.refresh_from_db()
    assert org.east.parent == org.company


def test_moving_a_team_moves_its_subtree(org):
    save_team(org.east, name=org.east.name, parent=org.north, manager=None, by=None)
    org.shanghai.refresh_from_db()
    assert org.shanghai.path == f"{org.north.path}{org.east.pk}/{org.shanghai.pk}/"
    assert org.shanghai.pk in subtree(org.north)


def test_admin_creates_a_user_through_the_ui_and_it_is_audited(org, login):
    client = login(org.admin)
    response = client.post(
        reverse("core:user_create"),
        {
            "username": "newrep",
            "last_name": "钱",
            "first_name": "多",
            "email": "",
            "phone": "",
            "role": Role.REP,
            "team": org.shanghai.pk,
            "is_active": "on",
            "password": "Strong-pass-2026",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newrep")
    assert user.team == org.shanghai and user.check_password("Strong-pass-2026")
    assert AuditEvent.objects.filter(
        object_type="core.user", object_id=str(user.pk), actor=org.admin
    ).exists()


def test_weak_passwords_are_refused_with_a_message(org, login):
    client = login(org.admin)
    response = client.post(
        reverse("core:user_create"),
        {
            "username": "weak",
            "role": Role.REP,
            "password": "12345678",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="weak").exists()
    assert response.context["form"].errors


def test_only_administrators_manage_users_and_teams(org, login):
    for user in (org.rep, org.east_manager, org.director, org.finance):
        client = login(user)
        assert client.get(reverse("core:user_list")).status_code == 403
        assert client.get(reverse("core:team_list")).status_code == 403
    assert login(org.admin).get(reverse("core:team_list")).status_code == 200


def test_team_form_reports_a_cycle(org, login):
    client = login(org.admin)
    response = client.post(
        reverse("core:team_edit", args=[org.east.pk]),
        {"name": org.east.name, "parent": org.shanghai.pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors


def test_audit_events_cannot_be_rewritten(org):
    event = AuditEvent.objects.first()
    assert event is not None
    event.object_repr = "forged"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_api_users_are_read_by_all_written_by_admins(org, api):
    assert api(org.rep).post("/api/v1/users/", {"username": "x"}).status_code == 403
    created = api(org.admin).post(
        "/api/v1/users/",
        {
            "username": "apiuser",
            "role": "rep",
            "password": "Strong-pass-2026",
        },
    )
    assert created.status_code == 201, created.json()
    weak = api(org.admin).post("/api/v1/users/", {"username": "weak", "password": "123"})
    assert weak.status_code == 400
    assert weak.json()["error"]["code"] == "invalid"
    assert UserFactory._meta.model.objects.filter(username="apiuser").exists()


def test_team_cycle_through_the_api_is_a_400(org, api):
    response = api(org.admin).patch(f"/api/v1/teams/{org.east.pk}/", {"parent": org.shanghai.pk})
    assert response.status_code == 400
    assert "parent" in response.json()["error"]["details"]
    assert TeamFactory._meta.model.objects.get(pk=org.east.pk).parent_id == org.company.pk


def test_admin_searches_the_audit_trail(org, login):
    client = login(org.admin)
    response = client.get(reverse("core:audit_log"), {"object_type": "core.team"})
    assert response.status_code == 200
    rows = list(response.context["listing"].rows)
    assert rows and all(e.object_type == "core.team" for e in rows)
    assert login(org.director).get(reverse("core:audit_log")).status_code == 403


def test_users_and_teams_record_their_values_with_the_password_hidden(org):
    from kam.core.services.users import create_user, update_user

    user = create_user(
        username="auditrep", password="Strong-pass-2026", team=org.shanghai, by=org.admin
    )
    created = AuditEvent.objects.filter(object_type="core.user", object_id=str(user.pk)).get()
    assert (created.changes["username"], created.changes["team_id"]) == (
        "auditrep",
        org.shanghai.pk,
    )
    assert created.changes["password"] == "***"
    update_user(user, by=org.admin, first_name="芳")
    changed = AuditEvent.objects.filter(object_type="core.user").latest("pk")
    assert changed.changes == {"first_name": ["", "芳"]}

    team = save_team(Team(), name="华南", parent=org.east, manager=None, by=org.admin)
    made = AuditEvent.objects.filter(object_type="core.team", object_id=str(team.pk)).get()
    assert made.action == AuditEvent.Action.CREATE
    assert (made.changes["name"], made.changes["path"]) == ("华南", team.path)
