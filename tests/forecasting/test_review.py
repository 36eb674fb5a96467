"""The manager's weekly funnel review (漏斗检查会): the agenda built from the data, the
question to ask per item, and decisions that become the rep's tasks on the deal."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kam.activities.models import Task, TaskSource
from kam.core.models import AuditEvent
from kam.forecasting.models import FunnelReview, ReviewDecision
from kam.forecasting.periods import Week
from kam.forecasting.review import services
from kam.forecasting.review.agenda import build_agenda
from kam.forecasting.review.questions import Reason
from kam.forecasting.scopes import REP, TEAM, Scope
from kam.forecasting.services import take_snapshot
from kam.pipeline.models import Opportunity
from tests.factories import default_stage
from tests.forecasting.factories import AccountFactory, deal

pytestmark = pytest.mark.django_db

WEEK1 = Week(date(2026, 11, 9))
WEEK2 = Week(date(2026, 11, 16))
TODAY = date(2026, 11, 25)


def _evaluated(opportunity: Opportunity, *, worth: bool = True, days_ago: int = 1) -> None:
    """Store a recent evaluation's screen on the deal (as the evaluation service does)."""
    at = timezone.now() - timedelta(days=days_ago)
    Opportunity.objects.filter(pk=opportunity.pk).update(
        evaluated_at=at,
        evaluation_total=30,
        gates_passed=4 if worth else 3,
        passes_project=True,
        passes_ours=True,
        passes_win=True,
        passes_worth=worth,
    )


def _moved(opportunity: Opportunity) -> None:
    """Keep the deal from counting as stalled or as moved since its evaluation."""
    Opportunity.objects.filter(pk=opportunity.pk).update(progressed_at=timezone.now())


def _reasons(agenda, opportunity) -> list[str]:  # type: ignore[no-untyped-def]
    for rep in agenda.reps:
        for d in rep.deals:
            if d.opportunity.pk == opportunity.pk:
                return [i.reason for i in d.items]
    return []


@pytest.fixture
def team(org):  # type: ignore[no-untyped-def]
    return Scope(TEAM, team=org.east)


@pytest.fixture
def deals(org):  # type: ignore[no-untyped-def]
    """Deals of the east team's reps, and one of the north team's."""
    own = AccountFactory(owner=org.rep)
    other = AccountFactory(owner=org.north_rep)
    fine = deal(own, "1000", "comparison", close=date(2026, 12, 15))
    unworthy = deal(own, "2000", "comparison", close=date(2026, 12, 15))
    never = deal(AccountFactory(owner=org.rep2), "300", "interest", close=date(2026, 12, 1))
    north = deal(other, "200", "interest", close=date(2026, 12, 10))
    for d in (fine, unworthy, never, north):
        _moved(d)
    _evaluated(fine)
    _evaluated(unworthy, worth=False)
    _evaluated(north, worth=False)
    return {"fine": fine, "unworthy": unworthy, "never": never, "north": north}


def test_the_agenda_lists_gate_failures_and_missing_evaluations_per_rep(org, team, deals):
    agenda = build_agenda(org.east_manager, team, WEEK2, today=TODAY)
    assert [r.rep for r in agenda.reps] == sorted(
        [org.rep, org.rep2], key=lambda u: (u.last_name, u.first_name, u.username)
    )
    assert Reason.FAILS_WORTH in _reasons(agenda, deals["unworthy"])
    assert Reason.REEVALUATE in _reasons(agenda, deals["never"])
    assert not {r for r in _reasons(agenda, deals["never"]) if r.startswith("fails_")}
    assert Reason.FAILS_WORTH not in _reasons(agenda, deals["fine"])
    # Another team's deal is not on this team's agenda.
    assert _reasons(agenda, deals["north"]) == []
    item = next(
        i
        for r in agenda.reps
        for d in r.deals
        for i in d.items
        if d.opportunity.pk == deals["never"].pk
    )
    assert item.detail == "Never evaluated."
    assert "twenty questions" in item.question


def test_an_old_evaluation_is_due_again(org, team, deals):
    _evaluated(deals["fine"], days_ago=45)
    agenda = build_agenda(org.east_manager, team, WEEK2, today=TODAY)
    assert Reason.REEVALUATE in _reasons(agenda, deals["fine"])


def test_a_stalled_deal_is_on_the_agenda_with_why(org, team, deals):
    long_ago = timezone.now() - timedelta(days=90)
    Opportunity.objects.filter(pk=deals["fine"].pk).update(progressed_at=long_ago)
    agenda = build_agenda(org.east_manager, team, WEEK2, today=timezone.localdate())
    deal_items = [
        i
        for r in agenda.reps
        for d in r.deals
        if d.opportunity.pk == deals["fine"].pk
        for i in d.items
    ]
    stalled = [i for i in deal_items if i.reason == Reason.STALLED]
    assert stalled and "No advance for" in stalled[0].detail


