"""People at the customer: CRUD through services, moves kept as history, lines without circles."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kam.core.concurrency import ConflictError
from kam.core.models import AuditEvent
from kam.stakeholders import services
from kam.stakeholders.models import Contact, ContactChange
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(org):
    return AccountFactory(owner=org.rep)


def test_create_and_change_a_person_keeps_the_moves_with_dates(org, account):
    boss = services.create_contact(account=account, by=org.rep, name="王总", title="总经理")
    person = services.create_contact(
        account=account, by=org.rep, name=" 李工 ", title="工程师", department="信息中心"
    )
    assert person.name == "李工"
    services.update_contact(
        person,
        by=org.rep,
        expected_version=person.version,
        effective_on=date(2026, 10, 1),
        title="信息中心主任",
        reports_to=boss,
        phone="13800000000",
    )
    person.refresh_from_db()
    assert person.title == "信息中心主任" and person.reports_to == boss
    moves = {c.field: c for c in ContactChange.objects.filter(contact=person)}
    assert set(moves) == {"title", "reports_to"}  # the phone is not a move
    assert moves["title"].old_value == "工程师" and moves["title"].new_value == "信息中心主任"
    assert moves["title"].effective_on == date(2026, 10, 1)
    assert moves["reports_to"].new_value == "王总"
    services.update_contact(person, by=org.rep, expected_version=person.version, has_left=True)
    assert ContactChange.objects.filter(contact=person, field="has_left").exists()
    assert (
        AuditEvent.objects.filter(object_type="stakeholders.contact", action="update").count() == 2
    )


def test_a_reports_to_line_that_makes_a_circle_is_refused_and_nothing_changes(org, account):
    a = ContactFactory(account=account, name="甲")
    b = ContactFactory(account=account, name="乙", reports_to=a)
    c = ContactFactory(account=account, name="丙", reports_to=b)
    with pytest.raises(ValidationError, match="circle"):
        services.update_contact(a, by=org.rep, expected_version=a.version, reports_to=c)
    with pytest.raises(ValidationError):
        services.update_contact(a, by=org.rep, expected_version=a.version, reports_to=a)
    a.refresh_from_db()
    assert a.reports_to is None and a.version == 1
    assert not ContactChange.objects.exists()


def test_a_line_to_another_customer_is_refused(org, account):
    other = ContactFactory(account=AccountFactory(owner=org.rep))
    with pytest.raises(ValidationError):
        services.create_contact(account=account, by=org.rep, name="某人", reports_to=other)


def test_a_stale_edit_is_refused(org, account):
    person = ContactFactory(account=account)
    services.update_contact(person, by=org.rep, expected_version=1, title="新职务")
    stale = Contact.objects.get(pk=person.pk)
    with pytest.raises(ConflictError):
        services.update_contact(stale, by=org.east_manager, expected_version=1, title="X")
    assert Contact.objects.get(pk=person.pk).title == "新职务"


def test_finance_and_strangers_may_not_change_people(org, account):
    person = ContactFactory(account=account)
    for user in (org.finance, org.north_rep):
        with pytest.raises(PermissionDenied):
            services.update_contact(person, by=user, expected_version=1, title="X")


def test_a_person_needs_a_name_and_a_valid_email(org, account):
    with pytest.raises(ValidationError):
        services.create_contact(account=account, by=org.rep, name="  ")
    with pytest.raises(ValidationError):
        services.create_contact(account=account, by=org.rep, name="张", email="not-an-email")
    assert not Contact.objects.exists()


def test_pages_show_and_edit_people_and_hide_other_teams(org, account, login):
    person = ContactFactory(account=account, name="赵主任")
    client = login(org.rep)
    assert "赵主任" in client.get("/people/").content.decode()
    page = client.get(f"/people/{person.pk}/")
    assert page.status_code == 200 and "赵主任" in page.content.decode()
    response = client.post(
        f"/people/{person.pk}/edit/",
        {"version": 1, "name": "赵主任", "title": "副总经理", "level": "decision"},
    )
    assert response.status_code == 302
    assert "副总经理" in client.get(f"/people/{person.pk}/").content.decode()
    # A stale form: clear message, nothing overwritten.
    stale = client.post(
        f"/people/{person.pk}/edit/",
        {"version": 1, "name": "赵主任", "title": "X", "level": "decision"},
    )
    assert stale.status_code == 200 and "alert-danger" in stale.content.decode()
    assert Contact.objects.get(pk=person.pk).title == "副总经理"
    response = client.post(
        f"/people/new/?account={account.pk}", {"name": "新人", "level": "operational"}
    )
    assert response.status_code == 302 and Contact.objects.filter(name="新人").exists()

    north = login(org.north_rep)
    assert north.get(f"/people/{person.pk}/").status_code == 404
    assert north.get(f"/people/{person.pk}/edit/").status_code == 404
    assert "赵主任" not in north.get("/people/").content.decode()
    assert login(org.finance).get(f"/people/{person.pk}/edit/").status_code == 403
