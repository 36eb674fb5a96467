"""The twenty questions screen the funnel (issue 23 no. 1): a pass mark per gate, what to
do about each failed question, the deals due for a new evaluation, the screen on the
board, the list, the deal page, the API and the manager's dashboard, and the red flag
of a deal not worth it late in its funnel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kam.pipeline import screening, selectors, services
from kam.pipeline.models import Evaluation, Opportunity, PipelineSettings, Stage, StageModel
from kam.pipeline.screening import Due, ScreenRules
from kam.stakeholders.red_flags import red_flags_for
from tests.factories import AccountFactory
from tests.pipeline.factories import new_opportunity, qualify, walk_to

pytestmark = pytest.mark.django_db

ALL_YES = {n: "yes" for n in range(1, 21)}
#: Passes the first three gates; "Is it worth it?" scores 2 + 2 + 0 + 0 + 0 = 4 of 10.
NOT_WORTH_IT = {**ALL_YES, 18: "no", 19: "no", 20: "no"}


def english(user):  # type: ignore[no-untyped-def]
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def evaluate(deal: Opportunity, answers: dict[int, str], by=None) -> Evaluation:  # type: ignore[no-untyped-def]
    return services.record_evaluation(deal, answers=answers, by=by or deal.owner)


def deal_at(org, key: str, **fields) -> Opportunity:  # type: ignore[no-untyped-def]
    deal = new_opportunity(AccountFactory(owner=org.rep), **fields)
    if key != "interest":
        qualify(deal)
        deal.refresh_from_db()
        walk_to(deal, key)
    return Opportunity.objects.get(pk=deal.pk)


# --- the rule, without a database ----------------------------------------------------------


def test_a_gate_passes_at_the_pass_mark_and_fails_below_it():
    rules = ScreenRules(pass_mark=7)
    seven = {1: "yes", 2: "yes", 3: "yes", 4: "unsure", 5: "no"}
    six = {1: "yes", 2: "yes", 3: "unsure", 4: "unsure", 5: "no"}
    assert screening.gate_results(seven, rules)[0].passed
    assert not screening.gate_results(six, rules)[0].passed
    assert screening.gate_results(six, ScreenRules(pass_mark=6))[0].passed


def test_a_no_on_a_critical_question_fails_its_gate_whatever_the_score():
    rules = ScreenRules(pass_mark=7, critical=frozenset({4}))
    no_funding = {1: "yes", 2: "yes", 3: "yes", 4: "no", 5: "yes"}  # 8 points
    project = screening.gate_results(no_funding, rules)[0]
    assert (project.score, project.passed, project.critical_noes) == (8, False, (4,))
    unsure = {**no_funding, 4: "unsure"}  # only a no is disqualifying
    assert screening.gate_results(unsure, rules)[0].passed


def test_what_to_do_is_given_for_each_question_of_a_failed_gate_not_answered_yes():
    failed = screening.failed_questions({**NOT_WORTH_IT, 17: "unsure"}, ScreenRules())
    assert [(q.number, q.answer) for q in failed] == [
        (17, "unsure"),
        (18, "no"),
        (19, "no"),
        (20, "no"),
    ]
    assert all(q.guidance for q in failed)
    assert "margin" in failed[1].guidance
    assert screening.failed_questions(ALL_YES, ScreenRules()) == []
    assert set(screening.GUIDANCE) == set(range(1, 21))


def test_an_evaluation_is_due_when_missing_old_or_made_before_the_last_move():
    now = timezone.now()
    due = screening.reevaluation_due
    assert due(evaluated_at=None, stage_entered_at=None, now=now, max_age_days=30) == Due.MISSING
    old = now - timedelta(days=30, minutes=1)
    assert due(evaluated_at=old, stage_entered_at=None, now=now, max_age_days=30) == Due.OLD
    fresh = now - timedelta(days=29)
    assert due(evaluated_at=fresh, stage_entered_at=None, now=now, max_age_days=30) == Due.NO
    moved = fresh + timedelta(days=1)
    assert due(evaluated_at=fresh, stage_entered_at=moved, now=now, max_age_days=30) == (
        Due.BEFORE_MOVE
    )


# --- what is stored stays what the evaluations and settings say ----------------------------

DEALS = 3
answer = st.sampled_from(["yes", "unsure", "no", ""])
steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("evaluate"),
            st.integers(0, DEALS - 1),
            st.lists(answer, min_size=20, max_size=20),
        ),
        st.tuples(st.just("age"), st.integers(0, DEALS - 1), st.integers(0, 60)),
        st.tuples(st.just("move"), st.integers(0, DEALS - 1), st.just([])),
        st.tuples(
            st.just("settings"),
            st.integers(0, 10),
            st.lists(st.integers(1, 20), max_size=4),
        ),
    ),
    max_size=10,
)


def expected(deal: Opportunity, rules: ScreenRules) -> dict[str, object]:
    """The stored screen recomputed in Python from the raw evaluations."""
    rows = sorted(Evaluation.objects.filter(opportunity=deal), key=lambda e: (e.evaluated_at, e.pk))
    if not rows:
        return {name: None for name in services.screening.STORED_FIELDS}
    latest = rows[-1]
    answers = {int(k): v["answer"] for k, v in latest.answers.items()}
    gates = screening.gate_results(answers, rules)
    return {
        "evaluated_at": latest.evaluated_at,
        "evaluation_total": sum(g.score for g in gates),
        "gates_passed": sum(g.passed for g in gates),
        **{f"passes_{g.key}": g.passed for g in gates},
    }


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=steps, max_age=st.integers(1, 45))
def test_the_stored_screen_follows_every_service(org, plan, max_age):  # type: ignore[no-untyped-def]
    with transaction.atomic():
        account = AccountFactory(owner=org.rep)
        deals = [qualify(new_opportunity(account, name=f"商机{n}")) for n in range(DEALS)]
        for action, a, b in plan:
            if action == "evaluate":
                answers = {n: v for n, v in enumerate(b, start=1) if v}
                if answers:
                    evaluate(Opportunity.objects.get(pk=deals[a].pk), answers)
            elif action == "age":  # an evaluation made some days ago (a clock that moved)
                latest = Evaluation.objects.filter(opportunity=deals[a]).order_by("-pk").first()
                if latest is not None:
                    when = timezone.now() - timedelta(days=b, hours=1)
                    Evaluation.objects.filter(pk=latest.pk).update(evaluated_at=when)
                    services.refresh_screening([deals[a].pk])
            elif action == "move":
                deal = Opportunity.objects.get(pk=deals[a].pk)
                order = deal.stage.order
                if order < 4:
                    nxt = Stage.objects.get(model=deal.stage.model, order=order + 1)
                    walk_to(deal, nxt.key)
            else:
                row = PipelineSettings.current()
                services.update_pipeline_settings(
                    by=org.admin,
                    small_sale_threshold=row.small_sale_threshold,
                    stall_days=row.stall_days,
                    gate_pass_mark=a,
                    critical_questions=b,
                )
        row = PipelineSettings.current()
        row.evaluation_max_age_days = max_age
        row.save()
        rules = services.screen_rules()
        now = timezone.now()
        due, failing = set(), set()
        for deal in Opportunity.objects.filter(account=account):
            stored = {name: getattr(deal, name) for name in services.screening.STORED_FIELDS}
            assert stored == expected(deal, rules)
            if screening.reevaluation_due(
                evaluated_at=deal.evaluated_at,
                stage_entered_at=deal.stage_entered_at,
                now=now,
                max_age_days=max_age,
            ):
                due.add(deal.pk)
            if stored["gates_passed"] is not None and stored["gates_passed"] < 4:
                failing.add(deal.pk)
        mine = Opportunity.objects.filter(account=account)
        assert (
            set(mine.filter(selectors.reevaluation_due(max_age, now)).values_list("pk", flat=True))
            == due
        )
        listed = selectors.opportunity_list(
            org.rep, selectors.OpportunityFilters(status="", gate="any")
        ).filter(account=account)
        assert set(listed.values_list("pk", flat=True)) == failing
        transaction.set_rollback(True)


def test_a_new_pass_mark_or_critical_question_rescreens_every_deal(org):
    deal = deal_at(org, "interest")
    evaluate(deal, {**ALL_YES, 4: "no"})  # project: 8 of 10
    deal.refresh_from_db()
    assert deal.passes_project is True and deal.gates_passed == 4
    row = PipelineSettings.current()
    services.update_pipeline_settings(
        by=org.admin,
        small_sale_threshold=row.small_sale_threshold,
        stall_days=row.stall_days,
        critical_questions=["4"],
    )
    deal.refresh_from_db()
    assert deal.passes_project is False and deal.gates_passed == 3
    services.update_pipeline_settings(
        by=org.admin,
        small_sale_threshold=row.small_sale_threshold,
        stall_days=row.stall_days,
        gate_pass_mark=9,
        critical_questions=[],
    )
    deal.refresh_from_db()
    assert (deal.passes_project, deal.passes_ours, deal.gates_passed) == (False, True, 3)


def test_one_stage_per_model_marks_where_not_worth_it_becomes_a_red_flag(org):
    row = PipelineSettings.current()
    purchase = StageModel.objects.get(key="purchase")
    two = list(purchase.stages.filter(key__in=["design", "comparison"]))
    with pytest.raises(ValidationError) as refused:
        services.update_pipeline_settings(
            by=org.admin,
            small_sale_threshold=row.small_sale_threshold,
            stall_days=row.stall_days,
            worth_gate_stages=two,
        )
    assert "at most one stage of each stage model" in str(refused.value)


# --- the red flag ----------------------------------------------------------------------------


def codes(deal: Opportunity) -> set[str]:
    return {f.code for f in red_flags_for(Opportunity.objects.get(pk=deal.pk))}


def test_not_worth_it_is_a_red_flag_from_comparison_on_not_before(org):
    early = deal_at(org, "design", name="设计阶段项目")
    late = deal_at(org, "comparison", name="比较阶段项目")
    later = deal_at(org, "commitment", name="承诺阶段项目")
    for deal in (early, late, later):
        evaluate(deal, NOT_WORTH_IT)
    assert "not_worth_it" not in codes(early)
    assert "not_worth_it" in codes(late) and "not_worth_it" in codes(later)
    flag = next(
        f for f in red_flags_for(Opportunity.objects.get(pk=late.pk)) if f.code == "not_worth_it"
    )
    assert flag.severity == "high"
    evaluate(Opportunity.objects.get(pk=late.pk), ALL_YES)  # re-evaluated: worth it after all
    assert "not_worth_it" not in codes(late)


def test_the_red_flag_stage_is_the_stage_models_own_setting_not_a_key(org):
    consultative = StageModel.objects.get(key="consultative")
    first = consultative.stages.get(order=1)
    deal = new_opportunity(AccountFactory(owner=org.rep), stage=first)
    qualify(deal)
    deal.refresh_from_db()
    walk_to_model = consultative.stages.get(key="consulting")
    services.move_opportunity(
        deal,
        walk_to_model,
        by=org.rep,
        expected_version=deal.version,
        confirmed_exit_stages=list(
            consultative.stages.filter(order__lt=walk_to_model.order).values_list("pk", flat=True)
        ),
    )
    evaluate(Opportunity.objects.get(pk=deal.pk), NOT_WORTH_IT)
    assert "not_worth_it" in codes(deal)  # consultative: from Consulting on
    # The administrator moves the mark of the purchase stages to Commitment: a deal at
    # Comparison no longer raises it.
    row = PipelineSettings.current()
    purchase = StageModel.objects.get(key="purchase")
    services.update_pipeline_settings(
        by=org.admin,
        small_sale_threshold=row.small_sale_threshold,
        stall_days=row.stall_days,
        worth_gate_stages=[purchase.stages.get(key="commitment"), walk_to_model],
    )
    at_comparison = deal_at(org, "comparison")
    evaluate(at_comparison, NOT_WORTH_IT)
    assert "not_worth_it" not in codes(at_comparison)
    assert "not_worth_it" in codes(deal)


# --- what a user sees --------------------------------------------------------------------------


def test_the_deal_page_shows_each_gate_and_what_to_do_in_english(org, login):
    deal = deal_at(org, "comparison", name="评估项目")
    evaluate(deal, NOT_WORTH_IT)
    page = login(english(org.rep)).get(reverse("pipeline:detail", args=[deal.pk])).content.decode()
    assert 'data-testid="gate-result-project">Passed<' in page
    assert 'data-testid="gate-result-worth">Failed<' in page
    assert "A gate passes with 7 of 10 points" in page
    guidance = page[page.index('data-testid="screen-guidance"') :]
    assert "18. Is the profit of this project worth it?" in guidance
    assert "Work out the margin after discounts" in guidance
    assert "1. Does the business face a challenge?" not in guidance  # a passed gate
    assert 'data-testid="reevaluate"' not in page


def test_the_deal_page_in_chinese(org, login):
    deal = deal_at(org, "comparison", name="评估项目")
    evaluate(deal, NOT_WORTH_IT)
    page = login(org.rep).get(reverse("pipeline:detail", args=[deal.pk])).content.decode()
    assert 'data-testid="gate-result-worth">未通过<' in page
    assert 'data-testid="gate-result-project">通过<' in page
    assert "算清折扣、交付和服务之后的毛利" in page
    assert "每个关口满 10 分需达到 7 分" in page


def test_the_deal_page_marks_an_evaluation_made_before_the_last_move(org, login):
    deal = deal_at(org, "design")
    evaluate(deal, ALL_YES)
    deal.refresh_from_db()
    walk_to(deal, "comparison")
    page = login(english(org.rep)).get(reverse("pipeline:detail", args=[deal.pk])).content.decode()
    assert "To re-evaluate: Evaluated before the last stage move" in page


LIST = reverse("pipeline:list")


def test_the_list_shows_sorts_and_filters_by_the_screen(org, login):
    never = deal_at(org, "interest", name="从未评估")
    weak = deal_at(org, "comparison", name="不值得")
    evaluate(weak, NOT_WORTH_IT)
    strong = deal_at(org, "comparison", name="全部通过")
    evaluate(strong, ALL_YES)
    old = deal_at(org, "design", name="评估过期")
    evaluate(old, ALL_YES)
    Evaluation.objects.filter(opportunity=old).update(
        evaluated_at=timezone.now() - timedelta(days=31)
    )
    services.refresh_screening([old.pk])
    client = login(english(org.rep))
    page = client.get(LIST).content.decode()
    row = page[page.index("不值得") :]
    row = row[: row.index("</tr>")]
    assert 'data-testid="row-score">34 / 40<' in row
    assert "Is it worth it?" in row and "To re-evaluate" not in row
    strong_row = page[page.index("全部通过") :]
    assert "All passed" in strong_row[: strong_row.index("</tr>")]

    def names(**params):  # type: ignore[no-untyped-def]
        rows = client.get(LIST, params).context["rows"]
        return [deal.name for deal, _screen in rows]

    assert names(gate="worth") == ["不值得"]
    assert names(gate="any") == ["不值得"]
    assert set(names(due="1")) == {"从未评估", "评估过期"}
    by_score = [name for name in names(sort="-score") if name != "从未评估"]
    assert by_score[-1] == "不值得" and set(by_score[:2]) == {"全部通过", "评估过期"}
    assert never.pk and strong.pk


def test_the_list_reads_the_screen_in_a_pinned_number_of_queries(
    org, login, django_assert_max_num_queries
):
    account = AccountFactory(owner=org.rep)
    evaluate(new_opportunity(account), NOT_WORTH_IT)
    client = login(org.rep)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for n in range(15):
        evaluate(new_opportunity(account, name=f"项目{n}"), ALL_YES if n % 2 else NOT_WORTH_IT)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(LIST).content.decode()
    assert page.count('data-testid="row-score">') == 16


def test_the_board_card_shows_the_gates_failed_and_the_reevaluate_mark(org, login):
    deal = deal_at(org, "comparison", name="看板评估")
    evaluate(deal, NOT_WORTH_IT)
    Evaluation.objects.filter(opportunity=deal).update(
        evaluated_at=timezone.now() - timedelta(days=40)
    )
    services.refresh_screening([deal.pk])
    page = login(english(org.rep)).get(reverse("pipeline:board")).content.decode()
    card = page[page.index(f'id="card-{deal.pk}"') :]
    card = card[: card.index("</dl>")]
    assert 'data-testid="card-evaluation">34 / 40 · gates 3/4<' in card
    assert 'data-testid="card-gates-failed">Is it worth it?<' in card
    assert 'data-testid="card-reevaluate">Evaluation older than 30 days<' in card
    org.rep.language = ""
    org.rep.save(update_fields=["language"])
    chinese = login(org.rep).get(reverse("pipeline:board")).content.decode()
    card = chinese[chinese.index(f'id="card-{deal.pk}"') :]
    assert 'data-testid="card-gates-failed">是否值得<' in card
    assert "待重新评估" in card


def test_the_manager_dashboard_counts_the_screen(org, login):
    weak = deal_at(org, "comparison", name="经理看的不值得")
    evaluate(weak, NOT_WORTH_IT)
    deal_at(org, "interest", name="没评估")
    client = login(english(org.east_manager))
    response = client.get(reverse("reports:panel", args=["screen"]))
    page = response.content.decode()
    assert 'data-testid="screen-failing">1<' in page
    assert 'data-testid="screen-worth-late">1<' in page
    assert 'data-testid="screen-due">1<' in page
    assert "经理看的不值得" in page and "Is it worth it?" in page
    data = client.get(
        "/api/v1/reports/dashboard/", {"panel": "screen"}, HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    assert data["screen"]["failing_a_gate"] == 1
    assert data["screen"]["not_worth_it_late"] == 1
    assert data["screen"]["largest_failing"][0]["failed_gates"] == ["Is it worth it?"]


# --- the API -----------------------------------------------------------------------------------


def test_the_api_answers_the_screen_and_filters_by_it(org, api):  # type: ignore[no-untyped-def]
    weak = deal_at(org, "comparison", name="接口不值得")
    fresh = deal_at(org, "interest", name="接口没评估")
    client = api(english(org.rep))
    url = f"/api/v1/opportunities/{weak.pk}/evaluations/"
    answer = client.post(
        url,
        {"answers": {str(k): v for k, v in NOT_WORTH_IT.items()}},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert {g["key"]: g["passed"] for g in body["gates"]} == {
        "project": True,
        "ours": True,
        "win": True,
        "worth": False,
    }
    assert [q["number"] for q in body["failed_questions"]] == [18, 19, 20]
    assert body["failed_questions"][0]["guidance"].startswith("Work out the margin")
    deal = client.get(f"/api/v1/opportunities/{weak.pk}/").json()
    assert (deal["evaluation_total"], deal["gates_passed"], deal["passes_worth"]) == (34, 3, False)
    assert deal["reevaluation_due"] == ""
    other = client.get(f"/api/v1/opportunities/{fresh.pk}/").json()
    assert (other["evaluation_total"], other["passes_worth"], other["reevaluation_due"]) == (
        None,
        None,
        "missing",
    )
    listed = client.get("/api/v1/opportunities/", {"gate": "worth"}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["id"] for r in rows] == [weak.pk]


def test_the_openapi_schema_names_the_screen(org, api):  # type: ignore[no-untyped-def]
    schema = api(org.rep).get("/api/v1/schema/", {"format": "json"}).json()
    opportunity = schema["components"]["schemas"]["Opportunity"]["properties"]
    for name in (
        "evaluation_total",
        "evaluated_at",
        "gates_passed",
        "passes_worth",
        "reevaluation_due",
    ):
        assert name in opportunity and opportunity[name].get("readOnly"), name
    evaluation = schema["components"]["schemas"]["Evaluation"]["properties"]
    assert "gates" in evaluation and "failed_questions" in evaluation
    assert "guidance" in schema["components"]["schemas"]["FailedQuestion"]["properties"]


def test_an_administrator_sets_the_screen_on_the_settings_page(org, login):
    deal = deal_at(org, "comparison", name="设置页项目")
    evaluate(deal, {**ALL_YES, 4: "no"})  # project: 8 of 10, passes at 7
    url = reverse("pipeline:settings")
    client = login(english(org.admin))
    page = client.get(url).content.decode()
    assert "Pass mark of each gate (of 10 points)" in page
    assert "4. Is funding in place?" in page
    comparison = Stage.objects.get(model__key="purchase", key="comparison")
    consulting = Stage.objects.get(model__key="consultative", key="consulting")
    response = client.post(
        url,
        {
            "part": "settings",
            "small_sale_threshold": "50000",
            "stall_days": "30",
            "gate_pass_mark": "7",
            "evaluation_max_age_days": "14",
            "critical_questions": ["4", "18"],
            "worth_gate_stages": [comparison.pk, consulting.pk],
        },
    )
    assert response.status_code == 302
    row = PipelineSettings.current()
    assert (row.critical_questions, row.evaluation_max_age_days) == ([4, 18], 14)
    deal.refresh_from_db()
    assert deal.passes_project is False  # the critical no now fails the gate
    refused = client.post(
        url,
        {
            "part": "settings",
            "small_sale_threshold": "50000",
            "stall_days": "30",
            "gate_pass_mark": "11",
            "evaluation_max_age_days": "14",
        },
    )
    assert refused.status_code == 400
    assert PipelineSettings.current().gate_pass_mark == 7
    manager = login(english(org.east_manager)).get(url).content.decode()
    assert 'name="part"' not in manager