def test_moved_back_and_pushed_out_come_from_the_weeks_snapshots(org, team, deals):
    take_snapshot(WEEK1.sunday, today=WEEK2.monday)
    d = deals["fine"]
    d.stage = default_stage("design")
    d.expected_close_date = date(2027, 1, 20)
    d.save()
    take_snapshot(WEEK2.sunday, today=TODAY)
    agenda = build_agenda(org.east_manager, team, WEEK2, today=TODAY)
    reasons = _reasons(agenda, d)
    assert Reason.MOVED_BACK in reasons and Reason.CLOSE_SLIPPED in reasons
    slipped = next(
        i
        for r in agenda.reps
        for x in r.deals
        if x.opportunity.pk == d.pk
        for i in x.items
        if i.reason == Reason.CLOSE_SLIPPED
    )
    assert "2026-12-15" in slipped.detail and "2027-01-20" in slipped.detail


def test_red_flags_are_new_only_until_a_review_has_seen_them(org, team, deals):
    first = build_agenda(org.east_manager, team, WEEK1, today=TODAY)
    flagged = [
        d.opportunity
        for r in first.reps
        for d in r.deals
        if any(i.reason == Reason.RED_FLAG for i in d.items)
    ]
    assert flagged, "a deal with no decision chain recorded carries red flags"
    services.record_decision(
        team=org.east,
        week=WEEK1,
        opportunity=flagged[0],
        decision="再跟一周",
        next_step="约见财务总监确认预算",
        by=org.east_manager,
    )
    review = FunnelReview.objects.get(team=org.east, week=WEEK1.monday)
    assert str(flagged[0].pk) in review.red_flags
    second = build_agenda(org.east_manager, team, WEEK2, today=TODAY)
    assert second.previous_review == review
    assert Reason.RED_FLAG not in _reasons(second, flagged[0])


def test_a_decision_becomes_the_reps_task_on_the_deal(org, team, deals, login):
    decision = services.record_decision(
        team=org.east,
        week=WEEK2,
        opportunity=deals["unworthy"],
        decision="毛利太低，先确认付款条件再决定是否继续",
        next_step="请财务总监确认付款条件",
        due_on=date(2026, 12, 4),
        by=org.east_manager,
    )
    task = Task.objects.get(pk=decision.task_id)
    assert task.owner == org.rep
    assert task.opportunity == deals["unworthy"]
    assert task.source == TaskSource.FUNNEL_REVIEW
    assert task.due_on == date(2026, 12, 4)
    assert AuditEvent.objects.filter(
        object_type="forecasting.reviewdecision", object_id=str(decision.pk)
    ).exists()
    client = login(org.rep)
    page = client.get(reverse("pipeline:detail", args=[deals["unworthy"].pk])).content.decode()
    panel = reverse("tasks:panel") + f"?opportunity={deals['unworthy'].pk}"
    assert panel in page
    assert "请财务总监确认付款条件" in client.get(panel).content.decode()
    agenda = build_agenda(org.east_manager, team, WEEK2, today=TODAY)
    shown = next(d for r in agenda.reps for d in r.deals if d.opportunity == deals["unworthy"])
    assert [x.next_step for x in shown.decisions] == ["请财务总监确认付款条件"]


def test_only_the_teams_manager_decides(org, deals):
    for outsider in (org.rep, org.north_manager):
        with pytest.raises(PermissionDenied):
            services.record_decision(
                team=org.east,
                week=WEEK2,
                opportunity=deals["unworthy"],
                decision="x",
                next_step="y",
                by=outsider,
            )
    assert not ReviewDecision.objects.exists() and not Task.objects.exists()


def test_an_empty_decision_is_refused_and_changes_nothing(org, deals):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.record_decision(
            team=org.east,
            week=WEEK2,
            opportunity=deals["unworthy"],
            decision=" ",
            next_step="",
            by=org.east_manager,
        )
    assert set(refused.value.message_dict) == {"decision", "next_step"}
    assert not FunnelReview.objects.exists() and not Task.objects.exists()


