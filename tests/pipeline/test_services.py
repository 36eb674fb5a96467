"""The funnel's rules as a rep and a manager meet them (issue 5)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kam.core.concurrency import ConflictError
from kam.pipeline import services
from kam.pipeline.models import Opportunity, Stage, StageChange, Status
from kam.pipeline.selectors import field_history
from tests.factories import AccountFactory, UserFactory
from tests.pipeline.factories import new_opportunity, qualify, stage, walk_to

pytestmark = pytest.mark.django_db


def test_create_records_the_first_stage_change_with_the_rate_of_the_day(org):
    account = AccountFactory(owner=org.rep)
    opportunity = new_opportunity(account)
    assert opportunity.stage.key == "interest"
    change = StageChange.objects.get(opportunity=opportunity)
    assert change.from_stage is None
    assert change.to_stage.key == "interest"
    assert change.win_rate == Decimal("5")
    assert change.changed_by == org.rep
    assert opportunity.stage_entered_at is not None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": Decimal("-1")}, "amount"),
        (
            {"expected_close_date": timezone.localdate() - timedelta(days=400)},
            "expected_close_date",
        ),
        ({"currency": "usd dollars"}, "currency"),
        ({"currency": "USD", "exchange_rate": Decimal("0")}, "exchange_rate"),
        ({"name": "   "}, "name"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(org, fields, field):
    account = AccountFactory(owner=org.rep)
    with pytest.raises(ValidationError) as excinfo:
        new_opportunity(account, **fields)
    assert field in excinfo.value.message_dict
    assert not Opportunity.objects.exists()
    assert not StageChange.objects.exists()


def test_foreign_currency_keeps_its_rate_and_cny_forces_one(org):
    account = AccountFactory(owner=org.rep)
    usd = new_opportunity(
        account, currency="usd", exchange_rate=Decimal("7.1"), amount=Decimal(100)
    )
    assert usd.currency == "USD"
    assert usd.amount_cny == Decimal("710.00")
    cny = new_opportunity(account, exchange_rate=Decimal("3"))
    assert cny.exchange_rate == 1


def test_forward_move_needs_the_exit_criteria_of_the_stage_left(org):
    opportunity = new_opportunity(AccountFactory(owner=org.rep))
    with pytest.raises(ValidationError, match="exit criteria"):
        services.move_opportunity(
            opportunity, stage("brewing"), by=org.rep, expected_version=opportunity.version
        )
    opportunity.refresh_from_db()
    assert opportunity.stage.key == "interest"
    moved = services.move_opportunity(
        opportunity,
        stage("brewing"),
        by=org.rep,
        expected_version=opportunity.version,
        confirmed_exit_stages=[stage("interest").pk],
    )
    assert moved.stage.key == "brewing"
    last = StageChange.objects.filter(opportunity=opportunity).last()
    assert last.from_stage.key == "interest" and last.win_rate == Decimal("10")
    assert "purchase request" in last.exit_criteria_confirmed or last.exit_criteria_confirmed


def test_skipping_stages_needs_every_exit_criterion(org):
    opportunity = qualify(new_opportunity(AccountFactory(owner=org.rep)))
    with pytest.raises(ValidationError):
        services.move_opportunity(
            opportunity,
            stage("design"),
            by=org.rep,
            expected_version=opportunity.version,
            confirmed_exit_stages=[stage("interest").pk],
        )
    assert walk_to(opportunity, "design").stage.key == "design"


def test_moving_back_needs_no_confirmation(org):
    opportunity = walk_to(new_opportunity(AccountFactory(owner=org.rep)), "brewing")
    moved = services.move_opportunity(
        opportunity, stage("interest"), by=org.rep, expected_version=opportunity.version
    )
    assert moved.stage.key == "interest"


def test_a_stage_of_another_model_is_refused(org):
    opportunity = new_opportunity(AccountFactory(owner=org.rep))
    other = Stage.objects.get(model__key="consultative", key="demand")
    with pytest.raises(ValidationError, match="another stage model"):
        services.move_opportunity(
            opportunity,
            other,
            by=org.rep,
            expected_version=opportunity.version,
            confirmed_exit_stages=[stage("interest").pk],
        )


def test_unqualified_cannot_pass_the_second_stage_without_a_manager_override(org):
    account = AccountFactory(owner=org.rep)
    opportunity = walk_to(new_opportunity(account), "brewing")
    with pytest.raises(ValidationError, match="not qualified"):
        walk_to(opportunity, "design")
    opportunity.refresh_from_db()
    assert opportunity.stage.key == "brewing"
    # A rep's reason is not enough
    with pytest.raises(ValidationError, match="not qualified"):
        services.move_opportunity(
            opportunity,
            stage("design"),
            by=org.rep,
            expected_version=opportunity.version,
            confirmed_exit_stages=[stage("brewing").pk],
            override_reason="客户很重要",
        )
    # The manager overrides with a reason; it is kept
    moved = services.move_opportunity(
        opportunity,
        stage("design"),
        by=org.east_manager,
        expected_version=opportunity.version,
        confirmed_exit_stages=[stage("brewing").pk],
        override_reason="战略客户，预算下季度落实",
    )
    assert moved.stage.key == "design"
    assert moved.qualification_override_by == org.east_manager
    assert StageChange.objects.filter(opportunity=opportunity).last().note.startswith("战略")


def test_qualified_passes_the_second_stage(org):
    opportunity = qualify(new_opportunity(AccountFactory(owner=org.rep)))
    assert walk_to(opportunity, "comparison").stage.key == "comparison"


def test_two_people_moving_one_card_the_second_gets_a_conflict(org):
    opportunity = new_opportunity(AccountFactory(owner=org.rep))
    loaded_version = opportunity.version
    first = Opportunity.objects.get(pk=opportunity.pk)
    second = Opportunity.objects.get(pk=opportunity.pk)
    services.move_opportunity(
        first,
        stage("brewing"),
        by=org.rep,
        expected_version=loaded_version,
        confirmed_exit_stages=[stage("interest").pk],
    )
    with pytest.raises(ConflictError):
        services.move_opportunity(
            second,
            stage("brewing"),
            by=org.east_manager,
            expected_version=loaded_version,
            confirmed_exit_stages=[stage("interest").pk],
        )
    assert StageChange.objects.filter(opportunity=opportunity).count() == 2


def test_edits_of_amount_close_date_and_owner_are_kept_with_who_and_when(org):
    opportunity = new_opportunity(AccountFactory(owner=org.rep))
    services.update_opportunity(
        opportunity,
        by=org.rep,
        expected_version=opportunity.version,
        amount=Decimal("650000"),
        expected_close_date=timezone.localdate() + timedelta(days=90),
        owner=org.rep2,
        goals="降低运维成本",
    )
    changes = {c.field: c for c in field_history(opportunity)}
    assert set(changes) == {"amount", "expected_close_date", "owner"}
    assert changes["amount"].old_value == "500,000" and changes["amount"].new_value == "650,000"
    assert changes["owner"].new_value == str(org.rep2)
    assert all(c.changed_by == org.rep for c in changes.values())


def test_stale_edit_is_refused(org):
    opportunity = new_opportunity(AccountFactory(owner=org.rep))
    stale = Opportunity.objects.get(pk=opportunity.pk)
    services.update_opportunity(
        opportunity, by=org.rep, expected_version=opportunity.version, amount=Decimal(1)
    )
    with pytest.raises(ConflictError):
        services.update_opportunity(
            stale, by=org.rep, expected_version=stale.version, amount=Decimal(2)
        )
    opportunity.refresh_from_db()
    assert opportunity.amount == Decimal(1)


def test_finance_cannot_edit(org):
    opportunity = new_opportunity(AccountFactory(owner=org.rep))
    with pytest.raises(ValidationError):
        services.update_opportunity(
            opportunity, by=org.finance, expected_version=opportunity.version, amount=Decimal(1)
        )


def test_lost_needs_reason_and_winner_and_reopen_is_recorded(org):
    opportunity = new_opportunity(AccountFactory(owner=org.rep))
    with pytest.raises(ValidationError):
        services.close_opportunity(
            opportunity,
            status=Status.LOST,
            by=org.rep,
            expected_version=opportunity.version,
            reason="价格太高",
        )
    closed = services.close_opportunity(
        opportunity,
        status=Status.LOST,
        by=org.rep,
        expected_version=opportunity.version,
        reason="价格太高",
        winning_competitor="华为",
    )
    assert closed.status == Status.LOST and closed.winning_competitor == "华为"
    assert closed.closed_on == timezone.localdate()
    with pytest.raises(ValidationError):
        services.move_opportunity(
            closed, stage("brewing"), by=org.rep, expected_version=closed.version
        )
    reopened = services.reopen_opportunity(
        closed, by=org.rep, expected_version=closed.version, reason="客户重新招标"
    )
    assert reopened.status == Status.OPEN and reopened.closed_on is None
    statuses = list(
        StageChange.objects.filter(opportunity=opportunity).values_list("status", flat=True)
    )
    assert statuses == [Status.OPEN, Status.LOST, Status.OPEN]


def test_won_needs_a_reason(org):
    opportunity = new_opportunity(AccountFactory(owner=org.rep))
    with pytest.raises(ValidationError):
        services.close_opportunity(
            opportunity, status=Status.WON, by=org.rep, expected_version=opportunity.version
        )
    won = services.close_opportunity(
        opportunity,
        status=Status.WON,
        by=org.rep,
        expected_version=opportunity.version,
        reason="方案最优",
    )
    assert won.status == Status.WON and won.winning_competitor == ""


def test_changing_a_rate_never_rewrites_history(org):
    opportunity = walk_to(qualify(new_opportunity(AccountFactory(owner=org.rep))), "brewing")
    services.update_stage(stage("brewing"), by=org.admin, win_rate=Decimal("15"))
    change = StageChange.objects.filter(opportunity=opportunity).last()
    assert change.win_rate == Decimal("10")
    assert stage("brewing").win_rate == Decimal("15")
    with pytest.raises(ValidationError):
        services.update_stage(stage("brewing"), by=org.east_manager, win_rate=Decimal("20"))


def test_rep_of_another_team_cannot_create_here(org):
    account = AccountFactory(owner=org.rep)
    with pytest.raises(ValidationError):
        new_opportunity(account, by=org.north_rep)


def test_adding_a_competitor_marks_competition_present(org):
    opportunity = new_opportunity(AccountFactory(owner=org.rep))
    assert opportunity.competition_status == "unknown"
    services.add_competitor(opportunity, name="华为", by=org.rep, strengths="品牌", weaknesses="贵")
    opportunity.refresh_from_db()
    assert opportunity.competition_status == "present"
    assert opportunity.competitors.get().strengths == "品牌"


def test_small_sale_must_be_below_the_threshold(org):
    account = AccountFactory(owner=org.rep)
    with pytest.raises(ValidationError, match="funnel"):
        services.record_small_sale(
            account=account,
            owner=org.rep,
            description="备件",
            amount=Decimal("50000"),
            sold_on=timezone.localdate(),
            by=org.rep,
        )
    sale = services.record_small_sale(
        account=account,
        owner=org.rep,
        description="备件",
        amount=Decimal("49999"),
        sold_on=timezone.localdate(),
        by=org.rep,
    )
    assert sale.pk
    services.update_pipeline_settings(
        by=org.admin, small_sale_threshold=Decimal(100000), stall_days=20
    )
    with pytest.raises(ValidationError):
        services.update_pipeline_settings(
            by=org.rep, small_sale_threshold=Decimal(1), stall_days=20
        )


def test_evaluation_scores_and_history(org):
    opportunity = new_opportunity(AccountFactory(owner=org.rep))
    first = services.record_evaluation(
        opportunity, answers={1: "yes", 2: "unsure", 16: "no"}, notes={1: "成本压力"}, by=org.rep
    )
    assert (first.project_score, first.worth_score, first.total_score) == (3, 0, 3)
    assert first.answers["1"] == {"answer": "yes", "note": "成本压力"}
    second = services.record_evaluation(
        opportunity, answers={n: "yes" for n in range(1, 21)}, by=org.rep
    )
    assert second.total_score == 40
    assert opportunity.evaluations.count() == 2
    with pytest.raises(ValidationError):
        services.record_evaluation(opportunity, answers={1: "maybe"}, by=org.rep)
    with pytest.raises(ValidationError):
        services.record_evaluation(opportunity, answers={}, by=org.rep)


def test_objection_needs_what_was_said(org):
    opportunity = new_opportunity(AccountFactory(owner=org.rep))
    with pytest.raises(ValidationError):
        services.log_objection(opportunity, kind="no_money", said=" ", by=org.rep)
    with pytest.raises(ValidationError):
        services.log_objection(opportunity, kind="bogus", said="太贵", by=org.rep)
    objection = services.log_objection(opportunity, kind="no_money", said="今年没预算", by=org.rep)
    services.update_objection(objection, by=org.rep, response="分期付款方案", resolved=True)
    objection.refresh_from_db()
    assert objection.resolved and objection.response == "分期付款方案"


def test_team_members_are_kept(org):
    member = UserFactory(team=org.shanghai)
    opportunity = new_opportunity(AccountFactory(owner=org.rep), team=[member])
    assert list(opportunity.team.all()) == [member]
