"""The audit rows of a deal's life: its first values, its moves, its close and reopening."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kam.core.models import AuditEvent
from kam.pipeline import services
from kam.pipeline.models import PipelineSettings, StageModel, Status
from kam.pipeline.selectors import field_history
from tests.factories import AccountFactory
from tests.pipeline.factories import new_opportunity, stage

pytestmark = pytest.mark.django_db


def last_event(instance) -> AuditEvent:  # type: ignore[no-untyped-def]
    return AuditEvent.objects.filter(object_id=str(instance.pk)).latest("pk")


def test_a_new_deal_is_recorded_with_all_its_first_values(org):
    account = AccountFactory(owner=org.rep)
    opportunity = new_opportunity(account, description="扩容二期")
    created = last_event(opportunity)
    assert (created.action, created.actor) == (AuditEvent.Action.CREATE, org.rep)
    assert created.changes["name"] == "核心网扩容项目"
    assert created.changes["amount"] == "500000"
    assert created.changes["account_id"] == account.pk
    assert created.changes["stage_id"] == stage("interest").pk
    assert created.changes["description"] == "扩容二期"
    assert created.changes["expected_close_date"] == opportunity.expected_close_date.isoformat()


def test_a_move_records_the_stage_and_when_it_was_entered(org):
    opportunity = new_opportunity(AccountFactory(owner=org.rep))
    entered = opportunity.stage_entered_at
    services.move_opportunity(
        opportunity,
        stage("brewing"),
        by=org.rep,
        expected_version=opportunity.version,
        confirmed_exit_stages=[stage("interest").pk],
    )
    moved = last_event(opportunity)
    assert moved.action == AuditEvent.Action.UPDATE
    assert moved.changes["stage_id"] == [stage("interest").pk, stage("brewing").pk]
    assert moved.changes["stage_entered_at"][0] == entered.isoformat()


def test_closing_and_reopening_record_what_changed_and_why(org):
    opportunity = new_opportunity(AccountFactory(owner=org.rep))
    services.close_opportunity(
        opportunity,
        status=Status.LOST,
        by=org.rep,
        expected_version=opportunity.version,
        reason="价格太高",
        winning_competitor="华为",
    )
    closed = last_event(opportunity).changes
    assert closed["status"] == [Status.OPEN, Status.LOST]
    assert closed["close_reason"] == ["", "价格太高"]
    assert closed["winning_competitor"] == ["", "华为"]
    assert closed["closed_on"] == [None, timezone.localdate().isoformat()]

    # Closed long ago: reopening moves the expected close date out of the past.
    opportunity.expected_close_date = timezone.localdate() - timedelta(days=3)
    opportunity.save(update_fields=["expected_close_date"])
    services.reopen_opportunity(
        opportunity, by=org.rep, expected_version=opportunity.version, reason="客户重新招标"
    )
    reopened = last_event(opportunity).changes
    assert reopened["status"] == [Status.LOST, Status.OPEN]
    assert reopened["reopen_reason"] == ["", "客户重新招标"]
    assert reopened["closed_on"] == [timezone.localdate().isoformat(), None]
    new_date = (timezone.localdate() + timedelta(days=30)).isoformat()
    assert reopened["expected_close_date"][1] == new_date
    # The deal page's changes to the record show the date the reopening set.
    assert field_history(opportunity)[0].field == "expected_close_date"


def test_an_off_funnel_sale_and_a_new_stage_are_recorded_with_their_values(org):
    account = AccountFactory(owner=org.rep)
    sale = services.record_small_sale(
        account=account,
        owner=org.rep,
        description="备件",
        amount=Decimal("1200"),
        sold_on=timezone.localdate(),
        by=org.rep,
    )
    created = last_event(sale).changes
    assert (created["description"], created["amount"]) == ("备件", "1200")
    assert created["account_id"] == account.pk

    added = services.add_stage(
        stage("interest").model,
        by=org.admin,
        key="pilot",
        name_zh="试点",
        name_en="Pilot",
        win_rate=Decimal(30),
    )
    created = last_event(added)
    assert created.object_type == "pipeline.stage"
    assert (created.changes["key"], created.changes["name_zh"]) == ("pilot", "试点")


def test_the_deal_room_records_each_entry_with_its_values(org):
    opportunity = new_opportunity(AccountFactory(owner=org.rep))
    evaluation = services.record_evaluation(
        opportunity, answers={1: "yes", 2: "unsure"}, notes={1: "成本压力"}, by=org.rep
    )
    scored = last_event(evaluation)
    assert (scored.action, scored.object_type) == (AuditEvent.Action.CREATE, "pipeline.evaluation")
    assert (scored.changes["total_score"], scored.changes["project_score"]) == (3, 3)
    assert scored.changes["answers"]["1"] == {"answer": "yes", "note": "成本压力"}

    competitor = services.add_competitor(opportunity, name="华为", by=org.rep, strengths="品牌")
    added = last_event(competitor)
    assert (added.action, added.changes["name"], added.changes["strengths"]) == (
        AuditEvent.Action.CREATE,
        "华为",
        "品牌",
    )
    assert added.changes["opportunity_id"] == opportunity.pk
    pk = competitor.pk
    services.remove_competitor(competitor, by=org.rep)
    removed = AuditEvent.objects.filter(
        object_type="pipeline.opportunitycompetitor", object_id=str(pk)
    ).latest("pk")
    assert (removed.action, removed.changes["name"]) == (AuditEvent.Action.DELETE, "华为")

    factor = services.add_decision_factor(opportunity, name="交付周期", by=org.rep, priority=1)
    assert (last_event(factor).changes["name"], last_event(factor).changes["priority"]) == (
        "交付周期",
        1,
    )
    pk = factor.pk
    services.remove_decision_factor(factor, by=org.rep)
    removed = AuditEvent.objects.filter(
        object_type="pipeline.decisionfactor", object_id=str(pk)
    ).latest("pk")
    assert (removed.action, removed.changes["name"]) == (AuditEvent.Action.DELETE, "交付周期")

    objection = services.log_objection(opportunity, kind="no_money", said="今年没预算", by=org.rep)
    logged = last_event(objection)
    assert logged.object_type == "pipeline.objection"
    assert (logged.changes["kind"], logged.changes["said"]) == ("no_money", "今年没预算")
    assert logged.changes["created_by_id"] == org.rep.pk


def test_the_funnel_settings_record_their_fields_and_gate_stages_in_one_row(org):
    row = PipelineSettings.current()
    commitment = StageModel.objects.get(key="purchase").stages.get(key="commitment")
    old = sorted(row.worth_gate_stages.values_list("pk", flat=True))
    services.update_pipeline_settings(
        by=org.admin,
        small_sale_threshold=row.small_sale_threshold,
        stall_days=row.stall_days + 5,
        worth_gate_stages=[commitment],
    )
    (saved,) = AuditEvent.objects.filter(object_type="pipeline.pipelinesettings")
    assert saved.changes["stall_days"] == [row.stall_days, row.stall_days + 5]
    assert saved.changes["worth_gate_stages"] == [old, [commitment.pk]]
