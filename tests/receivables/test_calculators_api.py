"""The calculators in the API (issue 24, defect 3): DOMAIN §6's worked examples."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import AccountFactory
from tests.receivables.factories import contract_for, invoice_for, payment_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/receivables-calculators"


def test_extra_sales_for_500_lost_at_3_percent_is_16666_67(org, api):  # type: ignore[no-untyped-def]
    answer = api(org.rep).get(f"{URL}/extra-sales/", {"loss": "500", "margin_pct": "3"})
    assert answer.status_code == 200
    assert answer.json() == {"loss": "500.00", "margin_pct": "3.00", "extra_sales": "16666.67"}
    table = api(org.rep).get(f"{URL}/extra-sales/", {"loss": "2500", "margin_pct": "2"})
    assert table.json()["extra_sales"] == "125000.00"


def test_extra_sales_refuse_a_margin_of_zero(org, api):  # type: ignore[no-untyped-def]
    answer = api(org.rep).get(f"{URL}/extra-sales/", {"loss": "500", "margin_pct": "0"})
    assert answer.status_code == 400
    assert "margin_pct" in answer.content.decode()


def test_delay_cost_eats_the_net_profit(org, api):  # type: ignore[no-untyped-def]
    answer = api(org.rep).get(
        f"{URL}/delay-cost/",
        {"amount": "365000", "annual_rate_pct": "5", "days_late": "30", "net_profit": "2000"},
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["financing_cost"] == "1500.00" and body["net_profit_left"] == "500.00"
    bare = api(org.rep).get(
        f"{URL}/delay-cost/", {"amount": "365000", "annual_rate_pct": "5", "days_late": "30"}
    )
    assert bare.json()["net_profit_left"] is None


def test_zhang_yi_is_cash_negative_until_450k_is_collected(org, api):  # type: ignore[no-untyped-def]
    answer = api(org.rep).get(
        f"{URL}/cash-position/",
        {"amount": "500000", "gross_margin_pct": "10", "collected": "400000"},
    )
    body = answer.json()
    assert body["cost"] == "450000.00" and body["collected"] == "400000.00"
    assert body["cash_position"] == "-50000.00" and body["break_even_point"] == "450000.00"
    assert body["still_to_break_even"] == "50000.00" and body["profitable"] is False
    too_much = api(org.rep).get(
        f"{URL}/cash-position/",
        {"amount": "500000", "gross_margin_pct": "10", "collected": "600000"},
    )
    assert too_much.status_code == 400


def test_a_contract_s_cash_position_for_those_who_may_see_it(org, api):  # type: ignore[no-untyped-def]
    account = AccountFactory(owner=org.rep)
    contract = contract_for(account, org.finance, amount="500000", margin="10")
    invoice_for(contract, org.finance, amount="500000")
    payment_for(account, org.finance, "150000")
    payment_for(account, org.finance, "250000")
    body = api(org.rep).get(f"/api/v1/contracts/{contract.pk}/cash-position/").json()
    assert Decimal(body["cash_position"]) == Decimal(-50000)
    assert body["break_even_point"] == "450000.00" and body["collected_pct"] == "80.0"
    hidden = api(org.north_rep).get(f"/api/v1/contracts/{contract.pk}/cash-position/")
    assert hidden.status_code == 404


def test_the_calculators_are_in_the_schema(org, api):  # type: ignore[no-untyped-def]
    schema = api(org.rep).get("/api/v1/schema/?format=json").json()
    for path in ("extra-sales", "delay-cost", "cash-position"):
        assert f"{URL}/{path}/" in schema["paths"]
    assert "/api/v1/contracts/{id}/cash-position/" in schema["paths"]
    names = [p["name"] for p in schema["paths"][f"{URL}/extra-sales/"]["get"]["parameters"]]
    assert {"loss", "margin_pct"} <= set(names)
