"""Receivables in the API: the same visibility as the pages, every write through the services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kam.pipeline.models import Status
from kam.receivables import services
from kam.receivables.models import Contract, Payment, PaymentPromise
from tests.factories import AccountFactory, OpportunityFactory
from tests.receivables.factories import contract_for

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def ledger(org):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    east = AccountFactory(owner=org.rep)
    north = AccountFactory(owner=org.north_rep)
    east_contract = contract_for(east, org.finance, amount="50000")
    north_contract = contract_for(north, org.finance, amount="70000")
    for contract, days in ((east_contract, 10), (north_contract, 100)):
        services.issue_invoice(
            contract,
            amount=contract.amount,
            issued_on=today - timedelta(days=days + 30),
            due_date=today - timedelta(days=days),
            by=org.finance,
        )
    return east, north, east_contract, north_contract


def test_rep_lists_only_their_receivables(org, ledger, api):  # type: ignore[no-untyped-def]
    _east, _north, east_contract, north_contract = ledger
    client = api(org.rep)
    contracts = client.get("/api/v1/contracts/").json()["results"]
    assert [c["id"] for c in contracts] == [east_contract.pk]
    invoices = client.get("/api/v1/invoices/").json()["results"]
    assert [i["open_amount"] for i in invoices] == ["50000.00"]
    assert client.get(f"/api/v1/contracts/{north_contract.pk}/").status_code == 404
    north_invoice = north_contract.invoices.get()
    assert client.get(f"/api/v1/invoices/{north_invoice.pk}/").status_code == 404


def test_aging_totals_never_include_another_teams_receivables(org, ledger, api):  # type: ignore[no-untyped-def]
    rep = api(org.rep).get("/api/v1/receivables-aging/", {"group": "team"}).json()
    assert rep["totals"]["total"] == "50000.00" and rep["totals"]["d1_30"] == "50000.00"
    finance = api(org.finance).get("/api/v1/receivables-aging/").json()
    assert finance["totals"]["total"] == "120000.00"
    assert finance["totals"]["over_90"] == "70000.00"


def test_aging_rows_come_a_page_at_a_time_with_totals_of_all(
    org, ledger, api, django_assert_max_num_queries
):  # type: ignore[no-untyped-def]
    east, north, _ec, _nc = ledger
    client = api(org.finance)
    client.get("/api/v1/receivables-aging/", {"group": "account"})
    with django_assert_max_num_queries(9):
        first = client.get("/api/v1/receivables-aging/", {"group": "account", "page_size": 1})
    first = first.json()
    assert first["count"] == 2 and first["page"] == 1
    assert [r["key"] for r in first["rows"]] == [str(north.pk)]  # 70k overdue before 50k
    assert first["totals"]["total"] == "120000.00"
    second = client.get(
        "/api/v1/receivables-aging/", {"group": "account", "page_size": 1, "page": 2}
    ).json()
    assert [r["key"] for r in second["rows"]] == [str(east.pk)]
    rep = api(org.rep).get("/api/v1/receivables-aging/", {"group": "account"}).json()
    assert rep["count"] == 1 and rep["totals"]["total"] == "50000.00"


def test_overdue_is_heaviest_first_with_debtor_type(org, ledger, api):  # type: ignore[no-untyped-def]
    east, north, _ec, _nc = ledger
    services.set_debtor_type(north, "wont_pay", by=org.north_rep)
    rows = api(org.finance).get("/api/v1/receivables-overdue/").json()["results"]
    assert [r["account"] for r in rows] == [north.pk, east.pk]  # 70k × 100 > 50k × 10
    assert rows[0]["debtor_type"] == "wont_pay" and rows[0]["debtor_type_suggested"] is False
    assert rows[0]["days_overdue"] == 100


def test_payment_create_and_duplicate_reference(org, ledger, api):  # type: ignore[no-untyped-def]
    east, _north, _ec, _nc = ledger
    client = api(org.finance)
    body = {
        "account": east.pk,
        "amount": "60000",
        "received_on": str(timezone.localdate()),
        "bank_reference": "ICBC-42",
    }
    created = client.post("/api/v1/payments/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["unapplied_amount"] == "10000.00"  # over-payment kept as credit
    again = client.post("/api/v1/payments/", body, format="json")
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "probable_duplicate"
    assert Payment.objects.filter(bank_reference="ICBC-42").count() == 1
    confirmed = client.post("/api/v1/payments/", body | {"confirm_duplicate": True}, format="json")
    assert confirmed.status_code == 201
    assert confirmed.json()["possible_duplicate_of"] == created.json()["id"]


def test_payment_refusals(org, ledger, api):  # type: ignore[no-untyped-def]
    east, north, _ec, _nc = ledger
    day = str(timezone.localdate())
    assert (
        api(org.rep)
        .post("/api/v1/payments/", {"account": east.pk, "amount": "5", "received_on": day})
        .status_code
        == 403
    )
    client = api(org.finance)
    negative = client.post(
        "/api/v1/payments/", {"account": east.pk, "amount": "-5", "received_on": day}
    )
    assert negative.status_code == 400
    foreign = client.post(
        "/api/v1/payments/",
        {"account": east.pk, "amount": "100", "currency": "USD", "received_on": day},
    )
    assert foreign.status_code == 400 and "currency" in foreign.json()["error"]["details"]
    rep_into_north = api(org.rep).post(
        "/api/v1/payment-promises/",
        {"account": north.pk, "amount": "100", "due_on": day},
    )
    assert rep_into_north.status_code == 400 and not PaymentPromise.objects.exists()


def test_contract_installment_invoice_and_promise_through_the_api(org, api):  # type: ignore[no-untyped-def]
    account = AccountFactory(owner=org.rep)
    deal = OpportunityFactory(account=account, status=Status.WON, amount=D("90000"))
    rep = api(org.rep)
    created = rep.post(
        "/api/v1/contracts/",
        {
            "account": account.pk,
            "opportunity": deal.pk,
            "name": "扩容合同",
            "amount": "90000",
            "gross_margin_pct": "30",
            "signed_on": "2026-02-01",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    contract = Contract.objects.get(pk=created.json()["id"])
    plan = rep.post(
        "/api/v1/installments/",
        {"contract": contract.pk, "amount": "1", "due_date": "2026-05-01"},
    )
    assert plan.status_code == 400  # the default plan already covers the whole contract
    invoice = api(org.finance).post(
        "/api/v1/invoices/",
        {"contract": contract.pk, "amount": "30000", "issued_on": "2026-02-10"},
    )
    assert invoice.status_code == 201 and invoice.json()["open_amount"] == "30000.00"
    promise = rep.post(
        "/api/v1/payment-promises/",
        {"account": account.pk, "amount": "30000", "due_on": "2099-01-01"},
    )
    assert promise.status_code == 201 and promise.json()["status"] == "open"


def test_schema_still_builds(org, api):  # type: ignore[no-untyped-def]
    response = api(org.finance).get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/receivables-aging/" in response.content
