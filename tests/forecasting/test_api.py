"""The forecast area in the API: same figures and visibility as the pages, documented."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kam.forecasting.models import Metric, Target
from kam.forecasting.periods import QUARTER, Period
from kam.forecasting.services import take_snapshot
from kam.pipeline.models import Status
from tests.forecasting.factories import AccountFactory, deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(org):
    today = timezone.localdate()
    quarter = Period.of(QUARTER, today)
    own = AccountFactory(owner=org.rep)
    other = AccountFactory(owner=org.north_rep)
    deal(own, "1000000.01", "comparison", close=quarter.end)
    deal(own, "5000.10", status=Status.WON, closed_on=today, close=today)
    deal(other, "300000", "commitment", close=quarter.end)
    return quarter


def test_forecast_is_exact_and_never_includes_another_teams_deals(org, book, api):
    body = api(org.rep).get("/api/v1/forecast/", {"scope": "company"}).json()
    assert Decimal(body["forecast"]["total"]) == Decimal("305000.103")
    assert body["period"] == book.key and body["method"] == "configured"
    director = api(org.director).get("/api/v1/forecast/", {"scope": "company"}).json()
    assert Decimal(director["forecast"]["total"]) == Decimal("455000.103")
    assert {line["kind"] for line in director["breakdown"]} >= {"team"}


def test_bad_input_answers_in_the_api_error_shape(org, book, api):
    client = api(org.rep)
    hidden = client.get("/api/v1/forecast/", {"scope": f"team:{org.north.pk}"})
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "not_found"
    for params in ({"scope": "galaxy"}, {"period": "2026-Q9"}, {"method": "magic"}):
        response = client.get("/api/v1/forecast/", params)
        assert response.status_code == 400, params
        assert response.json()["error"]["code"] == "invalid"
    assert client.get("/api/v1/forecast-progress/", {"week": "soon"}).status_code == 400
    assert api().get("/api/v1/forecast/").status_code in (401, 403)


def test_funnel(org, book, api):
    body = api(org.rep).get("/api/v1/forecast-funnel/").json()
    assert body["period"] is None
    assert body["totals"]["count"] == 1
    assert Decimal(body["totals"]["weighted"]) == Decimal("300000.003")


def test_targets_read_and_write_through_the_service(org, book, api):
    client = api(org.east_manager)
    created = client.post(
        "/api/v1/forecast-targets/",
        {"period": book.key, "scope": f"rep:{org.rep.pk}", "amount": "800000"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert Decimal(created.json()["effective"]) == Decimal("800000")
    lines = client.get("/api/v1/forecast-targets/", {"period": book.key}).json()
    shanghai = next(line for line in lines if line["scope"] == f"team:{org.shanghai.pk}")
    assert Decimal(shanghai["rolled_up"]) == Decimal("800000") and shanghai["explicit"] is None
    negative = client.post(
        "/api/v1/forecast-targets/",
        {"period": book.key, "scope": f"rep:{org.rep.pk}", "amount": "-1"},
        format="json",
    )
    assert negative.status_code == 400
    assert list(negative.json()["error"]["details"]) == ["amount"]
    north = client.post(
        "/api/v1/forecast-targets/",
        {"period": book.key, "scope": f"rep:{org.north_rep.pk}", "amount": "1"},
        format="json",
    )
    assert north.status_code == 404
    rep = api(org.rep).post(
        "/api/v1/forecast-targets/",
        {"period": book.key, "scope": f"rep:{org.rep.pk}", "amount": "1"},
        format="json",
    )
    assert rep.status_code == 403
    assert Target.objects.filter(metric=Metric.BOOKINGS).count() == 1


def test_progress_and_accuracy(org, book, api):
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    take_snapshot(monday - timedelta(days=7))
    take_snapshot(monday)
    body = api(org.rep).get("/api/v1/forecast-progress/", {"scope": "company"}).json()
    assert len(body["weeks"]) == 2
    assert Decimal(body["weeks"][-1]["pipeline"]) == Decimal("300000.003")
    assert {c["key"] for c in body["changes"]} >= {"new", "won", "lost", "forward"}
    accuracy = api(org.rep).get("/api/v1/forecast-accuracy/").json()
    assert len(accuracy["stage_rates"]) == 6 and accuracy["methods"] == {}


def test_the_schema_documents_the_forecast_endpoints(org, api):
    schema = api(org.director).get("/api/v1/schema/", {"format": "json"}).json()
    for path in (
        "/api/v1/forecast/",
        "/api/v1/forecast-funnel/",
        "/api/v1/forecast-targets/",
        "/api/v1/forecast-progress/",
        "/api/v1/forecast-accuracy/",
    ):
        assert path in schema["paths"], path
    parameters = {p["name"] for p in schema["paths"]["/api/v1/forecast/"]["get"]["parameters"]}
    assert {"scope", "period", "method"} <= parameters
