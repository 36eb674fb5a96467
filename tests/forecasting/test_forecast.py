"""The §5.1 forecast from the database: exact, scoped, visible, bounded in queries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from kam.forecasting.calculations import HUNDRED
from kam.forecasting.models import Method, Metric
from kam.forecasting.periods import QUARTER, Period
from kam.forecasting.scopes import resolve_scope
from kam.forecasting.selectors import forecast_figure, forecast_report, funnel_rows
from kam.forecasting.services import set_target
from kam.pipeline.models import StageModel, Status
from tests.forecasting.factories import STAGE_KEYS, AccountFactory, deal, small_sale

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def quarter(today):
    return Period.of(QUARTER, today)


@pytest.fixture
def book(org, today, quarter):
    """Shanghai (rep) and Beijing (north_rep) deals, with cents that floats would lose."""
    own = AccountFactory(owner=org.rep)
    other = AccountFactory(owner=org.north_rep)
    deal(own, "1000000.01", "comparison", close=quarter.end)  # 30%
    deal(own, "0.03", "use", close=quarter.end)  # 80%
    deal(own, "999.99", "interest", close=quarter.end + timedelta(days=1))  # next quarter
    deal(own, "5000.10", status=Status.WON, closed_on=today, close=today)
    deal(own, "777", status=Status.LOST, closed_on=today, close=today)
    small_sale(own, "12.34", today)
    deal(other, "300000", "commitment", close=quarter.end)
    deal(other, "40000.40", status=Status.WON, closed_on=today, close=today)
    return own, other


def test_forecast_is_closed_plus_weighted_open_plus_off_funnel_to_the_cent(
    org, book, quarter, today
):
    report = forecast_report(
        org.rep, resolve_scope(org.rep, f"rep:{org.rep.pk}"), quarter, today=today
    )
    f = report.forecast
    assert f.closed == Decimal("5000.10")
    assert f.off_funnel == Decimal("12.34")
    assert f.weighted == Decimal("1000000.01") * 30 / HUNDRED + Decimal("0.03") * 80 / HUNDRED
    assert f.total == Decimal("305012.467")  # 300000.003 + 0.024 + 5000.10 + 12.34
    assert f.totals.count == 2


def test_a_reps_forecast_never_includes_another_teams_deals(org, book, quarter, today):
    for key in ("company", f"team:{org.shanghai.pk}", f"team:{org.company.pk}"):
        try:
            scope = resolve_scope(org.rep, key)
        except Http404:
            continue
        f = forecast_report(org.rep, scope, quarter, today=today).forecast
        assert f.closed == Decimal("5000.10")
        assert f.totals.total == Decimal("1000000.04")
    with pytest.raises(Http404):
        resolve_scope(org.rep, f"team:{org.north.pk}")
    with pytest.raises(Http404):
        resolve_scope(org.rep, f"rep:{org.north_rep.pk}")
    with pytest.raises(Http404):
        resolve_scope(org.east_manager, f"account:{book[1].pk}")
    with pytest.raises(ValidationError):
        resolve_scope(org.rep, "galaxy:1")


def test_director_sees_the_company_and_its_teams(org, book, quarter, today):
    report = forecast_report(
        org.director, resolve_scope(org.director, "company"), quarter, today=today
    )
    assert report.forecast.closed == Decimal("45000.50")
    assert report.forecast.weighted == Decimal("300000.003") + Decimal("0.024") + Decimal("150000")
    labels = {line.label: line.forecast for line in report.breakdown}
    assert labels[org.east.name].closed == Decimal("5000.10")
    assert labels[org.north.name].closed == Decimal("40000.40")
    total = sum((line.forecast.total for line in report.breakdown), Decimal(0))
    assert total == report.forecast.total


def test_coverage_is_forecast_over_target(org, book, quarter, today):
    set_target(
        metric=Metric.BOOKINGS, period=quarter, amount="610024.934", user=org.rep, by=org.director
    ) if False else None
    set_target(
        metric=Metric.BOOKINGS, period=quarter, amount="610024.93", user=org.rep, by=org.director
    )
    f = forecast_report(org.rep, resolve_scope(org.rep, None), quarter, today=today).forecast
    assert f.target == Decimal("610024.93")
    assert f.coverage == Decimal("305012.467") / Decimal("610024.93")


def test_past_and_future_periods(org, book, quarter, today):
    scope = resolve_scope(org.rep, None)
    past = forecast_report(org.rep, scope, quarter.previous(), today=today).forecast
    assert past.totals.count == 0
    future = forecast_report(org.rep, scope, quarter.next(), today=today).forecast
    assert future.totals.total == Decimal("999.99") and future.closed == 0


def test_worked_funnel_of_section_3_1_from_the_database(org, today):
    account = AccountFactory(owner=org.rep)
    amounts = {
        "interest": [60] * 5,
        "brewing": [60] * 4,
        "design": [58, 59, 59],
        "comparison": [232, 232],
        "commitment": [73, 73],
        "use": [49, 49],
    }
    for key, values in amounts.items():
        for value in values:
            deal(account, str(value), key)
    rows = funnel_rows(org.rep, StageModel.objects.get(is_default=True))
    assert [r.count for r in rows] == [5, 4, 3, 2, 2, 2]
    assert [r.total for r in rows] == [300, 240, 176, 464, 146, 98]
    assert sum(r.weighted for r in rows) == Decimal("364.8")
    assert [r.stage_name for r in rows][:1] and len(STAGE_KEYS) == 6


def test_team_funnel_counts_the_subtree_owners_open_deals_per_stage(org, today, quarter):
    """A team's funnel, every open deal or one period's, grouped per stage (by an
    expression for the planner's sake): the subtree's owners only, open deals only."""
    shanghai = AccountFactory(owner=org.rep)
    shanghai2 = AccountFactory(owner=org.rep2)
    north = AccountFactory(owner=org.north_rep)
    deal(shanghai, "100.01", "interest", close=quarter.end)
    deal(shanghai2, "200.02", "interest", close=quarter.end + timedelta(days=1))
    deal(shanghai2, "300.03", "design", close=quarter.end)
    deal(shanghai, "999", "design", status=Status.WON, closed_on=today, close=today)
    deal(north, "5000", "interest", close=quarter.end)
    model = StageModel.objects.get(is_default=True)
    east = resolve_scope(org.director, f"team:{org.east.pk}")
    rows = {r.stage_name: (r.count, r.total) for r in funnel_rows(org.director, model, scope=east)}
    interest, design = (
        deal(shanghai, "1", "interest", status=Status.LOST).stage.name,
        deal(shanghai, "1", "design", status=Status.LOST).stage.name,
    )
    assert rows[interest] == (2, Decimal("300.03")) and rows[design] == (1, Decimal("300.03"))
    assert sum(count for count, _total in rows.values()) == 3
    in_quarter = funnel_rows(org.director, model, scope=east, period=quarter, today=today)
    assert [(r.count, r.total) for r in in_quarter if r.count] == [
        (1, Decimal("100.01")),
        (1, Decimal("300.03")),
    ]
    north_scope = resolve_scope(org.director, f"team:{org.north.pk}")
    assert [
        (r.count, r.total) for r in funnel_rows(org.director, model, scope=north_scope) if r.count
    ] == [(1, Decimal("5000.00"))]


def test_query_count_does_not_grow_with_deals(org, quarter, today, django_assert_max_num_queries):
    account = AccountFactory(owner=org.rep)
    for i in range(30):
        deal(account, "10", STAGE_KEYS[i % 6], close=quarter.end)
    scope = resolve_scope(org.director, "company")
    with django_assert_max_num_queries(14):
        forecast_report(org.director, scope, quarter, today=today)


def test_learned_and_model_methods_fall_back_to_configured_rates_without_history(
    org, book, quarter, today
):
    scope = resolve_scope(org.rep, None)
    configured = forecast_report(org.rep, scope, quarter, today=today).forecast.total
    for method in (Method.LEARNED, Method.MODEL):
        assert (
            forecast_report(org.rep, scope, quarter, method=method, today=today).forecast.total
            == configured
        )


def test_forecast_page_and_drilldown(org, book, login, quarter):
    client = login(org.rep)
    page = client.get(reverse("forecasting:index"), {"period": quarter.key})
    assert page.status_code == 200
    assert "305,012.47" in page.content.decode()
    bad = client.get(reverse("forecasting:index"), {"period": "2026-Q9"}).content.decode()
    assert "2026-Q4" in bad and 'data-testid="query-error"' in bad
    assert (
        client.get(reverse("forecasting:index"), {"scope": f"team:{org.north.pk}"}).status_code
        == 404
    )
    drill = client.get(
        reverse("forecasting:opportunities"), {"period": quarter.key}
    ).content.decode()
    assert "1,000,000.01" in drill and "300,000.00" not in drill
    funnel = client.get(reverse("forecasting:funnel"), {"period": "all"}).content.decode()
    assert "999.99" in funnel and 'data-chart="funnel-chart-data"' in funnel


def test_export_is_an_excel_workbook_with_the_same_figures(org, book, login, quarter):
    from io import BytesIO

    from openpyxl import load_workbook

    response = login(org.rep).get(reverse("forecasting:export"), {"period": quarter.key})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(BytesIO(response.content))
    first = wb.worksheets[0]
    assert Decimal(str(first.cell(row=2, column=6).value)) == Decimal("305012.467")


def test_an_alternative_models_stages_show_only_when_they_hold_deals(org, book, quarter, today):
    scope = resolve_scope(org.rep, f"rep:{org.rep.pk}")
    default_keys = set(STAGE_KEYS)
    shown = forecast_report(org.rep, scope, quarter, today=today).forecast.rows
    assert len(shown) == len(default_keys)

    consultative = StageModel.objects.exclude(is_default=True).first()
    stage = consultative.stages.order_by("order")[1]
    moved = deal(book[0], "100.00", close=quarter.end)
    type(moved).objects.filter(pk=moved.pk).update(stage=stage)
    rows = forecast_report(org.rep, scope, quarter, today=today).forecast.rows
    assert [r.stage_id for r in rows if r.stage_id == stage.pk and r.count == 1]
    assert len(rows) == len(default_keys) + 1


@pytest.mark.parametrize("method", [Method.CONFIGURED, Method.LEARNED, Method.MODEL])
def test_the_total_alone_equals_the_total_with_its_breakdown(org, book, quarter, today, method):
    """Without per-team lines the figures are summed by stage alone; they must not change."""
    for user, key in ((org.director, "company"), (org.rep, None), (org.east_manager, None)):
        scope = resolve_scope(user, key)
        full = forecast_report(user, scope, quarter, today=today, method=method)
        alone = forecast_report(
            user, scope, quarter, today=today, method=method, with_breakdown=False
        )
        assert alone.forecast == full.forecast and alone.breakdown == []
        figure = forecast_figure(user, scope, quarter, today=today, method=method)
        assert (figure.closed, figure.rows, figure.off_funnel) == (
            full.forecast.closed,
            full.forecast.rows,
            full.forecast.off_funnel,
        )
        assert full.forecast.closed  # the book has closed deals in every scope tried
