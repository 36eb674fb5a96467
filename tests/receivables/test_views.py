"""The receivables pages as finance, directors and reps use them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kam.pipeline.models import Status
from kam.receivables import selectors, services
from kam.receivables.models import (
    CollectionContact,
    Contract,
    CreditStatus,
    Excuse,
    Invoice,
    Payment,
    PaymentPromise,
    WriteOff,
)
from kam.receivables.views import aging as aging_views
from tests.factories import AccountFactory, OpportunityFactory
from tests.receivables.factories import contract_for, invoice_for, payment_for

pytestmark = pytest.mark.django_db
D = Decimal


def _english(client):  # type: ignore[no-untyped-def]
    client.cookies["kam_language"] = "en"
    return client


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def ledger(org, today):  # type: ignore[no-untyped-def]
    east = AccountFactory(owner=org.rep, name="东方电气")
    north = AccountFactory(owner=org.north_rep, name="北方重工")
    contract = contract_for(east, org.finance, amount="500000", margin="10")
    services.issue_invoice(
        contract,
        amount=D("500000"),
        issued_on=today - timedelta(days=70),
        due_date=today - timedelta(days=40),
        by=org.finance,
        number="FP-EAST-1",
    )
    north_contract = contract_for(north, org.finance, amount="80000")
    services.issue_invoice(
        north_contract,
        amount=D("80000"),
        issued_on=today - timedelta(days=130),
        due_date=today - timedelta(days=100),
        by=org.finance,
        number="FP-NORTH-1",
    )
    return east, north, contract, north_contract


def test_home_shows_aging_chart_and_grouping(org, ledger, login):  # type: ignore[no-untyped-def]
    client = _english(login(org.finance))
    page = client.get(reverse("receivables:index"), {"group": "account"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-chart="aging-chart-data"' in html and "<script>" not in html
    assert "东方电气" in html and "北方重工" in html
    assert "500,000.00" in html and "80,000.00" in html
    chart = page.context["chart"]
    assert [s["name"] for s in chart["series"]] == [
        "Current",
        "1–30 days",
        "31–60 days",
        "61–90 days",
        "Over 90 days",
    ]
    by_team = client.get(reverse("receivables:index"), {"group": "team"})
    assert {r.label for r in by_team.context["report"].rows} == {"上海组", "华北大区"}


def test_rep_sees_only_their_receivables_on_the_home_page(org, ledger, login):  # type: ignore[no-untyped-def]
    page = login(org.rep).get(reverse("receivables:index"), {"group": "company"})
    assert page.context["report"].totals.total == D("500000")
    assert "北方重工" not in page.content.decode()


def test_aging_page_is_paginated_with_totals_of_every_row(
    org, ledger, login, today, django_assert_max_num_queries
):  # type: ignore[no-untyped-def]
    client = _english(login(org.finance))
    for n in range(3):
        account = AccountFactory(owner=org.rep, name=f"小客户{n}")
        contract = contract_for(account, org.finance, amount="100")
        services.issue_invoice(
            contract,
            amount=D("100"),
            issued_on=today - timedelta(days=40),
            due_date=today - timedelta(days=10 + n),
            by=org.finance,
        )
    client.get(reverse("receivables:index"))
    with django_assert_max_num_queries(16):
        page = client.get(reverse("receivables:index"), {"group": "account"})
    report = page.context["report"]
    assert report.count == 5 and report.rows[0].label == "东方电气"
    assert report.totals.total == D("580300")
    assert "5 records" in page.content.decode()
    assert [r.label for r in selectors.aging(org.finance, "account").rows][:2] == [
        "东方电气",
        "北方重工",
    ]
    # More rows than a page: the chart keeps the heaviest, the totals stay those of all.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(aging_views, "AGING_ROWS", 2)
        second = client.get(reverse("receivables:index"), {"group": "account", "page": 2})
    assert second.context["report"].page.number == 2
    assert [r.label for r in second.context["report"].rows] == ["小客户0", "小客户1"]
    assert second.context["chart"]["xAxis"]["data"][:2] == ["东方电气", "北方重工"]
    assert second.context["report"].totals.total == D("580300")
    assert "Page 2 of 3" in second.content.decode()


def test_drill_down_lists_the_invoices_of_a_bucket(org, ledger, login):  # type: ignore[no-untyped-def]
    east, _north, _c, _nc = ledger
    client = login(org.finance)
    page = client.get(
        reverse("receivables:aging_invoices"),
        {"group": "account", "key": east.pk, "bucket": "d31_60"},
    )
    html = page.content.decode()
    assert "FP-EAST-1" in html and "FP-NORTH-1" not in html
    empty = client.get(
        reverse("receivables:aging_invoices"),
        {"group": "account", "key": east.pk, "bucket": "over_90"},
    )
    assert "FP-EAST-1" not in empty.content.decode()


def test_overdue_list_is_heaviest_first_with_debtor_type(org, ledger, login):  # type: ignore[no-untyped-def]
    east, _north, _c, _nc = ledger
    services.set_debtor_type(east, "when_pressed", by=org.rep)
    page = _english(login(org.finance)).get(reverse("receivables:overdue"))
    rows = list(page.context["listing"].rows)
    assert [i.number for i in rows] == ["FP-EAST-1", "FP-NORTH-1"]  # 500k × 40 > 80k × 100
    assert "Pays when pressed" in page.content.decode()


def test_overdue_first_page_queries_do_not_grow_with_rows(
    org, login, today, django_assert_max_num_queries
):  # type: ignore[no-untyped-def]
    client = login(org.finance)
    for n in range(12):
        account = AccountFactory(owner=org.rep)
        contract = contract_for(account, org.finance, amount="1000")
        services.issue_invoice(
            contract,
            amount=D("1000"),
            issued_on=today - timedelta(days=60 + n),
            due_date=today - timedelta(days=30 + n),
            by=org.finance,
        )
    client.get(reverse("receivables:overdue"))
    with django_assert_max_num_queries(14):
        page = client.get(reverse("receivables:overdue"))
    assert len(page.context["listing"].rows) == 12


def test_contract_page_reads_the_zhang_yi_case(org, login, today):  # type: ignore[no-untyped-def]
    account = AccountFactory(owner=org.rep)
    contract = contract_for(account, org.finance, amount="500000", margin="10")
    invoice_for(contract, org.finance, amount="500000", issued_on=today - timedelta(days=10))
    payment_for(account, org.finance, "150000", received_on=today)
    payment_for(account, org.finance, "250000", received_on=today)
    zh = login(org.rep).get(reverse("receivables:contract", args=[contract.pk]))
    assert "尚未盈利" in zh.content.decode()
    page = _english(login(org.rep)).get(reverse("receivables:contract", args=[contract.pk]))
    html = page.content.decode()
    assert "Not yet profitable" in html
    assert "collect 50,000.00 more to pass the break-even point of 450,000.00" in html


def test_another_teams_contract_is_not_found(org, ledger, login):  # type: ignore[no-untyped-def]
    _east, _north, _contract, north_contract = ledger
    client = login(org.rep)
    assert client.get(reverse("receivables:contract", args=[north_contract.pk])).status_code == 404
    response = client.post(
        reverse("receivables:contract_action", args=[north_contract.pk, "promise"]),
        {"amount": "100", "due_on": "2030-01-01"},
    )
    assert response.status_code == 404


def test_contract_from_a_won_opportunity_with_credit_warning(org, login):  # type: ignore[no-untyped-def]
    account = AccountFactory(owner=org.rep)
    services.set_credit(
        account, by=org.finance, expected_version=None, credit_limit=D("100000"), on_hold=False
    )
    deal = OpportunityFactory(account=account, status=Status.WON, amount=D("300000"))
    client = _english(login(org.rep))
    form = client.get(reverse("receivables:contract_create", args=[deal.pk]))
    assert "credit limit" in form.content.decode()
    response = client.post(
        reverse("receivables:contract_create", args=[deal.pk]),
        {
            "name": "设备合同",
            "amount": "300000",
            "gross_margin_pct": "25",
            "signed_on": "2026-03-01",
            "payment_terms_days": "45",
            "reminder_days": "7",
        },
    )
    contract = Contract.objects.get(opportunity=deal)
    assert response.status_code == 302 and contract.credit_status == CreditStatus.HELD
    assert client.get(reverse("receivables:contract_create", args=[deal.pk])).status_code == 404


def test_invoice_refused_while_on_hold_then_released_by_finance(org, login, today):  # type: ignore[no-untyped-def]
    account = AccountFactory(owner=org.rep)
    services.set_credit(
        account, by=org.finance, expected_version=None, credit_limit=D("1000"), on_hold=False
    )
    contract = contract_for(account, org.rep, amount="5000")
    client = _english(login(org.finance))
    url = reverse("receivables:contract_action", args=[contract.pk, "invoice"])
    page = client.post(url, {"amount": "5000", "issued_on": today.isoformat()})
    assert "finance must release it before invoicing" in page.content.decode()
    assert (
        login(org.rep).post(reverse("receivables:release_hold", args=[contract.pk])).status_code
        == 403
    )
    client = _english(login(org.finance))
    client.post(reverse("receivables:release_hold", args=[contract.pk]))
    client.post(url, {"amount": "5000", "issued_on": today.isoformat()})
    assert Invoice.objects.get(contract=contract).amount == D("5000")


def test_payment_duplicate_reference_needs_confirmation(org, ledger, login, today):  # type: ignore[no-untyped-def]
    east, _north, contract, _nc = ledger
    payment_for(east, org.finance, "1000", received_on=today, bank_reference="BOC-778")
    client = _english(login(org.finance))
    url = reverse("receivables:contract_action", args=[contract.pk, "payment"])
    data = {
        "amount": "1000",
        "currency": "CNY",
        "received_on": today.isoformat(),
        "method": "bank_transfer",
        "bank_reference": "BOC-778",
    }
    page = client.post(url, data)
    assert "Probable duplicate" in page.content.decode()
    assert 'data-testid="duplicate-warning"' in page.content.decode()
    assert Payment.objects.filter(bank_reference="BOC-778").count() == 1
    client.post(url, data | {"confirm_duplicate": "on"})
    assert Payment.objects.filter(bank_reference="BOC-778").count() == 2


def test_overpayment_is_kept_as_unapplied_credit(org, login, today):  # type: ignore[no-untyped-def]
    account = AccountFactory(owner=org.rep)
    contract = contract_for(account, org.finance, amount="1000")
    invoice_for(contract, org.finance, amount="1000", issued_on=today)
    client = _english(login(org.finance))
    response = client.post(
        reverse("receivables:contract_action", args=[contract.pk, "payment"]),
        {
            "amount": "1500",
            "currency": "CNY",
            "received_on": today.isoformat(),
            "method": "bank_transfer",
        },
        follow=True,
    )
    assert "500.00 is more than was owed" in response.content.decode()
    assert Payment.objects.get(account=account).unapplied_amount == D("500")


def test_rep_cannot_record_payments_but_records_promises(org, ledger, login, today):  # type: ignore[no-untyped-def]
    _east, _north, contract, _nc = ledger
    client = login(org.rep)
    denied = client.post(
        reverse("receivables:contract_action", args=[contract.pk, "payment"]),
        {"amount": "1", "received_on": today.isoformat(), "method": "cash", "currency": "CNY"},
    )
    assert denied.status_code == 403
    client.post(
        reverse("receivables:contract_action", args=[contract.pk, "promise"]),
        {
            "amount": "20000",
            "due_on": (today + timedelta(days=7)).isoformat(),
            "promised_by_name": "王会计",
        },
    )
    promise = PaymentPromise.objects.get(account=contract.account)
    assert promise.promised_by == "王会计" and promise.status == PaymentPromise.Status.OPEN


def test_negative_promise_is_refused_with_a_translated_error(org, ledger, login, today):  # type: ignore[no-untyped-def]
    _east, _north, contract, _nc = ledger
    page = login(org.rep).post(
        reverse("receivables:contract_action", args=[contract.pk, "promise"]),
        {"amount": "-5", "due_on": today.isoformat()},
    )
    assert page.status_code == 200 and not PaymentPromise.objects.exists()
    assert "确保该值大于或等于" in page.content.decode()


def test_collection_contact_with_excuse_and_promise(org, ledger, login, today):  # type: ignore[no-untyped-def]
    _east, _north, contract, _nc = ledger
    excuse = Excuse.objects.order_by("order").first()
    client = login(org.rep)
    response = client.get(reverse("receivables:excuse_response"), {"excuse": excuse.pk})
    assert excuse.response_zh[:20] in response.content.decode()
    client.post(
        reverse("receivables:contract_action", args=[contract.pk, "collection"]),
        {
            "contacted_on": today.isoformat(),
            "step": "objections",
            "excuse": excuse.pk,
            "negotiation": "lose_lose",
            "note": "说钱已经汇出",
            "next_step": "两天后回电核实",
            "promise_amount": "100000",
            "promise_due_on": (today + timedelta(days=3)).isoformat(),
        },
    )
    row = CollectionContact.objects.get(account=contract.account)
    assert row.excuse == excuse and row.promise.amount == D("100000")
    page = client.get(reverse("receivables:contract", args=[contract.pk]))
    assert "两天后回电核实" in page.content.decode() and excuse.text_zh in page.content.decode()
    shown = page.content.decode()
    assert "我输你输" in shown and row.negotiation == "lose_lose"


def test_write_off_needs_someone_elses_approval(org, ledger, login):  # type: ignore[no-untyped-def]
    _east, _north, contract, _nc = ledger
    invoice = contract.invoices.get()
    finance = _english(login(org.finance))
    finance.post(
        reverse("receivables:contract_action", args=[contract.pk, "write_off"]),
        {"invoice": invoice.pk, "amount": "1000", "reason": "客户破产"},
    )
    write_off = WriteOff.objects.get()
    page = finance.post(
        reverse("receivables:decide_write_off", args=[write_off.pk]),
        {"decision": "approve"},
        follow=True,
    )
    assert "someone other than who asked" in page.content.decode()
    _english(login(org.director)).post(
        reverse("receivables:decide_write_off", args=[write_off.pk]), {"decision": "approve"}
    )
    invoice.refresh_from_db()
    assert invoice.written_off_amount == D("1000") and invoice.open_amount == D("499000")


def test_credit_note_and_stale_credit_edit(org, ledger, login, today):  # type: ignore[no-untyped-def]
    east, _north, contract, _nc = ledger
    invoice = contract.invoices.get()
    client = _english(login(org.finance))
    client.post(
        reverse("receivables:contract_action", args=[contract.pk, "credit_note"]),
        {
            "invoice": invoice.pk,
            "amount": "2000",
            "reason": "价格调整",
            "issued_on": today.isoformat(),
        },
    )
    invoice.refresh_from_db()
    assert invoice.credited_amount == D("2000")
    credit = services.set_credit(
        east, by=org.finance, expected_version=None, credit_limit=D("1"), on_hold=False
    )
    stale = credit.version
    services.set_credit(
        east, by=org.finance, expected_version=stale, credit_limit=D("2"), on_hold=False
    )
    page = client.post(
        reverse("receivables:contract_action", args=[contract.pk, "credit"]),
        {"credit_limit": "3", "version": stale},
    )
    assert "changed by someone else" in page.content.decode()


def test_reallocate_a_payment_and_refuse_what_does_not_add_up(org, login, today):  # type: ignore[no-untyped-def]
    account = AccountFactory(owner=org.rep)
    contract = contract_for(account, org.finance, amount="3000")
    first = invoice_for(contract, org.finance, amount="1000", issued_on=today - timedelta(days=5))
    second = invoice_for(contract, org.finance, amount="2000", issued_on=today)
    payment = payment_for(account, org.finance, "1000", received_on=today)
    client = _english(login(org.finance))
    url = reverse("receivables:allocate", args=[payment.pk])
    page = client.post(
        url,
        {f"invoice_{first.pk}": "600", f"invoice_{second.pk}": "600", "version": payment.version},
    )
    assert "more than the payment" in page.content.decode()
    client.post(url, {f"invoice_{second.pk}": "1000", "version": payment.version})
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.paid_amount == D("1000") and first.open_amount == D("1000")
    stale = client.post(url, {f"invoice_{first.pk}": "1000", "version": payment.version})
    assert "changed by someone else" in stale.content.decode()


def test_calculators_reproduce_the_source_table(org, login):  # type: ignore[no-untyped-def]
    client = login(org.rep)
    page = client.get(reverse("receivables:calculators"))
    table = dict(page.context["table"])
    assert table[D(500)] == [D(25000), D("16666.67"), D(12500), D(10000), D("8333.34")]
    assert table[D(2500)][0] == D(125000)
    answer = client.get(
        reverse("receivables:calculators"),
        {"amount": "1000000", "annual_rate_pct": "6", "days_late": "73", "net_profit": "50000"},
    )
    assert answer.context["cost"] == D("12000.00") and answer.context["profit_left"] == D(
        "38000.00"
    )
    extra = client.get(reverse("receivables:calculators"), {"loss": "500", "net_margin_pct": "3"})
    assert extra.context["extra"] == D("16666.67")
    assert "16,666.67" in extra.content.decode()
    zhang_yi = client.get(
        reverse("receivables:calculators"),
        {"amount": "500000", "gross_margin_pct": "10", "collected": "400000"},
    )
    sale = zhang_yi.context["sale"]
    assert sale.cash_position == D("-50000.00") and sale.break_even_point == D("450000.00")
    assert "-50,000.00" in zhang_yi.content.decode()


def test_excel_exports_match_the_pages(org, ledger, login):  # type: ignore[no-untyped-def]
    client = login(org.finance)
    response = client.get(reverse("receivables:export_aging"), {"group": "account"})
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    report = selectors.aging(org.finance, "account")
    assert [r[0] for r in rows[1:-1]] == [r.label for r in report.rows]
    assert [D(str(r[6])) for r in rows[1:]] == [r.total for r in [*report.rows, report.totals]]
    overdue = client.get(reverse("receivables:export_overdue"))
    rows = list(load_workbook(BytesIO(overdue.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["FP-EAST-1", "FP-NORTH-1"]
    assert [D(str(r[5])) for r in rows[1:]] == [D("500000"), D("80000")]
    rep_rows = list(
        load_workbook(
            BytesIO(login(org.rep).get(reverse("receivables:export_overdue")).content)
        ).active.iter_rows(values_only=True)
    )
    assert [r[0] for r in rep_rows[1:]] == ["FP-EAST-1"]


def test_contract_list_shows_what_each_contract_collected(
    org, ledger, login, today, django_assert_max_num_queries
):  # type: ignore[no-untyped-def]
    _east, _north, contract, north_contract = ledger
    payment_for(contract.account, org.finance, "120000", received_on=today)
    for n in range(4):
        contract_for(AccountFactory(owner=org.rep), org.finance, amount=f"{1000 + n}")
    client = login(org.finance)
    client.get(reverse("receivables:contracts"))
    with django_assert_max_num_queries(10):
        page = client.get(reverse("receivables:contracts"), {"sort": "-amount"})
    rows = list(page.context["listing"].rows)
    assert rows[0].pk == contract.pk and rows[0].collected == D("120000")
    assert all(r.collected == D(0) for r in rows[2:])
    rep_rows = login(org.rep).get(reverse("receivables:contracts")).context["listing"].rows
    assert contract.pk in {c.pk for c in rep_rows}
    assert north_contract.pk not in {c.pk for c in rep_rows}


def test_the_account_360_page_shows_what_the_account_owes(org, ledger, login):  # type: ignore[no-untyped-def]
    east, north, _contract, _north_contract = ledger
    services.set_credit(
        east, by=org.finance, expected_version=None, credit_limit=D("600000"), on_hold=False
    )
    client = login(org.rep)
    url = reverse("receivables:account_panel", args=[east.pk])
    page = client.get(url)
    assert page.status_code == 200
    panel = page.context["panel"]
    assert panel.aging.total == D("500000") and panel.aging.d31_60 == D("500000")
    assert panel.credit_limit == D("600000") and panel.exposure == D("500000")
    assert [i.number for i in panel.overdue] == ["FP-EAST-1"] and panel.contracts == 1
    assert "FP-EAST-1" in page.content.decode()
    # The 360 page asks for it, and another team's account answers 404.
    assert url in client.get(reverse("accounts:detail", args=[east.pk])).content.decode()
    north_url = reverse("receivables:account_panel", args=[north.pk])
    assert client.get(north_url).status_code == 404


def test_the_aging_pages_side_panels_load_on_their_own_and_respect_visibility(org, ledger, login):  # type: ignore[no-untyped-def]
    page = login(org.finance).get(reverse("receivables:index")).content.decode()
    for name in ("alerts", "overdue", "to_contract", "complete_sales"):
        assert f'hx-get="{reverse("receivables:panel", args=[name])}"' in page
    finance = login(org.finance)
    overdue = finance.get(reverse("receivables:panel", args=["overdue"])).content.decode()
    assert "FP-NORTH-1" in overdue
    sales = finance.get(reverse("receivables:panel", args=["complete_sales"]))
    assert sales.status_code == 200 and 'data-testid="complete-sales"' in sales.content.decode()
    rep = login(org.rep)
    assert (
        "FP-NORTH-1" not in rep.get(reverse("receivables:panel", args=["overdue"])).content.decode()
    )
    for name in ("alerts", "to_contract"):
        assert rep.get(reverse("receivables:panel", args=[name])).status_code == 200
    assert rep.get(reverse("receivables:panel", args=["nothing"])).status_code == 404
