"""The pages: a manager's coaching conversation, the public survey, the account panel,
the export; each shows only what the user may see."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from kam.accounts.models import Tier
from kam.performance import services
from kam.performance.models import ScorecardIndicator, SkillAssessment, SurveyResponse
from tests.factories import AccountFactory
from tests.performance.factories import answered, answers, expire, invite

pytestmark = pytest.mark.django_db

LEVELS = {
    "customer_acceptance": "2",
    "service_response": "3",
    "internal_relationships": "1",
    "resource_use": "2",
    "results": "3",
}


def post_assessment(client, rep, **extra):
    data = {**LEVELS, "assessed_on": timezone.localdate().isoformat(), "note": "下次拜访带上售前"}
    return client.post(f"/performance/reps/{rep.pk}/", {**data, **extra})


def test_a_manager_runs_the_coaching_conversation_from_the_reps_page(org, login):
    client = login(org.east_manager)
    page = client.get(f"/performance/reps/{org.rep.pk}/").content.decode()
    assert "平衡计分卡" in page and "新建评估" in page
    response = post_assessment(client, org.rep)
    assert response.status_code == 302
    page = client.get(f"/performance/reps/{org.rep.pk}/").content.decode()
    assert "下次拜访带上售前" in page and "第3级" in page


def test_a_level_outside_the_scale_on_the_page_records_nothing(org, login):
    response = post_assessment(login(org.east_manager), org.rep, results="7")
    assert response.status_code == 200
    assert not SkillAssessment.objects.exists()


def test_a_rep_sees_their_own_page_without_the_form_and_never_a_colleagues(org, login):
    services.assess_rep(
        org.rep2, levels={k: 2 for k in LEVELS}, note="仅限本人", by=org.east_manager
    )
    client = login(org.rep)
    own = client.get(f"/performance/reps/{org.rep.pk}/")
    assert own.status_code == 200 and "新建评估" not in own.content.decode()
    assert client.get(f"/performance/reps/{org.rep2.pk}/").status_code == 404
    assert post_assessment(client, org.rep).status_code == 403
    assert not SkillAssessment.objects.filter(rep=org.rep).exists()
    assert client.get("/performance/").status_code == 302  # a rep lands on their own page


def test_a_manager_of_another_region_cannot_open_or_assess_the_rep(org, login):
    client = login(org.north_manager)
    assert client.get(f"/performance/reps/{org.rep.pk}/").status_code == 404
    assert post_assessment(client, org.rep).status_code == 404
    assert not SkillAssessment.objects.exists()


def test_the_team_page_lists_the_reps_and_the_slipping_customers(org, login):
    account = AccountFactory(owner=org.rep, tier=Tier.KEY, name="滑坡客户有限公司")
    answered(account, timezone.localdate() - timedelta(days=120), level=5)
    answered(account, timezone.localdate(), level=2)
    hidden = AccountFactory(owner=org.north_rep, name="别区客户有限公司")
    answered(hidden, timezone.localdate(), level=5)
    page = login(org.east_manager).get("/performance/").content.decode()
    assert org.rep.get_full_name() in page
    assert "滑坡客户有限公司" in page and "下滑" in page
    assert "别区客户有限公司" not in page


# --- the public survey ---------------------------------------------------------------


def test_a_signed_out_visitor_answers_the_survey_once_in_chinese_or_english(org):
    account = AccountFactory(owner=org.rep)
    made = invite(account, org.rep)
    visitor = Client()
    url = f"/performance/survey/{made.token}/"
    page = visitor.get(url)
    assert page.status_code == 200
    assert "作为您的供应商" in page.content.decode()
    english = visitor.get(url + "?lang=en").content.decode()
    assert "How are we doing as your supplier?" in english
    data = {q: "4" for q in services.QUESTIONS} | {"comment": "Good service", "lang": "en"}
    done = visitor.post(url, data)
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    assert SurveyResponse.objects.get().comment == "Good service"
    again = visitor.post(url, data)
    assert again.status_code == 410
    assert "already been answered" in again.content.decode()
    assert SurveyResponse.objects.count() == 1
    assert visitor.get(url).status_code == 410


def test_answers_outside_the_scale_give_an_error_and_record_nothing(org):
    made = invite(AccountFactory(owner=org.rep), org.rep)
    data = {q: "4" for q in services.QUESTIONS} | {"recommend": "9"}
    response = Client().post(f"/performance/survey/{made.token}/", data)
    assert response.status_code == 400
    assert "请为每个问题选择1到5分" in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_an_expired_or_unknown_link_gives_a_clear_error(org):
    made = invite(AccountFactory(owner=org.rep), org.rep)
    expire(made.invitation)
    expired = Client().get(f"/performance/survey/{made.token}/")
    assert expired.status_code == 410 and "已过期" in expired.content.decode()
    data = {q: "4" for q in services.QUESTIONS}
    assert Client().post(f"/performance/survey/{made.token}/", data).status_code == 410
    unknown = Client().get("/performance/survey/not-a-real-token/?lang=en")
    assert unknown.status_code == 404 and "not valid" in unknown.content.decode()
    assert not SurveyResponse.objects.exists()


def test_making_a_link_shows_it_once(org, login):
    account = AccountFactory(owner=org.rep)
    client = login(org.rep)
    response = client.post(
        "/performance/surveys/", {"account": account.pk, "language": "en", "valid_days": 14}
    )
    page = response.content.decode()
    assert "/performance/survey/" in page
    token = page.split("/performance/survey/")[1].split("/")[0]
    assert Client().get(f"/performance/survey/{token}/").status_code == 200
    assert token not in client.get("/performance/surveys/").content.decode()


def test_a_rep_cannot_make_a_link_for_someone_elses_account(org, login):
    account = AccountFactory(owner=org.north_rep)
    response = login(org.rep).post(
        "/performance/surveys/", {"account": account.pk, "language": "en", "valid_days": 14}
    )
    assert response.status_code == 200 and "/performance/survey/" not in response.content.decode()


# --- the account page, export and settings -------------------------------------------


def test_the_account_page_loads_the_loyalty_panel(org, login):
    account = AccountFactory(owner=org.rep)
    answered(account, timezone.localdate(), level=5)
    client = login(org.rep)
    assert (
        f"/performance/accounts/{account.pk}/panel/"
        in client.get(f"/accounts/{account.pk}/").content.decode()
    )
    panel = client.get(f"/performance/accounts/{account.pk}/panel/").content.decode()
    assert "客户反馈与忠诚度" in panel and "100.0" in panel
    assert login(org.north_rep).get(f"/performance/accounts/{account.pk}/panel/").status_code == 404


def test_the_export_holds_the_scorecard_and_only_visible_assessments(org, login):
    services.assess_rep(
        org.rep, levels={k: 2 for k in LEVELS}, note="本人的评估", by=org.east_manager
    )
    services.assess_rep(
        org.rep2, levels={k: 3 for k in LEVELS}, note="同事的评估", by=org.east_manager
    )
    response = login(org.rep).get("/performance/export.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    assert {"平衡计分卡", "资源效率", "技能评估", "调查答卷"} <= set(book.sheetnames)
    notes = [row[-2] for row in book["技能评估"].iter_rows(min_row=2, values_only=True)]
    assert notes == ["本人的评估"]
    indicators = [r[0] for r in book["平衡计分卡"].iter_rows(min_row=2, values_only=True)]
    assert "销售额增长" in indicators


def test_administrators_change_weights_others_cannot_see_the_page(org, login):
    indicator = ScorecardIndicator.objects.get(key="sales_growth")
    assert login(org.director).get("/performance/settings/").status_code == 404
    client = login(org.admin)
    response = client.post(
        "/performance/settings/",
        {
            "indicator": indicator.pk,
            "version": indicator.version,
            "target": "20",
            "weight_attack": "30",
            "weight_defend": "5",
            "weight_maintain": "5",
        },
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.weight_attack == 30 and indicator.version == 2
    stale = client.post(
        "/performance/settings/",
        {
            "indicator": indicator.pk,
            "version": 1,
            "target": "25",
            "weight_attack": "30",
            "weight_defend": "5",
            "weight_maintain": "5",
        },
    )
    assert stale.status_code == 200
    indicator.refresh_from_db()
    assert indicator.target == 20


def test_the_navigation_has_team_performance(org, login):
    assert "团队绩效" in login(org.rep).get(f"/performance/reps/{org.rep.pk}/").content.decode()


def test_survey_answers_flow_into_the_scorecard(org, login):
    account = AccountFactory(owner=org.rep)
    services.answer_survey(invite(account, org.rep).token, answers=answers(5))
    page = login(org.rep).get(f"/performance/reps/{org.rep.pk}/").content.decode()
    assert 'data-indicator="loyalty"' in page and "100" in page
