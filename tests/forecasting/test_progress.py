"""Sales progress (§5.2) and the week-over-week change, from the weekly snapshots."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kam.forecasting.models import Metric
from kam.forecasting.periods import QUARTER, Period, Week
from kam.forecasting.progress import changed_opportunities, progress_weeks, week_changes
from kam.forecasting.scopes import resolve_scope
from kam.forecasting.services import set_target, take_snapshot
from kam.pipeline.models import Status
from tests.factories import default_stage
from tests.forecasting.factories import AccountFactory, deal, small_sale

pytestmark = pytest.mark.django_db

WEEK1 = Week(date(2026, 11, 9))
WEEK2 = Week(date(2026, 11, 16))
TODAY = date(2026, 11, 25)


@pytest.fixture
def weeks(org):
    """Two snapshots of the rep's Q4 pipeline with a hand-worked week between them."""
    own = AccountFactory(owner=org.rep)
    other = AccountFactory(owner=org.north_rep)
    a = deal(own, "1000", "comparison", close=date(2026, 12, 15))  # 30%: 300
    b = deal(own, "500", "use", close=date(2026, 12, 1))  # 80%: 400
    e = deal(own, "300", "interest", close=date(2026, 12, 1))  # 5%: 15
    deal(own, "800", status=Status.WON, closed_on=date(2026, 10, 20), close=date(2026, 10, 20))
    deal(own, "9999", "use", close=date(2027, 2, 1))  # next quarter: not in Q4's pipeline
    deal(other, "200", "interest", close=date(2026, 12, 10))  # another team
    take_snapshot(WEEK1.sunday, today=WEEK2.monday)
    b.status, b.closed_on = Status.WON, date(2026, 11, 18)
    b.save()
    e.status, e.closed_on = Status.LOST, date(2026, 11, 17)
    e.save()
    a.stage, a.amount, a.expected_close_date = (
        default_stage("commitment"),
        Decimal("1200"),
        date(2026, 12, 20),
    )
    a.save()
    d = deal(own, "100", "design", close=date(2026, 12, 5))  # new: 20
    small_sale(own, "12.34", date(2026, 11, 19))
    take_snapshot(WEEK2.sunday, today=TODAY)
    set_target(
        metric=Metric.BOOKINGS,
        period=Period.of(QUARTER, WEEK2.monday),
        amount="10000",
        by=org.director,
        user=org.rep,
    )
    return {"a": a, "b": b, "d": d, "e": e}


def test_sales_progress_of_the_hand_worked_week(org, weeks, django_assert_max_num_queries):
    scope = resolve_scope(org.rep, f"rep:{org.rep.pk}")
    with django_assert_max_num_queries(10):
        first, second = progress_weeks(org.rep, scope, until=WEEK2)
    assert first.week == WEEK1.monday and first.progress is None
    assert first.pipeline == Decimal("715") and first.sales == Decimal("800")
    assert second.pipeline == Decimal("620")  # 1200 × 50% + 100 × 20%
    assert second.previous_pipeline == Decimal("715")
    assert second.sales == Decimal("1312.34") and second.previous_sales == Decimal("800")
    # [(620 − 715) + (1312.34 − 800)] ÷ 10000
    assert second.progress == Decimal("0.041734")
    # As written: [(1932.34 − 1515) + (1312.34 − 800)] ÷ 10000, the won 512.34 twice
    assert (second.previous_forecast, second.forecast) == (Decimal("1515"), Decimal("1932.34"))
    assert second.progress_as_written == Decimal("0.092968")


def test_a_reps_progress_never_includes_another_teams_deals(org, weeks):
    rep_view = progress_weeks(org.rep, resolve_scope(org.rep, "company"), until=WEEK2)
    director_view = progress_weeks(org.director, resolve_scope(org.director, "company"))
    assert rep_view[0].pipeline == Decimal("715")
    assert director_view[0].pipeline == Decimal("725")  # + the north deal, 200 × 5%


def test_week_over_week_change_and_its_drilldown(org, weeks):
    scope = resolve_scope(org.rep, f"rep:{org.rep.pk}")
    lines = {line.key: line for line in week_changes(org.rep, scope, WEEK2)}
    assert (lines["new"].count, lines["new"].amount) == (1, Decimal("100"))
    assert (lines["won"].count, lines["won"].amount) == (1, Decimal("500"))
    assert (lines["lost"].count, lines["lost"].amount) == (1, Decimal("300"))
    assert lines["forward"].count == 1 and lines["back"].count == 0
    assert lines["pushed"].count == 1 and lines["pulled"].count == 0
    assert lines["amount_up"].amount_change == Decimal("200")
    assert lines["amount_down"].count == 0
    assert list(changed_opportunities(org.rep, scope, WEEK2, "forward")) == [weeks["a"]]
    assert list(changed_opportunities(org.rep, scope, WEEK2, "new")) == [weeks["d"]]
    assert list(changed_opportunities(org.rep, scope, WEEK2, "lost")) == [weeks["e"]]
    north = resolve_scope(org.north_manager, "company")
    assert {line.key: line.count for line in week_changes(org.north_manager, north, WEEK2)} == {
        "new": 0,
        "won": 0,
        "lost": 0,
        "forward": 0,
        "back": 0,
        "pushed": 0,
        "pulled": 0,
        "amount_up": 0,
        "amount_down": 0,
    }


def test_progress_page_with_trend_chart_and_changes(org, weeks, login):
    client = login(org.rep)
    url = reverse("forecasting:progress")
    page = client.get(url, {"scope": f"rep:{org.rep.pk}", "week": WEEK2.key})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-chart="progress-chart-data"' in html
    assert "4.2%" in html
    assert "销售进展" in html
    as_written = f'data-testid="progress-as-written-{WEEK2.monday:%Y-%m-%d}"'
    assert as_written in html and "9.3%" in html.split(as_written)[1][:200]
    assert "按方法原文" in html and "KAM 的算法" in html and "成交的商机会被计算两次" in html
    client.cookies["kam_language"] = "en"
    english = client.get(url, {"scope": f"rep:{org.rep.pk}", "week": WEEK2.key}).content.decode()
    assert "As written in the method:" in english and "counts a won deal twice" in english
    drill = client.get(
        reverse("forecasting:changes"),
        {"scope": f"rep:{org.rep.pk}", "week": WEEK2.key, "change": "new"},
    )
    assert weeks["d"].name in drill.content.decode()
    assert weeks["a"].name not in drill.content.decode()
    assert client.get(url, {"scope": f"team:{org.north.pk}"}).status_code == 404


def test_progress_page_without_snapshots_says_so(org, login):
    page = login(org.director).get(reverse("forecasting:progress"))
    assert page.status_code == 200
    assert 'data-testid="no-snapshots"' in page.content.decode()


def test_the_api_gives_both_progress_figures(org, weeks, api):  # type: ignore[no-untyped-def]
    body = (
        api(org.rep)
        .get("/api/v1/forecast-progress/", {"scope": f"rep:{org.rep.pk}", "week": WEEK2.key})
        .json()
    )
    second = body["weeks"][-1]
    assert Decimal(second["progress"]) == Decimal("0.041734")
    assert Decimal(second["progress_as_written"]) == Decimal("0.092968")
    assert Decimal(second["forecast"]) == Decimal("1932.34")
    assert Decimal(second["previous_forecast"]) == Decimal("1515")
    first = body["weeks"][0]
    assert first["progress_as_written"] is None and first["previous_forecast"] is None
