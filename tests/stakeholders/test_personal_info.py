"""Sensitive personal information (DOMAIN.md §2.2, §7): who sees it, logged, exported, erased."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from kam.core.models import AuditEvent
from kam.stakeholders import services
from kam.stakeholders.models import Contact, PersonalInfo, Stakeholder
from tests.factories import AccountFactory, AccountMemberFactory, ContactFactory, UserFactory
from tests.stakeholders.factories import StakeholderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(org):
    account = AccountFactory(owner=org.rep)
    contact = ContactFactory(account=account, name="钱总", phone="13900000000", wechat="qian")
    PersonalInfo.objects.create(contact=contact, hobbies="钓鱼", birthday=date(1975, 5, 4))
    return contact


def test_only_the_account_team_and_their_managers_see_personal_information(org, person):
    member = UserFactory(team=org.north)
    AccountMemberFactory(account=person.account, user=member)
    for user in (org.rep, member, org.east_manager, org.north_manager, org.director):
        assert services.can_see_personal_info(user, person.account), user.username
    for user in (org.rep2, org.north_rep, org.finance, org.admin):
        assert not services.can_see_personal_info(user, person.account), user.username
        with pytest.raises(PermissionDenied):
            services.read_personal_info(person, by=user)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_SENSITIVE).exists()


def test_every_view_is_logged_with_who_and_when(org, person):
    services.read_personal_info(person, by=org.rep)
    services.read_personal_info(person, by=org.east_manager)
    views = AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW_SENSITIVE, object_id=str(person.pk)
    ).order_by("pk")
    assert [v.actor for v in views] == [org.rep, org.east_manager]
    assert all(v.at is not None for v in views)


def test_the_page_hides_it_from_others_and_logs_each_view(org, person, login):
    client = login(org.rep)
    detail = client.get(f"/people/{person.pk}/").content.decode()
    assert "钓鱼" not in detail  # loaded only on request
    shown = client.get(f"/people/{person.pk}/personal/")
    assert shown.status_code == 200 and "钓鱼" in shown.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_SENSITIVE).count() == 1

    finance = login(org.finance)
    assert finance.get(f"/people/{person.pk}/").status_code == 200  # finance reads the account
    assert finance.get(f"/people/{person.pk}/personal/").status_code == 404
    assert finance.get(f"/people/{person.pk}/personal/export.json").status_code == 404
    assert login(org.admin).get(f"/people/{person.pk}/personal/").status_code == 404
    assert login(org.north_rep).get(f"/people/{person.pk}/personal/").status_code == 404
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_SENSITIVE).count() == 1


def test_saving_personal_information_is_version_checked_and_keeps_values_out_of_the_audit(
    org, person
):
    info = services.save_personal_info(
        person, by=org.rep, expected_version=1, tastes="不吃辣", hobbies="钓鱼、围棋"
    )
    assert info.version == 2
    from kam.core.concurrency import ConflictError

    with pytest.raises(ConflictError):
        services.save_personal_info(person, by=org.east_manager, expected_version=1, tastes="X")
    assert PersonalInfo.objects.get(contact=person).tastes == "不吃辣"
    event = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).latest("pk")
    assert "不吃辣" not in json.dumps(event.changes, ensure_ascii=False)


def test_one_persons_data_is_exported_on_request_and_the_export_is_logged(org, person, login):
    response = login(org.rep).get(f"/people/{person.pk}/personal/export.json")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["person"]["name"] == "钱总" and data["personal_info"]["hobbies"] == "钓鱼"
    assert data["personal_info"]["birthday"] == "1975-05-04"
    xlsx = login(org.rep).get(f"/people/{person.pk}/personal/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    exports = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, actor=org.rep)
    assert sorted(e.changes["format"] for e in exports) == ["json", "xlsx"]


def test_erasure_blanks_personal_data_keeps_business_records_and_is_audited(org, person, login):
    member = StakeholderFactory(
        contact=person,
        opportunity__account=person.account,
        is_decision_maker=True,
        personal_win="升职",
        business_result="成本下降",
    )
    response = login(org.rep).post(f"/people/{person.pk}/personal/erase/")
    assert response.status_code == 302
    person = Contact.objects.get(pk=person.pk)
    assert person.name == "钱总" and person.title  # the business record stays
    assert person.phone == "" and person.wechat == "" and person.erased_at is not None
    assert not PersonalInfo.objects.filter(contact=person).exists()
    member = Stakeholder.objects.get(pk=member.pk)
    assert member.is_decision_maker and member.business_result == "成本下降"
    assert member.personal_win == ""
    erase = AuditEvent.objects.get(action=AuditEvent.Action.ERASE)
    assert erase.actor == org.rep and "personal_info" in erase.changes["erased"]
    assert "钓鱼" not in json.dumps(erase.changes, ensure_ascii=False)
    assert login(org.finance).post(f"/people/{person.pk}/personal/erase/").status_code == 404


def test_the_audit_trail_keeps_no_copy_of_contact_details_that_an_erasure_removes(
    org, person, login
):
    services.update_contact(
        person, by=org.rep, expected_version=person.version, phone="13811112222", title="总经理"
    )
    circle = StakeholderFactory(contact=person, opportunity__account=person.account)
    services.update_stakeholder(
        circle, by=org.rep, expected_version=circle.version, personal_win="想升任集团副总"
    )
    person.refresh_from_db()
    services.erase_personal_data(person, by=org.rep)
    trail = json.dumps(
        list(AuditEvent.objects.values_list("changes", flat=True)), ensure_ascii=False
    )
    for personal in ("13811112222", "13900000000", "想升任集团副总", "钓鱼"):
        assert personal not in trail
    change = AuditEvent.objects.filter(
        object_type="stakeholders.contact", action=AuditEvent.Action.UPDATE
    ).earliest("pk")
    assert change.changes["phone"] == ["***", "***"]  # that it changed is kept, not the value
    assert change.changes["title"][1] == "总经理"  # business fields keep their values
