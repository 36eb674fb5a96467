"""Team performance in the API: the same visibility as the pages, writes through services."""

from __future__ import annotations

import pytest

from kam.performance import services
from kam.performance.models import ScorecardIndicator, SkillAssessment, SurveyInvitation
from tests.factories import AccountFactory
from tests.performance.factories import answers, invite

pytestmark = pytest.mark.django_db

URL = "/api/v1/performance/"
LEVELS = {
    "customer_acceptance": 2,
    "service_response": 3,
    "internal_relationships": 1,
    "resource_use": 2,
    "results": 3,
}


def test_a_manager_assesses_a_rep_through_the_api(org, api):
    response = api(org.east_manager).post(
        URL + "assessments/", {"rep": org.rep.pk, **LEVELS, "note": "API"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["assessed_by"] == org.east_manager.pk
    assert SkillAssessment.objects.get().note == "API"


@pytest.mark.parametrize(
    ("who", "payload"),
    [
        ("north_manager", {}),  # outside their subtree
        ("rep2", {}),  # a colleague
        ("east_manager", {"results": 4}),  # outside the scale
        ("east_manager", {"results": 0}),
    ],
)
def test_bad_assessments_are_refused_and_nothing_is_recorded(org, api, who, payload):
    response = api(getattr(org, who)).post(
        URL + "assessments/", {"rep": org.rep.pk, **LEVELS, **payload}, format="json"
    )
    assert response.status_code == 400
    assert not SkillAssessment.objects.exists()


def test_a_rep_reads_only_their_own_assessments(org, api):
    services.assess_rep(org.rep, levels=LEVELS, by=org.east_manager)
    other = services.assess_rep(org.rep2, levels=LEVELS, by=org.east_manager)
    listed = api(org.rep).get(URL + "assessments/").json()["results"]
    assert [a["rep"] for a in listed] == [org.rep.pk]
    assert api(org.rep).get(URL + f"assessments/{other.pk}/").status_code == 404
    assert len(api(org.east_manager).get(URL + "assessments/").json()["results"]) == 2


def test_the_scorecard_of_a_scope_the_user_may_not_read_is_404(org, api):
    assert api(org.rep).get(URL + f"scorecard/?scope=rep-{org.rep2.pk}").status_code == 404
    assert api(org.rep).get(URL + "scorecard/?scope=company").status_code == 404
    mine = api(org.rep).get(URL + "scorecard/").json()
    assert mine["scope"] == f"rep-{org.rep.pk}"
    assert {r["key"] for r in mine["rows"]} >= {"sales_growth", "loyalty", "skill_level"}
    assert [p["posture"] for p in mine["postures"]] == ["attack", "defend", "maintain"]
    team = api(org.east_manager).get(URL + f"scorecard/?scope=rep-{org.rep.pk}")
    assert team.status_code == 200
    assert api(org.director).get(URL + "scorecard/?scope=company").status_code == 200


def test_efficiency_report(org, api):
    data = api(org.rep).get(URL + "efficiency/").json()
    assert data == {"accounts": [], "styles": []}


def test_a_survey_link_is_given_once_when_made(org, api):
    account = AccountFactory(owner=org.rep)
    made = api(org.rep).post(
        URL + "survey-invitations/", {"account": account.pk, "language": "en"}, format="json"
    )
    assert made.status_code == 201, made.json()
    link = made.json()["link"]
    assert "/performance/survey/" in link
    listed = api(org.rep).get(URL + "survey-invitations/").json()["results"]
    assert listed[0]["link"] is None and listed[0]["answered"] is False
    token = link.rstrip("/").rsplit("/", 1)[1]
    services.answer_survey(token, answers=answers(5))
    responses = api(org.rep).get(URL + "survey-responses/").json()["results"]
    assert responses[0]["loyalty_score"] == "100.0"


def test_nobody_makes_links_for_accounts_they_cannot_see(org, api):
    account = AccountFactory(owner=org.north_rep)
    response = api(org.rep).post(
        URL + "survey-invitations/", {"account": account.pk}, format="json"
    )
    assert response.status_code == 400
    assert not SurveyInvitation.objects.exists()
    invite(account, org.north_rep)
    assert api(org.rep).get(URL + "survey-invitations/").json()["results"] == []
    assert api(org.rep).get(URL + "survey-responses/").json()["results"] == []


def test_administrators_change_indicator_weights_with_a_version_check(org, api):
    indicator = ScorecardIndicator.objects.get(key="retention")
    path = URL + f"indicators/{indicator.pk}/"
    assert api(org.director).patch(path, {"weight_defend": "30"}, format="json").status_code == 403
    ok = api(org.admin).patch(path, {"weight_defend": "30", "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["weight_defend"] == "30.00"
    stale = api(org.admin).patch(path, {"weight_defend": "40", "version": 1}, format="json")
    assert stale.status_code == 409
    bad = api(org.admin).patch(path, {"weight_defend": "400"}, format="json")
    assert bad.status_code == 400
    indicator.refresh_from_db()
    assert indicator.weight_defend == 30


def test_the_schema_documents_every_performance_operation(api, org):
    paths = api(org.rep).get("/api/v1/schema/?format=json").json()["paths"]
    for name in (
        "assessments/",
        "indicators/",
        "scorecard/",
        "efficiency/",
        "survey-invitations/",
        "survey-responses/",
    ):
        assert f"/api/v1/performance/{name}" in paths