@pytest.mark.parametrize(
    ("language", "title", "question"),
    [
        ("zh-hans", "漏斗检查会", "是继续投入，还是放弃"),
        ("en", "Funnel review", "Is it worth winning"),
    ],
)
def test_the_page_shows_the_agenda_and_the_question(org, deals, client, language, title, question):
    org.east_manager.language = language
    org.east_manager.save()
    client.force_login(org.east_manager)
    page = client.get(
        reverse("forecasting:review"), {"scope": f"team:{org.east.pk}", "week": WEEK2.key}
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert title in body
    assert question in body
    assert f'data-testid="review-deal-{deals["unworthy"].pk}"' in body
    assert f'data-testid="review-decide-{deals["unworthy"].pk}"' in body
    assert f'data-testid="review-deal-{deals["north"].pk}"' not in body


def test_a_rep_reads_their_own_agenda_without_the_decision_form(org, deals, login):
    page = login(org.rep).get(reverse("forecasting:review"))
    body = page.content.decode()
    assert f'data-testid="review-deal-{deals["unworthy"].pk}"' in body
    assert "review-decide-" not in body


def test_the_page_records_a_decision_with_htmx(org, deals, login):
    client = login(org.east_manager)
    answer = client.post(
        reverse("forecasting:review_decide"),
        {
            "scope": f"team:{org.east.pk}",
            "week": WEEK2.key,
            "opportunity": deals["unworthy"].pk,
            "decision": "放弃",
            "next_step": "告知客户我们不参与本轮",
            "due_on": "2026-12-01",
        },
        HTTP_HX_REQUEST="true",
    )
    assert answer.status_code == 200
    assert "告知客户我们不参与本轮" in answer.content.decode()
    assert Task.objects.get().title == "告知客户我们不参与本轮"
    refused = client.post(
        reverse("forecasting:review_decide"),
        {
            "scope": f"team:{org.east.pk}",
            "week": WEEK2.key,
            "opportunity": deals["unworthy"].pk,
            "decision": "",
            "next_step": "",
        },
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 200
    assert "invalid-feedback" in refused.content.decode()
    assert Task.objects.count() == 1


def test_a_rep_cannot_post_a_decision(org, deals, login):
    answer = login(org.rep).post(
        reverse("forecasting:review_decide"),
        {
            "scope": f"team:{org.shanghai.pk}",
            "week": WEEK2.key,
            "opportunity": deals["unworthy"].pk,
            "decision": "x",
            "next_step": "y",
        },
    )
    assert answer.status_code in (403, 404)
    assert not Task.objects.exists()


def test_the_export_has_one_row_per_item_with_its_question(org, deals, login):
    answer = login(org.east_manager).get(
        reverse("forecasting:review_export"), {"scope": f"team:{org.east.pk}", "week": WEEK2.key}
    )
    assert answer.status_code == 200
    sheet = load_workbook(BytesIO(answer.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "销售代表" or rows[0][0] == "Rep"
    names = {row[2] for row in rows[1:]}
    assert deals["unworthy"].name in names and deals["north"].name not in names


def test_the_api_serves_the_agenda_and_takes_decisions(org, deals, api):
    client = api(org.east_manager)
    answer = client.get(
        "/api/v1/forecast-review/", {"scope": f"team:{org.east.pk}", "week": WEEK2.key}
    )
    assert answer.status_code == 200, answer.content
    deal_ids = {d["opportunity"] for r in answer.json()["reps"] for d in r["deals"]}
    assert deals["unworthy"].pk in deal_ids and deals["north"].pk not in deal_ids
    made = client.post(
        "/api/v1/forecast-review/decisions/",
        {
            "scope": f"team:{org.east.pk}",
            "week": WEEK2.key,
            "opportunity": deals["unworthy"].pk,
            "decision": "继续",
            "next_step": "安排技术交流",
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    assert Task.objects.get(pk=made.json()["task"]).owner == org.rep
    refused = api(org.rep).post(
        "/api/v1/forecast-review/decisions/",
        {
            "scope": f"team:{org.shanghai.pk}",
            "week": WEEK2.key,
            "opportunity": deals["unworthy"].pk,
            "decision": "x",
            "next_step": "y",
        },
        format="json",
    )
    assert refused.status_code in (403, 404)
    schema = client.get("/api/v1/schema/").content.decode()
    assert "/api/v1/forecast-review/decisions/" in schema


def test_the_agendas_queries_do_not_grow_with_the_deals(
    org, team, deals, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        build_agenda(org.east_manager, team, WEEK2, today=TODAY)
    own = AccountFactory(owner=org.rep)
    for n in range(12):
        d = deal(own, str(100 + n), "comparison", close=date(2026, 12, 15))
        _evaluated(d, worth=False)
    with django_assert_max_num_queries(len(few.captured_queries)):
        build_agenda(org.east_manager, team, WEEK2, today=TODAY)


def test_a_reps_scope_shows_only_that_rep(org, deals):
    agenda = build_agenda(org.rep, Scope(REP, rep=org.rep), WEEK2, today=TODAY)
    assert [r.rep for r in agenda.reps] == [org.rep]
    assert _reasons(agenda, deals["never"]) == []
