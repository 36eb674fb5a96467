"""The dashboards and reports in the API: same figures and visibility as the pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kam.core.models import AuditEvent, Interface
from kam.pipeline.models import Status
from kam.reports import api as api_module
from kam.reports import selectors, views
from kam.stakeholders.models import PersonalInfo
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


def test_each_panel_alone_answers_what_the_whole_dashboard_says(org, book, api):
    for user in (org.rep, org.east_manager, org.director):
        client = api(user)
        whole = client.get("/api/v1/reports/dashboard/").json()
        kind = whole["kind"]
        assert whole["panels"] == list(selectors.DASHBOARD_PANELS[kind])
        seen: dict[str, object] = {}
        for name in selectors.DASHBOARD_PANELS[kind]:
            one = client.get(f"/api/v1/reports/dashboard/?panel={name}").json()
            assert one["panels"] == [name]
            assert (one["kind"], one["scope"], one["period"]) == (
                kind,
                whole["scope"],
                whole["period"],
            )
            figures = {
                k: v for k, v in one.items() if k not in ("kind", "scope", "period", "panels")
            }
            assert figures, (kind, name)
            for key, value in figures.items():
                assert value == whole[key], (kind, name, key)
            seen.update(figures)
        # The panels together are the whole answer, nothing more and nothing less.
        assert seen == {
            k: v for k, v in whole.items() if k not in ("kind", "scope", "period", "panels")
        }


def test_several_panels_at_once_in_page_order(org, book, api):
    data = api(org.rep).get("/api/v1/reports/dashboard/?panel=stalled,agenda&panel=flags").json()
    assert data["panels"] == ["agenda", "flags", "stalled"]
    assert [a["id"] for a in data["agenda"]["today"]] == [book.planned_today.pk]
    assert [d["id"] for d in data["stalled"]["largest"]] == [book.my_deal.pk]
    assert "forecast" not in data and "overdue" not in data


def test_a_panel_of_another_role_is_a_translated_400(org, api):
    response = api(org.rep).get(
        "/api/v1/reports/dashboard/?panel=cash", headers={"Accept-Language": "zh-hans"}
    )
    assert response.status_code == 400
    message = response.json()["error"]["details"]["panel"][0]
    assert "cash" in message and "agenda" in message and "面板" in message


def test_one_panel_costs_fewer_queries_than_the_whole_dashboard(org, book, api):
    client = api(org.director)
    with CaptureQueriesContext(connection) as whole:
        assert client.get("/api/v1/reports/dashboard/").status_code == 200
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/reports/dashboard/?panel=matrix").status_code == 200
    assert len(one.captured_queries) < len(whole.captured_queries) / 2


def test_birthdays_through_the_api_are_logged_as_api_reads(org, book, api):
    today = book.today
    PersonalInfo.objects.create(contact=book.my_person, birthday=date(1980, today.month, today.day))
    data = api(org.rep).get("/api/v1/reports/dashboard/?panel=special_days").json()
    assert data["special_days"] == [
        {
            "contact_id": book.my_person.pk,
            "name": "王总",
            "account": "上海客户甲",
            "day": today.isoformat(),
        }
    ]
    event = AuditEvent.objects.get(
        action=AuditEvent.Action.VIEW_SENSITIVE, object_id=str(book.my_person.pk)
    )
    assert (event.actor, event.interface) == (org.rep, Interface.API)


def test_the_page_and_the_api_name_the_same_panels():
    for kind, names in selectors.DASHBOARD_PANELS.items():
        assert [p.name for p in views.PANELS[kind]] == list(names)
        assert list(api_module.PANELS[kind]) == list(names)


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
