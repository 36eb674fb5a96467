"""Skill assessments and the survey link lifecycle (DOMAIN.md §1.5, §7)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kam.core.models import AuditEvent
from kam.performance import selectors, services
from kam.performance.models import SkillAssessment, SurveyInvitation, SurveyResponse
from tests.factories import AccountFactory, ContactFactory
from tests.performance.factories import answers, expire, invite

pytestmark = pytest.mark.django_db

LEVELS = {
    "customer_acceptance": 2,
    "service_response": 3,
    "internal_relationships": 1,
    "resource_use": 2,
    "results": 3,
}


def test_a_manager_assesses_a_rep_of_their_subtree_and_history_accumulates(org):
    first = services.assess_rep(org.rep, levels=LEVELS, note="多用售前资源", by=org.east_manager)
    services.assess_rep(
        org.rep,
        levels={**LEVELS, "internal_relationships": 2},
        assessed_on=timezone.localdate() - timedelta(days=90),
        by=org.east_manager,
    )
    history = list(selectors.visible_assessments(org.rep).filter(rep=org.rep))
    assert [a.internal_relationships for a in history] == [1, 2]  # newest first
    assert first.assessed_by == org.east_manager and first.note == "多用售前资源"
    assert AuditEvent.objects.filter(object_type="performance.skillassessment").count() == 2
    assert selectors.skill_of(first) == Decimal("2.20")


@pytest.mark.parametrize("who", ["north_manager", "rep", "rep2", "finance"])
def test_nobody_outside_the_subtree_may_assess_and_nothing_is_recorded(org, who):
    with pytest.raises(ValidationError) as error:
        services.assess_rep(org.rep, levels=LEVELS, by=getattr(org, who))
    assert "You can only assess the reps of the teams you manage." in str(error.value)
    assert not SkillAssessment.objects.exists()


def test_nobody_assesses_themselves(org):
    with pytest.raises(ValidationError):
        services.assess_rep(org.east_manager, levels=LEVELS, by=org.east_manager)


def test_a_director_assesses_anyone(org):
    services.assess_rep(org.north_rep, levels=LEVELS, by=org.director)
    assert SkillAssessment.objects.filter(rep=org.north_rep).count() == 1


@pytest.mark.parametrize("bad", [0, 4, "2", None, 2.5])
def test_a_level_outside_1_to_3_is_refused(org, bad):
    with pytest.raises(ValidationError) as error:
        services.assess_rep(org.rep, levels={**LEVELS, "results": bad}, by=org.east_manager)
    assert "results" in error.value.message_dict
    assert not SkillAssessment.objects.exists()


def test_an_assessment_cannot_be_dated_in_the_future(org):
    with pytest.raises(ValidationError):
        services.assess_rep(
            org.rep,
            levels=LEVELS,
            assessed_on=timezone.localdate() + timedelta(days=1),
            by=org.east_manager,
        )


def test_a_rep_sees_only_their_own_assessments_a_manager_their_subtree(org):
    services.assess_rep(org.rep, levels=LEVELS, by=org.east_manager)
    services.assess_rep(org.rep2, levels=LEVELS, by=org.east_manager)
    services.assess_rep(org.north_rep, levels=LEVELS, by=org.director)
    reps = lambda user: {a.rep for a in selectors.visible_assessments(user)}  # noqa: E731
    assert reps(org.rep) == {org.rep}
    assert reps(org.rep2) == {org.rep2}
    assert reps(org.east_manager) == {org.rep, org.rep2}
    assert reps(org.north_manager) == {org.north_rep}
    assert reps(org.director) == {org.rep, org.rep2, org.north_rep}
    assert reps(org.finance) == set()


# --- the survey link lifecycle -------------------------------------------------------


def test_a_link_is_answered_once_and_scores_are_kept(org):
    account = AccountFactory(owner=org.rep)
    contact = ContactFactory(account=account)
    made = invite(account, org.rep, contact=contact, language="en")
    assert len(made.token) >= 40
    assert made.invitation.token_hash != made.token  # only the hash is stored
    response = services.answer_survey(
        made.token, answers=answers(4, keep_buying=5, recommend=5, resist_competitors=3)
    )
    assert response.account == account
    assert response.loyalty_score == Decimal("83.3")  # mean 4.33 on 1-5 → 83.3 of 100
    assert response.supplier_score == Decimal("75.0")
    made.invitation.refresh_from_db()
    assert made.invitation.answered_at is not None


def test_a_link_and_its_answers_are_recorded_with_their_values_but_not_the_links_hash(org):
    account = AccountFactory(owner=org.rep)
    contact = ContactFactory(account=account)
    made = invite(account, org.rep, contact=contact, language="en")
    invited = AuditEvent.objects.get(object_type="performance.surveyinvitation")
    assert (invited.action, invited.actor) == (AuditEvent.Action.CREATE, org.rep)
    assert invited.changes["contact_id"] == contact.pk and invited.changes["language"] == "en"
    assert invited.changes["token_hash"] == "***"
    assert made.invitation.token_hash not in str(invited.changes)

    response = services.answer_survey(made.token, answers=answers(4), comment="交付很准时")
    answered = AuditEvent.objects.get(object_type="performance.surveyresponse")
    assert (answered.action, answered.actor) == (AuditEvent.Action.CREATE, None)
    assert answered.object_id == str(response.pk)
    assert answered.changes["invitation_id"] == made.invitation.pk
    assert answered.changes["loyalty_score"] == str(response.loyalty_score)
    assert answered.changes["comment"] == "交付很准时"


def test_a_reused_link_is_refused_and_records_nothing_more(org):
    made = invite(AccountFactory(owner=org.rep), org.rep)
    services.answer_survey(made.token, answers=answers(4))
    with pytest.raises(services.SurveyLinkError) as error:
        services.answer_survey(made.token, answers=answers(1))
    assert error.value.reason == "used"
    assert "already been answered" in error.value.message
    assert SurveyResponse.objects.count() == 1


def test_an_expired_link_is_refused(org):
    made = invite(AccountFactory(owner=org.rep), org.rep, valid_days=1)
    expire(made.invitation)
    with pytest.raises(services.SurveyLinkError) as error:
        services.answer_survey(made.token, answers=answers(4))
    assert error.value.reason == "expired"
    assert not SurveyResponse.objects.exists()


def test_an_unknown_link_is_refused(org):
    with pytest.raises(services.SurveyLinkError) as error:
        services.open_survey("not-a-real-token")
    assert error.value.reason == "unknown"


@pytest.mark.parametrize("bad", [0, 6, -1, "5", None])
def test_answers_outside_the_scale_record_nothing_and_leave_the_link_open(org, bad):
    made = invite(AccountFactory(owner=org.rep), org.rep)
    with pytest.raises(ValidationError) as error:
        services.answer_survey(made.token, answers=answers(4, recommend=bad))
    assert error.value.message_dict["recommend"] == ["Choose an answer from 1 to 5."]
    assert not SurveyResponse.objects.exists()
    services.open_survey(made.token)  # still usable


def test_a_missing_answer_is_refused(org):
    made = invite(AccountFactory(owner=org.rep), org.rep)
    partial = answers(4)
    del partial["open_to_ideas"]
    with pytest.raises(ValidationError):
        services.answer_survey(made.token, answers=partial)


def test_only_people_who_may_edit_the_account_send_links(org):
    account = AccountFactory(owner=org.rep)
    for outsider in (org.rep2, org.north_manager, org.finance):
        with pytest.raises(PermissionDenied):
            invite(account, outsider)
    assert not SurveyInvitation.objects.exists()
    assert invite(account, org.east_manager).invitation.account == account


def test_the_person_must_work_at_the_account_and_the_validity_is_bounded(org):
    account = AccountFactory(owner=org.rep)
    elsewhere = ContactFactory(account=AccountFactory(owner=org.rep))
    with pytest.raises(ValidationError) as error:
        invite(account, org.rep, contact=elsewhere, valid_days=400)
    assert set(error.value.message_dict) == {"contact", "valid_days"}
    assert not SurveyInvitation.objects.exists()


def test_a_rep_sees_the_links_and_answers_of_their_accounts_only(org):
    mine = AccountFactory(owner=org.rep)
    theirs = AccountFactory(owner=org.north_rep)
    services.answer_survey(invite(mine, org.rep).token, answers=answers(4))
    services.answer_survey(invite(theirs, org.north_rep).token, answers=answers(4))
    assert {r.account for r in selectors.visible_responses(org.rep)} == {mine}
    assert {i.account for i in selectors.visible_invitations(org.rep)} == {mine}
    assert selectors.visible_responses(org.director).count() == 2
