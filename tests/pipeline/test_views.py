"""The opportunity pages as a rep and a manager use them (issue 5)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kam.pipeline import services
from kam.pipeline.models import (
    DecisionFactor,
    Evaluation,
    Objection,
    Opportunity,
    OpportunityCompetitor,
    StageChange,
    Status,
)
from kam.pipeline.selectors import field_history
from tests.factories import AccountFactory, OpportunityFactory
from tests.pipeline.factories import new_opportunity, qualify, stage, walk_to

pytestmark = pytest.mark.django_db


def english(user):  # type: ignore[no-untyped-def]
    user.language = "en"
    user.save(update_fields=["language"])
    return user


@pytest.fixture
def deal(org):  # type: ignore[no-untyped-def]
    return new_opportunity(AccountFactory(owner=org.rep), name="核心网扩容项目")


def detail(opportunity: Opportunity) -> str:
    return reverse("pipeline:detail", args=[opportunity.pk])


# --- the page ---------------------------------------------------------------------------


def test_the_deal_room_shows_record_qualification_scorecard_and_panels(org, login, deal):
    services.update_opportunity(
        deal,
        by=org.rep,
        expected_version=deal.version,
        products="5G 核心网",
        decision_who="王总",
        element_trust="ahead",
    )
    services.log_objection(deal, kind="no_money", said="今年预算已用完", by=org.rep)
    services.add_competitor(deal, name="华为", strengths="价格低", by=org.rep)
    services.add_decision_factor(deal, name="交付周期", by=org.rep)
    services.record_evaluation(deal, answers={1: "yes", 2: "unsure"}, by=org.rep)
    page = login(org.rep).get(detail(deal)).content.decode()
    assert "核心网扩容项目" in page
    assert "5G 核心网" in page and "王总" in page
    assert "今年预算已用完" in page and "华为" in page and "交付周期" in page
    assert 'data-testid="score-total">3 / 40' in page
    assert 'data-testid="gate-project">3 / 10' in page
    assert reverse("stakeholders:opportunity_panel", args=[deal.pk]) in page
    assert 'data-testid="move-form"' in page


def test_another_teams_deal_is_not_found_and_finance_reads_without_forms(org, login, deal):
    assert login(org.north_rep).get(detail(deal)).status_code == 404
    assert login(org.north_rep).post(reverse("pipeline:move", args=[deal.pk])).status_code == 404
    page = login(org.finance).get(detail(deal))
    assert page.status_code == 200
    assert 'data-testid="move-form"' not in page.content.decode()
    assert login(org.finance).post(reverse("pipeline:move", args=[deal.pk])).status_code == 403


def test_page_queries_do_not_grow_with_history_and_objections(
    org, login, deal, django_assert_max_num_queries
):
    client = login(org.rep)
    with CaptureQueriesContext(connection) as few:
        assert client.get(detail(deal)).status_code == 200
    for number in range(15):
        services.log_objection(deal, kind="no_hurry", said=f"异议{number}", by=org.rep)
        services.add_competitor(deal, name=f"对手{number}", by=org.rep)
        services.add_decision_factor(deal, name=f"因素{number}", by=org.rep)
        services.record_evaluation(deal, answers={1: "yes"}, by=org.rep)
        services.update_opportunity(
            deal, by=org.rep, expected_version=deal.version, amount=Decimal(1000 + number)
        )
    qualify(deal)
    deal.refresh_from_db()
    walk_to(deal, "use", by=org.rep)
    assert StageChange.objects.filter(opportunity=deal).count() == 2
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(detail(deal)).content.decode()
    assert "异议14" in page and "对手14" in page


def test_stage_history_shows_who_moved_and_time_in_stage(org, login, deal):
    StageChange.objects.filter(opportunity=deal).update(
        changed_at=timezone.now() - timedelta(days=12)
    )
    qualify(deal)
    deal.refresh_from_db()
    walk_to(deal, "brewing", by=org.rep)
    client = login(english(org.rep))
    response = client.get(detail(deal))
    history = response.context["history"]
    assert [spell.change.to_stage.key for spell in history] == ["brewing", "interest"]
    assert history[1].days == 12
    assert "In this stage for 0 days." in response.content.decode()


# --- editing the record ------------------------------------------------------------------


def form_data(opportunity: Opportunity | None = None, **changes):  # type: ignore[no-untyped-def]
    data = {
        "name": "新项目",
        "amount": "300000",
        "currency": "CNY",
        "exchange_rate": "1",
        "expected_close_date": (timezone.localdate() + timedelta(days=40)).isoformat(),
        "forecast_category": "pipeline",
        "competition_status": "unknown",
        "element_value": "unknown",
        "element_need": "unknown",
        "element_price": "unknown",
        "element_trust": "unknown",
        "element_experience": "unknown",
    }
    if opportunity is not None:
        data.update(
            name=opportunity.name,
            amount=str(opportunity.amount),
            owner=str(opportunity.owner_id),
            version=str(opportunity.version),
        )
    data.update(changes)
    return data


def test_a_rep_opens_a_deal_on_their_account_with_a_team(org, login):
    account = AccountFactory(owner=org.rep)
    client = login(org.rep)
    data = form_data(account=account.pk, owner=org.rep.pk, team=[org.rep2.pk])
    response = client.post(reverse("pipeline:create"), data)
    opportunity = Opportunity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(opportunity)
    assert opportunity.stage.key == "interest"
    assert list(opportunity.team.all()) == [org.rep2]
    assert StageChange.objects.filter(opportunity=opportunity).count() == 1


def test_a_negative_amount_is_refused_and_what_was_typed_stays(org, login):
    account = AccountFactory(owner=org.rep)
    client = login(english(org.rep))
    data = form_data(account=account.pk, owner=org.rep.pk, amount="-5", products="路由器")
    response = client.post(reverse("pipeline:create"), data)
    assert response.status_code == 200
    assert not Opportunity.objects.exists()
    page = response.content.decode()
    assert "路由器" in page
    assert response.context["form"].errors["amount"]


def test_an_open_deal_cannot_close_in_the_distant_past(org, login, deal):
    client = login(english(org.rep))
    past = (timezone.localdate() - timedelta(days=365)).isoformat()
    response = client.post(
        reverse("pipeline:edit", args=[deal.pk]), form_data(deal, expected_close_date=past)
    )
    assert "An open deal cannot be expected to close in the distant past" in (
        response.content.decode()
    )
    deal.refresh_from_db()
    assert deal.expected_close_date > timezone.localdate()


def test_an_edit_keeps_history_and_a_stale_edit_is_a_conflict_nothing_lost(org, login, deal):
    client = login(org.rep)
    stale = form_data(deal, amount="800000", source="展会")
    response = client.post(
        reverse("pipeline:edit", args=[deal.pk]), form_data(deal, amount="600000")
    )
    assert response.status_code == 302
    (change,) = [c for c in field_history(deal) if c.field == "amount"]
    assert (change.old_value, change.new_value, change.changed_by) == (
        "500,000",
        "600,000",
        org.rep,
    )
    response = client.post(reverse("pipeline:edit", args=[deal.pk]), stale)
    page = response.content.decode()
    assert "在您编辑期间，此记录已被他人修改" in page
    assert "展会" in page and "800000" in page
    deal.refresh_from_db()
    assert deal.amount == Decimal("600000")
    # the form now carries the current version: saving again applies the edit on purpose
    again = response.context["form"].data.copy()
    assert client.post(reverse("pipeline:edit", args=[deal.pk]), again).status_code == 302
    deal.refresh_from_db()
    assert deal.amount == Decimal("800000") and deal.source == "展会"


# --- stage moves from the page -----------------------------------------------------------


def move(client, opportunity, key, **extra):  # type: ignore[no-untyped-def]
    data = {"to_stage": stage(key).pk, "version": opportunity.version, **extra}
    return client.post(reverse("pipeline:move", args=[opportunity.pk]), data)


def test_moving_forward_asks_for_the_exit_criteria_of_the_stage_left(org, login, deal):
    client = login(english(org.rep))
    response = move(client, deal, "brewing")
    assert response.status_code == 400
    assert "Confirm the exit criteria of the stage being left first" in response.content.decode()
    deal.refresh_from_db()
    assert deal.stage.key == "interest"
    response = move(client, deal, "brewing", confirm_exit="on")
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.stage.key == "brewing"
    change = StageChange.objects.filter(opportunity=deal).last()
    assert change is not None and stage("interest").exit_criteria_en in (
        change.exit_criteria_confirmed
    )


def test_an_unqualified_deal_stops_at_the_second_stage_unless_a_manager_overrides(org, login, deal):
    rep = login(english(org.rep))
    response = move(rep, deal, "design", confirm_exit="on", override_reason="老客户")
    assert "it cannot pass the second stage" in response.content.decode()
    deal.refresh_from_db()
    assert deal.stage.key == "interest"
    manager = login(english(org.east_manager))
    page = manager.get(detail(deal)).content.decode()
    assert 'name="override_reason"' in page
    response = move(manager, deal, "design", confirm_exit="on", override_reason="战略客户")
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.stage.key == "design"
    assert deal.qualification_override_by == org.east_manager
    assert "战略客户" in manager.get(detail(deal)).content.decode()


def test_two_people_moving_at_once_the_second_gets_a_conflict(org, login, deal):
    qualify(deal)
    deal.refresh_from_db()
    loaded_version = deal.version
    walk_to(deal, "brewing", by=org.east_manager)
    client = login(org.rep)
    response = client.post(
        reverse("pipeline:move", args=[deal.pk]),
        {"to_stage": stage("design").pk, "version": loaded_version, "confirm_exit": "on"},
    )
    assert response.status_code == 400
    assert "在您编辑期间，此记录已被他人修改" in response.content.decode()
    deal.refresh_from_db()
    assert deal.stage.key == "brewing"


# --- outcome, scorecard, objections ------------------------------------------------------


def test_lost_needs_the_winner_then_reopening_is_recorded(org, login, deal):
    client = login(english(org.rep))
    url = reverse("pipeline:close", args=[deal.pk])
    response = client.post(url, {"status": "lost", "reason": "价格", "version": deal.version})
    assert "Name the competitor who won" in response.content.decode()
    response = client.post(
        url,
        {
            "status": "lost",
            "reason": "价格",
            "winning_competitor": "中兴",
            "version": deal.version,
        },
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert (deal.status, deal.winning_competitor) == (Status.LOST, "中兴")
    page = client.get(detail(deal)).content.decode()
    assert "中兴" in page and 'data-testid="reopen-form"' in page
    response = client.post(
        reverse("pipeline:reopen", args=[deal.pk]),
        {"reason": "客户重启招标", "version": deal.version},
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.status == Status.OPEN
    assert StageChange.objects.filter(opportunity=deal, note="客户重启招标").exists()


def test_re_evaluating_keeps_history_and_a_blank_pass_is_refused(org, login, deal):
    client = login(english(org.rep))
    url = reverse("pipeline:evaluate", args=[deal.pk])
    response = client.post(url, {})
    assert response.status_code == 400
    assert "Answer at least one of the twenty questions." in response.content.decode()
    client.post(url, {"q1": "yes", "n1": "业务压力大", "q16": "yes"})
    client.post(url, {f"q{n}": "yes" for n in range(1, 21)})
    assert [e.total_score for e in Evaluation.objects.order_by("pk")] == [4, 40]
    response = client.get(detail(deal))
    assert [e.total_score for e in response.context["evaluations"]] == [40, 4]
    assert 'data-testid="score-total">40 / 40' in response.content.decode()


def test_objections_competitors_and_factors_are_logged_and_answered(org, login, deal):
    client = login(org.rep)
    client.post(
        reverse("pipeline:objection_add", args=[deal.pk]),
        {"kind": "no_trust", "said": "没用过你们的产品"},
    )
    objection = Objection.objects.get()
    assert objection.raised_on == timezone.localdate() and not objection.resolved
    client.post(
        reverse("pipeline:objection_update", args=[deal.pk, objection.pk]),
        {"response": "安排参观样板客户", "resolved": "on"},
    )
    objection.refresh_from_db()
    assert objection.resolved and objection.response == "安排参观样板客户"
    client.post(
        reverse("pipeline:competitor_add", args=[deal.pk]), {"name": "思科", "standing": "behind"}
    )
    client.post(
        reverse("pipeline:factor_add", args=[deal.pk]),
        {
            "name": "价格",
            "factor_type": "business",
            "scope": "customer",
            "priority": "1",
            "standing": "even",
        },
    )
    competitor = OpportunityCompetitor.objects.get()
    factor = DecisionFactor.objects.get()
    deal.refresh_from_db()
    assert deal.competition_status == "present"
    client.post(reverse("pipeline:competitor_remove", args=[deal.pk, competitor.pk]))
    client.post(reverse("pipeline:factor_remove", args=[deal.pk, factor.pk]))
    assert not OpportunityCompetitor.objects.exists() and not DecisionFactor.objects.exists()
    bad = client.post(reverse("pipeline:objection_add", args=[deal.pk]), {"kind": "no_trust"})
    assert bad.status_code == 400 and Objection.objects.count() == 1


# --- the list -------------------------------------------------------------------------------


def test_list_filters_by_stage_owner_team_account_and_close_range(org, login):
    mine = new_opportunity(AccountFactory(owner=org.rep), name="甲项目")
    theirs = new_opportunity(
        AccountFactory(owner=org.rep2),
        name="乙项目",
        owner=org.rep2,
        expected_close_date=timezone.localdate() + timedelta(days=200),
    )
    qualify(theirs)
    theirs.refresh_from_db()
    walk_to(theirs, "brewing", by=org.east_manager)
    north = new_opportunity(AccountFactory(owner=org.north_rep), name="丙项目")
    client = login(org.east_manager)

    def names(**params):  # type: ignore[no-untyped-def]
        response = client.get(reverse("pipeline:list"), params)
        return sorted(o.name for o in response.context["listing"].rows)

    assert names() == ["乙项目", "甲项目"]
    assert names(stage=stage("brewing").pk) == ["乙项目"]
    assert names(owner=org.rep.pk) == ["甲项目"]
    assert names(team=org.shanghai.pk) == ["乙项目", "甲项目"]
    assert names(team=org.north.pk) == []
    assert names(account=mine.account_id) == ["甲项目"]
    far = (timezone.localdate() + timedelta(days=100)).isoformat()
    assert names(close_from=far) == ["乙项目"]
    assert names(close_to=far) == ["甲项目"]
    assert names(status="won") == []
    assert north.name not in names(status="")
    page = client.get(reverse("pipeline:list")).content.decode()
    assert detail(mine) in page and reverse("pipeline:board") in page


def test_list_sorts_by_amount(org, login):
    account = AccountFactory(owner=org.rep)
    new_opportunity(account, name="小", amount=Decimal(100))
    new_opportunity(account, name="大", amount=Decimal(900))
    rows = login(org.rep).get(reverse("pipeline:list"), {"sort": "-amount"}).context["listing"]
    assert [o.name for o in rows.rows] == ["大", "小"]


def test_account_page_panel_lists_its_deals(org, login, deal):
    url = reverse("pipeline:account_panel", args=[deal.account_id])
    page = login(org.rep).get(url).content.decode()
    assert deal.name in page and detail(deal) in page
    assert login(org.north_rep).get(url).status_code == 404


@pytest.mark.parametrize("who", ["rep", "east_manager", "director"])
def test_list_queries_do_not_grow_with_deals_and_the_page_is_in_close_date_order(
    org, login, who, django_assert_max_num_queries
):
    account = AccountFactory(owner=org.rep)
    OpportunityFactory(account=account)
    client = login(getattr(org, who))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("pipeline:list"))
    OpportunityFactory.create_batch(60, account=account)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("pipeline:list"))
    rows = list(response.context["listing"].rows)
    assert len(rows) == 50
    assert [(o.expected_close_date, o.pk) for o in rows] == sorted(
        (o.expected_close_date, o.pk) for o in rows
    )
