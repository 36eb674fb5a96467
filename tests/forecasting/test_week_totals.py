"""The weekly totals give what the snapshot rows give, are written once, and fill in old weeks."""

from __future__ import annotations

import importlib
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kam.forecasting import progress, snapshots
from kam.forecasting.models import PipelineSnapshot, PipelineWeekTotal, SnapshotWeek
from kam.forecasting.periods import Week
from kam.forecasting.progress import progress_weeks, week_changes
from kam.forecasting.scopes import resolve_scope
from kam.forecasting.services import take_snapshot
from kam.pipeline.models import Status
from tests.factories import default_stage
from tests.forecasting.factories import STAGE_KEYS, AccountFactory, deal

pytestmark = pytest.mark.django_db

WEEK1 = Week(date(2026, 9, 21))  # ends in Q3; the week after is Q4's first full week
WEEK2 = WEEK1.next()
TODAY = WEEK2.sunday + timedelta(days=1)


def _raw(monkeypatch: pytest.MonkeyPatch, read, *args, **kwargs):  # type: ignore[no-untyped-def]
    """What ``read`` answers from the snapshot rows themselves, without the totals."""
    with monkeypatch.context() as patch:
        patch.setattr(progress, "reads_totals", lambda user, scope: False)
        return read(*args, **kwargs)


def _total_columns() -> dict[str, int]:
    names = [f.name for f in PipelineWeekTotal._meta.fields if f.name.endswith(("count", "cents"))]
    return dict(PipelineWeekTotal.objects.aggregate(**{n: Sum(n) for n in ["deals", *names]}))


deal_plans = st.lists(
    st.tuples(
        st.sampled_from(["rep", "rep2", "north_rep"]),
        st.integers(0, len(STAGE_KEYS) - 1),  # stage in week 1
        st.integers(1, 10_000_000).map(lambda c: Decimal(c) / 100),  # amount, to the cent
        st.integers(-40, 400),  # close date, days after week 1's Sunday
        st.sampled_from(["keep", "forward", "back", "push", "pull", "up", "down", "won", "lost"]),
        st.booleans(),  # opened only after week 1
    ),
    max_size=12,
)


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plans=deal_plans)
def test_totals_answer_what_the_rows_answer(org, monkeypatch, plans):  # type: ignore[no-untyped-def]
    with transaction.atomic():
        accounts = {
            name: AccountFactory(owner=getattr(org, name)) for name in ("rep", "rep2", "north_rep")
        }
        later = []
        for owner, stage, amount, close_in, change, opened_later in plans:
            close = WEEK1.sunday + timedelta(days=close_in)
            if opened_later:
                later.append((accounts[owner], str(amount), STAGE_KEYS[stage], close))
                continue
            d = deal(accounts[owner], str(amount), STAGE_KEYS[stage], close=close)
            later.append((d, change))
        take_snapshot(WEEK1.sunday, today=WEEK2.monday)
        for item in later:
            if len(item) == 4:
                deal(item[0], item[1], item[2], close=item[3])
                continue
            d, change = item
            order = STAGE_KEYS.index(d.stage.key)
            if change == "forward":
                d.stage = default_stage(STAGE_KEYS[min(order + 1, len(STAGE_KEYS) - 1)])
            elif change == "back":
                d.stage = default_stage(STAGE_KEYS[max(order - 1, 0)])
            elif change == "push":
                d.expected_close_date += timedelta(days=31)
            elif change == "pull":
                d.expected_close_date -= timedelta(days=45)
            elif change == "up":
                d.amount += Decimal("1234.56")
            elif change == "down":
                d.amount = (d.amount / 3).quantize(Decimal("0.01"))
            elif change in ("won", "lost"):
                d.status = Status.WON if change == "won" else Status.LOST
                d.closed_on = WEEK2.monday + timedelta(days=2)
            d.save()
        take_snapshot(WEEK2.sunday, today=TODAY)
        for key in ("company", f"team:{org.east.pk}", f"team:{org.shanghai.pk}"):
            scope = resolve_scope(org.director, key)
            assert progress.reads_totals(org.director, scope)
            from_totals = progress_weeks(org.director, scope, until=WEEK2)
            assert from_totals == _raw(
                monkeypatch, progress_weeks, org.director, scope, until=WEEK2
            )
            changes = week_changes(org.director, scope, WEEK2)
            assert changes == _raw(monkeypatch, week_changes, org.director, scope, WEEK2)
        transaction.set_rollback(True)


def test_only_viewers_who_see_every_account_read_the_totals(org):  # type: ignore[no-untyped-def]
    company = resolve_scope(org.director, "company")
    assert progress.reads_totals(org.director, company)
    assert progress.reads_totals(org.finance, resolve_scope(org.finance, "company"))
    assert not progress.reads_totals(org.director, resolve_scope(org.director, f"rep:{org.rep.pk}"))
    assert not progress.reads_totals(org.east_manager, resolve_scope(org.east_manager, "company"))
    assert not progress.reads_totals(org.rep, resolve_scope(org.rep, "company"))


