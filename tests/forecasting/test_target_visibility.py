"""A target (and a manager's adjustment) stands only beside a forecast of the whole scope.

A rep sees their own figures and target; asked for the company, they get the
forecast of what they may see and no company target. A manager sees their
team subtree's targets, not the company's; directors and finance see the
company's. Page and API say the same.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kam.forecasting.models import Metric
from kam.forecasting.periods import QUARTER, Period
from kam.forecasting.services import adjust_forecast, set_target
from kam.pipeline.models import Status
from tests.factories import AccountFactory
from tests.forecasting.factories import deal

pytestmark = pytest.mark.django_db

COMPANY_TARGET = Decimal("9000000.00")
EAST_TARGET = Decimal("4000000.00")
REP_TARGET = Decimal("700000.00")
COMPANY_ADJUSTED = Decimal("8100000.00")


@pytest.fixture
def quarter(org):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    quarter = Period.of(QUARTER, today)
    deal(AccountFactory(owner=org.rep), "100000", status=Status.WON, closed_on=today, close=today)
    deal(
        AccountFactory(owner=org.north_rep),
        "200000",
        status=Status.WON,
        closed_on=today,
        close=today,
    )
    for amount, team, user in (
        (COMPANY_TARGET, None, None),
        (EAST_TARGET, org.east, None),
        (REP_TARGET, None, org.rep),
    ):
        set_target(
            metric=Metric.BOOKINGS,
            period=quarter,
            amount=amount,
            team=team,
            user=user,
            by=org.director,
        )
    adjust_forecast(
        period=quarter,
        adjusted_amount=COMPANY_ADJUSTED,
        system_amount=Decimal("300000"),
        note="董事会口径",
        by=org.director,
    )
    return quarter


def _api(api, user, scope, quarter):  # type: ignore[no-untyped-def]
    response = api(user).get("/api/v1/forecast/", {"scope": scope, "period": quarter.key})
    assert response.status_code == 200
    body = response.json()
    figures = body["forecast"]
    target = Decimal(figures["target"]) if figures["target"] is not None else None
    adjusted = Decimal(figures["adjusted"]) if figures["adjusted"] is not None else None
    line_targets = {line["name"]: line["forecast"]["target"] for line in body["breakdown"]}
    return body["whole_scope"], Decimal(figures["closed"]), target, adjusted, line_targets


def _page(login, user, scope, quarter):  # type: ignore[no-untyped-def]
    response = login(user).get(
        reverse("forecasting:index"), {"scope": scope, "period": quarter.key}
    )
    assert response.status_code == 200
    report = response.context["report"]
    html = response.content.decode()
    return report, html


def test_a_rep_asking_for_the_company_sees_their_deals_and_no_company_target(
    org, quarter, api, login
):
    whole, closed, target, adjusted, lines = _api(api, org.rep, "company", quarter)
    assert (whole, closed, target, adjusted) == (False, Decimal("100000"), None, None)
    assert set(lines.values()) == {None}
    report, html = _page(login, org.rep, "company", quarter)
    assert report.forecast.closed == Decimal("100000")
    assert report.forecast.target is None and report.forecast.adjusted is None
    assert "9,000,000.00" not in html and "8,100,000.00" not in html
    assert "董事会口径" not in html
    assert 'data-testid="partial-scope"' in html


def test_a_rep_sees_their_own_target_and_not_their_teams(org, quarter, api, login):
    assert _api(api, org.rep, f"rep:{org.rep.pk}", quarter)[:3] == (
        True,
        Decimal("100000"),
        REP_TARGET,
    )
    report, html = _page(login, org.rep, "", quarter)  # their own numbers by default
    assert report.forecast.target == REP_TARGET and "700,000.00" in html
    assert 'data-testid="partial-scope"' not in html
    whole, _closed, target, _adjusted, _lines = _api(
        api, org.rep, f"team:{org.shanghai.pk}", quarter
    )
    assert (whole, target) == (False, None)


def test_a_manager_sees_their_subtree_target_but_not_the_company_target(org, quarter, api, login):
    whole, closed, target, adjusted, lines = _api(api, org.east_manager, "company", quarter)
    assert (whole, closed, target, adjusted) == (False, Decimal("100000"), None, None)
    # The lines under it are their own teams, whose targets they may see.
    assert {name: Decimal(t) for name, t in lines.items()} == {org.shanghai.name: REP_TARGET}
    report, html = _page(login, org.east_manager, "company", quarter)
    assert report.forecast.target is None and "9,000,000.00" not in html
    assert "董事会口径" not in html

    whole, closed, target, _adjusted, _lines = _api(
        api, org.east_manager, f"team:{org.east.pk}", quarter
    )
    assert (whole, closed, target) == (True, Decimal("100000"), EAST_TARGET)
    report, html = _page(login, org.east_manager, f"team:{org.east.pk}", quarter)
    assert report.forecast.target == EAST_TARGET and "4,000,000.00" in html
    assert _api(api, org.east_manager, f"rep:{org.rep.pk}", quarter)[2] == REP_TARGET


@pytest.mark.parametrize("role", ["director", "finance"])
def test_directors_and_finance_see_the_company_target(org, quarter, api, login, role):
    user = getattr(org, role)
    whole, closed, target, adjusted, lines = _api(api, user, "company", quarter)
    assert (whole, closed, target, adjusted) == (
        True,
        Decimal("300000"),
        COMPANY_TARGET,
        COMPANY_ADJUSTED,
    )
    assert Decimal(lines[org.east.name]) == EAST_TARGET
    report, html = _page(login, user, "company", quarter)
    assert report.forecast.target == COMPANY_TARGET and "9,000,000.00" in html
    assert "董事会口径" in html and 'data-testid="partial-scope"' not in html
