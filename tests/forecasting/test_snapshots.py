"""The weekly pipeline snapshot: what it records, once per week, by service, command and task."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from kam.forecasting import tasks
from kam.forecasting.models import PipelineSnapshot, SnapshotWeek
from kam.forecasting.periods import Week
from kam.forecasting.services import last_completed_week, take_snapshot
from kam.pipeline.models import Status
from tests.forecasting.factories import AccountFactory, deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def deals(org):
    account = AccountFactory(owner=org.rep)
    open_deal = deal(account, "1000000.01", "comparison", close=date(2026, 12, 31))
    deal(account, "500", "use", close=date(2026, 12, 1))
    deal(account, "800", status=Status.WON, closed_on=date(2026, 11, 2))
    return open_deal


def test_records_each_open_opportunity_with_its_weighted_value(org, deals):
    marker, created = take_snapshot(date(2026, 11, 19), today=date(2026, 11, 25))
    assert created and marker.week == date(2026, 11, 16) and marker.opportunities == 2
    row = PipelineSnapshot.objects.get(opportunity=deals)
    assert row.week == date(2026, 11, 16)
    assert row.stage == deals.stage and row.stage_order == deals.stage.order
    assert row.amount == Decimal("1000000.01")
    assert row.expected_close_date == date(2026, 12, 31)
    assert row.weighted == Decimal("300000.003")
    assert row.owner == org.rep and row.team == org.shanghai


def test_running_twice_for_one_week_records_nothing_twice(org, deals):
    take_snapshot(date(2026, 11, 16), today=date(2026, 11, 25))
    deal(deals.account, "7", "interest")
    marker, created = take_snapshot(date(2026, 11, 22), today=date(2026, 11, 25))
    assert not created and marker.opportunities == 2
    assert PipelineSnapshot.objects.count() == 2
    assert SnapshotWeek.objects.count() == 1


def test_a_week_without_open_deals_is_still_marked_done(db):
    marker, created = take_snapshot(date(2026, 11, 18), today=date(2026, 11, 25))
    assert created and marker.opportunities == 0
    assert not take_snapshot(date(2026, 11, 18), today=date(2026, 11, 25))[1]


def test_a_future_week_is_refused(org, deals):
    with pytest.raises(ValidationError, match="has not started yet"):
        take_snapshot(date(2026, 12, 7), today=date(2026, 11, 25))
    assert not SnapshotWeek.objects.exists()


def test_a_week_long_over_is_refused(org, deals):
    with pytest.raises(ValidationError, match="is over"):
        take_snapshot(date(2026, 11, 13), today=date(2026, 11, 25))
    assert not SnapshotWeek.objects.exists()


def test_command_and_task(org, deals):
    out = StringIO()
    today = date.today().isoformat()
    call_command("snapshot", "--week", today, stdout=out)
    assert "2 opportunities recorded" in out.getvalue()
    call_command("snapshot", "--week", today, stdout=out)
    assert "already recorded" in out.getvalue()
    with pytest.raises(CommandError, match="not a date"):
        call_command("snapshot", "--week", "next week")
    with pytest.raises(CommandError, match="has not started yet"):
        call_command("snapshot", "--week", "2999-01-01")
    assert tasks.take_weekly_snapshot.call() == 2
    assert SnapshotWeek.objects.filter(week=last_completed_week().monday, opportunities=2).exists()
    assert tasks.take_weekly_snapshot.call() == 0


def test_by_default_the_last_completed_week_is_recorded(org, deals):
    assert last_completed_week(date(2026, 11, 23)) == Week(date(2026, 11, 16))
    assert last_completed_week(date(2026, 11, 22)) == Week(date(2026, 11, 9))
    call_command("snapshot", stdout=StringIO())
    assert SnapshotWeek.objects.get().week == last_completed_week().monday
