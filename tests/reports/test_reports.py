"""Report figures against numbers worked out by hand, their drill-downs and their exports."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kam.activities.models import ActivityStatus, Kind, Outcome
from kam.pipeline.models import Status
from kam.reports import charts
from tests.factories import AccountFactory, ActivityFactory
from tests.forecasting.factories import deal

pytestmark = pytest.mark.django_db

Q3 = "period=2026-Q3"


def _workbook(response):  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(BytesIO(response.content))


def _rows(sheet):  # type: ignore[no-untyped-def]
    return [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]


@pytest.fixture
def closed(org):  # type: ignore[no-untyped-def]
    """Q3 2026 in Shanghai: 2 won, 3 lost (2 on price to 华为 at design), 1 without decision."""
    mine = AccountFactory(owner=org.rep)
    other = AccountFactory(owner=org.north_rep)

    def close(amount, status, day, reason, winner="", stage="design", account=mine):  # type: ignore[no-untyped-def]
        return deal(
            account,
            amount,
            stage,
            status=status,
            closed_on=day,
            close_reason=reason,
            winning_competitor=winner,
        )

    return {
        "won1": close("100000", Status.WON, date(2026, 7, 3), "方案最优", stage="commitment"),
        "won2": close("50000", Status.WON, date(2026, 8, 9), "方案最优 ", stage="commitment"),
        "lost1": close("200000", Status.LOST, date(2026, 7, 20), "价格太高", "华为"),
        "lost2": close("80000", Status.LOST, date(2026, 9, 1), "价格  太高", "华为 "),
        "lost3": close(
            "30000", Status.LOST, date(2026, 9, 2), "没有预算", "none", stage="interest"
        ),
        "nodecision": close("10000", Status.NO_DECISION, date(2026, 9, 3), "项目取消"),
        # Outside the period, and another team's: neither counts for the rep.
        "june": close("999", Status.LOST, date(2026, 6, 30), "价格太高", "华为"),
        "north": close("777", Status.LOST, date(2026, 8, 1), "价格太高", "华为", account=other),
    }


def test_win_loss_by_hand(org, closed, login):
    response = login(org.rep).get(f"{reverse('reports:win_loss')}?{Q3}")
    report = response.context["report"]
    rates = report.rates
    assert (rates.won, rates.lost) == (2, 3)
    assert rates.by_count == Decimal("0.4000")
    assert rates.by_amount == Decimal("0.3261")  # 150,000 ÷ 460,000
    assert [(line.key, line.count, line.amount) for line in report.statuses] == [
        ("won", 2, Decimal("150000.00")),
        ("lost", 3, Decimal("310000.00")),
        ("no_decision", 1, Decimal("10000.00")),
    ]
    assert [(line.label, line.count, line.amount) for line in report.reasons_lost] == [
        ("价格太高", 2, Decimal("280000.00")),
        ("没有预算", 1, Decimal("30000.00")),
    ]
    assert [(line.label, line.count) for line in report.competitors] == [("华为", 2)]
    assert [(line.label, line.count) for line in report.reasons_won] == [("方案最优", 2)]
    stages = {line.label: line.count for line in report.stages_lost}
    interest, design = (
        closed["lost3"].stage.name_zh,
        closed["lost1"].stage.name_zh,
    )
    assert stages == {interest: 1, design: 2}
    months = dict(report.months)
    assert months["2026-07"]["won"].count == 1 and months["2026-07"]["lost"].count == 1
    assert months["2026-09"]["lost"].count == 2 and "won" not in months["2026-09"]


def test_win_loss_labels_a_reason_by_its_first_deal_and_keeps_two_places(org, login):
    """Grouped in the database, a reason written several ways still takes the wording
    of the first deal in the deals' order (expected close date, then id), and every
    amount keeps the two places of a sum of deal amounts."""
    account = AccountFactory(owner=org.rep)

    def lost(amount, reason, close, winner="", status=Status.LOST):  # type: ignore[no-untyped-def]
        return deal(
            account,
            amount,
            "design",
            status=status,
            close=close,
            closed_on=date(2026, 8, 3),
            close_reason=reason,
            winning_competitor=winner,
        )

    # Created first but expected later: the later-created deal's wording is the label.
    lost("100", "Price  TOO high", date(2026, 9, 30), "ＡＣＭＥ")
    lost("200", "price too high", date(2026, 7, 1), "Acme Corp")
    lost("300", "ＰＲＩＣＥ too high", date(2026, 8, 1), "acme")
    # Same close date: the lower id wins.
    lost("400", "No  budget", date(2026, 7, 2))
    lost("500", "no budget", date(2026, 7, 2))
    lost("5", "None", date(2026, 7, 2), "无", status=Status.WON)
    report = login(org.rep).get(f"{reverse('reports:win_loss')}?{Q3}").context["report"]
    assert [(x.label, x.count, str(x.amount)) for x in report.reasons_lost] == [
        ("price too high", 3, "600.00"),
        ("No budget", 2, "900.00"),
    ]
    assert [(x.label, x.count) for x in report.competitors] == [("acme", 2), ("Acme Corp", 1)]
    assert [(x.label, str(x.amount)) for x in report.reasons_won] == [("None", "5.00")]
    assert [(x.key, str(x.amount)) for x in report.statuses] == [
        ("won", "5.00"),
        ("lost", "1500.00"),
    ]
    assert str(report.rates.lost_amount) == "1500.00"
    assert str(dict(report.months)["2026-08"]["lost"].amount) == "1500.00"


def test_win_loss_drill_down_lists_the_deals_behind_a_figure(org, closed, login):
    client = login(org.rep)
    url = reverse("reports:win_loss_deals")
    lost_on_price = client.get(f"{url}?{Q3}&status=lost&reason=价格太高").context["listing"]
    assert {o.pk for o in lost_on_price.rows} == {closed["lost1"].pk, closed["lost2"].pk}
    to_huawei = client.get(f"{url}?{Q3}&status=lost&competitor=华为").context["listing"]
    assert {o.pk for o in to_huawei.rows} == {closed["lost1"].pk, closed["lost2"].pk}
    september = client.get(f"{url}?{Q3}&status=lost&month=2026-09").context["listing"]
    assert {o.pk for o in september.rows} == {closed["lost2"].pk, closed["lost3"].pk}
    stage = closed["lost3"].stage_id
    at_stage = client.get(f"{url}?{Q3}&status=lost&stage={stage}").context["listing"]
    assert [o.pk for o in at_stage.rows] == [closed["lost3"].pk]


def test_win_loss_export_has_the_page_numbers(org, closed, login):
    client = login(org.rep)
    page = client.get(f"{reverse('reports:win_loss')}?{Q3}").context["report"]
    wb = _workbook(client.get(f"{reverse('reports:win_loss_export')}?{Q3}"))
    summary = _rows(wb.worksheets[0])[0]
    assert summary[2:4] == [2, 3]
    assert Decimal(str(summary[4])) == page.rates.by_count
    by_result = _rows(wb.worksheets[1])
    assert [(r[1], Decimal(str(r[2]))) for r in by_result] == [
        (line.count, line.amount) for line in page.statuses
    ]
    reasons = _rows(wb.worksheets[2])
    assert [(r[0], r[1]) for r in reasons] == [(x.label, x.count) for x in page.reasons_lost]
    competitors = _rows(wb.worksheets[4])
    assert [(r[0], r[1]) for r in competitors] == [("华为", 2)]


def test_another_teams_scope_is_a_404(org, closed, login):
    client = login(org.rep)
    for name in ("reports:win_loss", "reports:activities", "reports:forecast"):
        response = client.get(f"{reverse(name)}?scope=team:{org.north.pk}")
        assert response.status_code == 404, name
        response = client.get(f"{reverse(name)}?scope=rep:{org.north_rep.pk}")
        assert response.status_code == 404, name


def test_a_bad_period_is_explained_and_nothing_breaks(org, login):
    response = login(org.rep).get(f"{reverse('reports:win_loss')}?period=2026-Q9")
    assert response.status_code == 200
    assert response.context["query"].error


def _activity(account, outcome, kind=Kind.SALES_VISIT, day=date(2026, 8, 10)):  # type: ignore[no-untyped-def]
    return ActivityFactory(
        account=account,
        kind=kind,
        status=ActivityStatus.DONE,
        outcome=outcome,
        starts_at=datetime.combine(day, time(10), tzinfo=timezone.get_current_timezone()),
    )


@pytest.fixture
def calls(org):  # type: ignore[no-untyped-def]
    mine = AccountFactory(owner=org.rep)
    colleague = AccountFactory(owner=org.rep2)
    other = AccountFactory(owner=org.north_rep)
    for outcome in (Outcome.ORDER, Outcome.ADVANCE, Outcome.CONTINUATION, Outcome.NO_SALE):
        _activity(mine, outcome)
    _activity(mine, Outcome.ADVANCE, Kind.SOLUTION_DEMO)
    _activity(colleague, Outcome.CONTINUATION, Kind.SOLUTION_DEMO)
    _activity(mine, Outcome.ADVANCE, day=date(2026, 10, 1))  # next quarter
    _activity(other, Outcome.ORDER)  # another team
    ActivityFactory(account=mine, status=ActivityStatus.DONE, outcome="", starts_at=timezone.now())


def test_activity_effectiveness_by_hand(org, calls, login):
    report = (
        login(org.east_manager)
        .get(f"{reverse('reports:activities')}?{Q3}&scope=team:{org.east.pk}")
        .context["report"]
    )
    reps = {t.key: t for t in report.by_rep}
    assert set(reps) == {org.rep.pk, org.rep2.pk}
    assert reps[org.rep.pk].counts == {"order": 1, "advance": 2, "continuation": 1, "no_sale": 1}
    assert reps[org.rep.pk].advance_rate == Decimal("0.6000")
    assert reps[org.rep2.pk].advance_rate == Decimal("0.0000")
    kinds = {t.key: t for t in report.by_kind}
    assert kinds["solution_demo"].counts["advance"] == 1 and kinds["solution_demo"].total == 2
    assert kinds["sales_visit"].total == 4
    assert report.total.total == 6 and report.total.advance_rate == Decimal("0.5000")


def test_activity_effectiveness_export_equals_the_page(org, calls, login):
    client = login(org.east_manager)
    query = f"{Q3}&scope=team:{org.east.pk}"
    report = client.get(f"{reverse('reports:activities')}?{query}").context["report"]
    wb = _workbook(client.get(f"{reverse('reports:activities_export')}?{query}"))
    by_rep = _rows(wb.worksheets[0])
    expected = [
        [t.label, *t.counts.values(), t.total, t.advance_rate]
        for t in [*report.by_rep, report.total]
    ]
    assert [[*r[:-1], None if r[-1] is None else Decimal(str(r[-1]))] for r in by_rep] == expected
    by_kind = _rows(wb.worksheets[1])
    assert [r[0] for r in by_kind] == [t.label for t in report.by_kind]


def test_activity_links_open_the_activities_counted(org, calls, login):
    """Each chart segment and each table total opens the list of the activities it counts
    (the chart's links are built from shared parts: they must equal one built whole)."""
    response = login(org.east_manager).get(
        f"{reverse('reports:activities')}?{Q3}&scope=team:{org.east.pk}"
    )
    report = response.context["report"]
    for chart, tallies, group in (
        (response.context["chart"], report.by_rep, "owner"),
        (response.context["kind_chart"], report.by_kind, "kind"),
    ):
        assert len(chart["series"]) == len(report.outcomes)
        for series, (outcome, _label) in zip(chart["series"], report.outcomes, strict=True):
            assert [point["url"] for point in series["data"]] == [
                charts.activities_url(
                    report.start, report.end, **{group: t.key, "outcome": outcome}
                )
                for t in tallies
            ]
    page = response.content.decode()
    days = "date_from=2026-07-01&date_to=2026-09-30"
    for rep in (org.rep, org.rep2):
        assert f"{reverse('activities:list')}?status=done&owner={rep.pk}&{days}" in page
    assert f"{reverse('activities:list')}?status=done&kind=solution_demo&{days}" in page


def test_a_rep_sees_only_their_own_activities(org, calls, login):
    report = login(org.rep).get(f"{reverse('reports:activities')}?{Q3}").context["report"]
    assert [t.key for t in report.by_rep] == [org.rep.pk]


def test_forecast_by_team_and_rep_breaks_the_team_down(org, login):
    today = timezone.localdate()
    deal(AccountFactory(owner=org.rep), "100000", "design", close=today)
    deal(AccountFactory(owner=org.rep2), "50000", "design", close=today)
    response = login(org.east_manager).get(
        f"{reverse('reports:forecast')}?scope=team:{org.shanghai.pk}"
    )
    report = response.context["report"]
    lines = {line.label: line.forecast.total for line in report.breakdown}
    assert lines == {str(org.rep): lines[str(org.rep)], str(org.rep2): lines[str(org.rep2)]}
    assert lines[str(org.rep)] == 2 * lines[str(org.rep2)]
    assert sum(lines.values()) == report.forecast.total
    assert reverse("forecasting:export") in response.content.decode()
