"""The dashboards and reports in the API: same figures and visibility as the pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from kam.pipeline.models import Status
from tests.factories import AccountFactory
from tests.forecasting.factories import deal

pytestmark = pytest.mark.django_db


def test_each_role_gets_its_own_dashboard_figures(org, book, api):
    rep = api(org.rep).get("/api/v1/reports/dashboard/").json()
    assert rep["kind"] == "rep" and rep["scope"] == f"rep:{org.rep.pk}"
    assert Decimal(rep["overdue"]) == Decimal("40000")
    assert [d["id"] for d in rep["stalled"]["largest"]] == [book.my_deal.pk]
    assert book.their_deal.pk not in [d["id"] for d in rep["red_flags"]]
    manager = api(org.east_manager).get("/api/v1/reports/dashboard/").json()
    assert manager["kind"] == "manager" and manager["scope"] == f"team:{org.east.pk}"
    assert [a["key"] for a in manager["activities"]] == [str(org.rep.pk)]
    director = api(org.director).get("/api/v1/reports/dashboard/").json()
    assert director["kind"] == "executive" and len(director["cash"]["buckets"]) == 6
    assert Decimal(director["overdue"]) == Decimal("540000")
    assert sum(t["accounts"] for t in director["pyramid"]) == 3


def test_dashboard_api_equals_the_page(org, book, api, login):
    panel = reverse("reports:panel", args=["forecast"])
    page = login(org.east_manager).get(panel).context["forecast"]
    data = api(org.east_manager).get("/api/v1/reports/dashboard/").json()
    assert Decimal(data["forecast"]["total"]) == page.total


def test_win_loss_api_equals_the_page(org, api, login):
    account = AccountFactory(owner=org.rep)
    deal(account, "100", status=Status.WON, closed_on="2026-08-01", close_reason="好")
    deal(
        account,
        "300",
        status=Status.LOST,
        closed_on="2026-08-02",
        close_reason="贵",
        winning_competitor="华为",
    )
    data = api(org.rep).get("/api/v1/reports/win-loss/?period=2026-Q3").json()
    page = login(org.rep).get(f"{reverse('reports:win_loss')}?period=2026-Q3").context["report"]
    assert (data["won"], data["lost"]) == (page.rates.won, page.rates.lost) == (1, 1)
    assert Decimal(data["win_rate_by_amount"]) == page.rates.by_amount == Decimal("0.25")
    assert [c["name"] for c in data["competitors"]] == ["华为"]


def test_activity_report_answers(org, book, api):
    data = api(org.rep).get("/api/v1/reports/activity-effectiveness/").json()
    assert data["total"]["judged"] == 2 and data["total"]["counts"]["continuation"] == 2


def test_another_teams_scope_is_a_404_and_nonsense_a_400(org, api):
    client = api(org.rep)
    for path in ("win-loss", "activity-effectiveness"):
        assert client.get(f"/api/v1/reports/{path}/?scope=team:{org.north.pk}").status_code == 404
        assert client.get(f"/api/v1/reports/{path}/?scope=nonsense").status_code == 400
    assert client.get("/api/v1/reports/win-loss/?period=2026-Q7").status_code == 400
    assert api().get("/api/v1/reports/dashboard/").status_code in (401, 403)


def test_reports_are_objects_in_the_schema(api, org):
    schema = api(org.rep).get("/api/v1/schema/?format=json").json()
    for path in ("dashboard", "win-loss", "activity-effectiveness"):
        operation = schema["paths"][f"/api/v1/reports/{path}/"]["get"]
        content = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert "$ref" in content, path