@pytest.fixture
def two_weeks(org):  # type: ignore[no-untyped-def]
    account = AccountFactory(owner=org.rep)
    a = deal(account, "1000", "comparison", close=date(2026, 12, 15))
    deal(account, "500", "use", close=date(2026, 10, 1))
    deal(AccountFactory(owner=org.north_rep), "200", "interest", close=date(2027, 3, 1))
    take_snapshot(WEEK1.sunday, today=WEEK2.monday)
    a.amount = Decimal("1500")
    a.save()
    take_snapshot(WEEK2.sunday, today=TODAY)
    return a


def test_a_week_is_written_with_the_deals_row_of_the_week_before(org, two_weeks):  # type: ignore[no-untyped-def]
    row = PipelineSnapshot.objects.get(week=WEEK2.monday, opportunity=two_weeks)
    assert row.previous_amount == Decimal("1000") and row.amount == Decimal("1500")
    assert row.previous_stage_order == row.stage_order
    assert row.previous_close_date == date(2026, 12, 15)
    first = PipelineSnapshot.objects.filter(week=WEEK1.monday)
    assert not first.exclude(previous_stage_order=None).exists()
    q4 = date(2026, 10, 1)
    week2 = PipelineWeekTotal.objects.filter(week=WEEK2.monday)
    groups = week2.values_list("team_id", "closes_in", "win_rate", "deals", "amount_cents")
    assert set(groups) == {
        (org.north.pk, date(2027, 1, 1), Decimal("5.00"), 1, 20000),
        (org.shanghai.pk, q4, Decimal("30.00"), 1, 150000),
        (org.shanghai.pk, q4, Decimal("80.00"), 1, 50000),
    }
    assert week2.get(win_rate=30).amount_up_change_cents == 50000


def test_running_the_job_again_writes_nothing_twice(org, two_weeks):  # type: ignore[no-untyped-def]
    before = _total_columns()
    rows = PipelineWeekTotal.objects.count()
    assert not take_snapshot(WEEK2.sunday, today=TODAY)[1]
    snapshots.total_week(WEEK2)
    assert _total_columns() == before and PipelineWeekTotal.objects.count() == rows
    assert before["deals"] == PipelineSnapshot.objects.count()


def test_recording_last_week_after_this_one_links_this_weeks_rows(org):  # type: ignore[no-untyped-def]
    a = deal(AccountFactory(owner=org.rep), "1000", "comparison", close=date(2026, 12, 15))
    take_snapshot(WEEK2.monday, today=WEEK2.monday)  # the current week first
    assert PipelineWeekTotal.objects.get(week=WEEK2.monday).new_count == 1
    take_snapshot(WEEK1.sunday, today=WEEK2.monday)  # then the week just ended
    row = PipelineSnapshot.objects.get(week=WEEK2.monday, opportunity=a)
    assert row.previous_amount == Decimal("1000")
    assert PipelineWeekTotal.objects.get(week=WEEK2.monday).new_count == 0


def _forget_links_and_totals() -> None:
    """As the rows of weeks taken before the links and totals existed."""
    PipelineWeekTotal.objects.all().delete()
    PipelineSnapshot.objects.update(
        previous_stage_order=None, previous_close_date=None, previous_amount=None
    )


def _written() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    links = PipelineSnapshot.objects.order_by("pk").values_list(
        "previous_stage_order", "previous_close_date", "previous_amount"
    )
    totals = PipelineWeekTotal.objects.order_by("week", "team", "closes_in", "win_rate")
    return list(links), list(
        totals.values_list(*[f.attname for f in totals.model._meta.fields][1:])
    )


def test_the_migration_backfills_weeks_taken_before_it(org, two_weeks):  # type: ignore[no-untyped-def]
    by_the_job = _written()
    _forget_links_and_totals()
    migration = importlib.import_module("kam.forecasting.migrations.0003_backfill_week_totals")
    migration.backfill(apps, None)
    assert _written() == by_the_job


def test_the_command_rebuilds_the_totals(org, two_weeks):  # type: ignore[no-untyped-def]
    by_the_job = _written()
    _forget_links_and_totals()
    out = StringIO()
    call_command("snapshot", "--rebuild-totals", stdout=out)
    assert "2 weeks linked and totalled" in out.getvalue()
    assert _written() == by_the_job


@pytest.mark.parametrize("viewer", ["director", "east_manager", "rep"])
def test_the_progress_page_asks_a_fixed_number_of_queries(
    org, two_weeks, login, viewer, django_assert_max_num_queries
):  # type: ignore[no-untyped-def]
    client = login(getattr(org, viewer))
    url = reverse("forecasting:progress")
    client.get(url)
    with django_assert_max_num_queries(24):
        assert client.get(url, {"week": WEEK2.key}).status_code == 200
    for n in range(30):  # more deals, more snapshot rows: the same queries
        deal(two_weeks.account, str(100 + n), STAGE_KEYS[n % 6], close=date(2026, 11, 1))
    PipelineSnapshot.objects.all().delete()
    SnapshotWeek.objects.all().delete()
    take_snapshot(WEEK1.sunday, today=WEEK2.monday)
    take_snapshot(WEEK2.sunday, today=TODAY)
    with django_assert_max_num_queries(24):
        assert client.get(url, {"week": WEEK2.key}).status_code == 200
