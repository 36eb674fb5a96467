"""The collector's playbook (issue 23, part 7): what each overdue invoice and write-off costs
in sales, and the collection call script pre-filled with the customer's figures."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kam.receivables import services
from kam.receivables.models import WriteOff
from kam.stakeholders import services as stakeholder_services
from tests.factories import AccountFactory, ContactFactory
from tests.receivables.factories import contract_for

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def overdue(org):  # type: ignore[no-untyped-def]
    """500 owed on a 3% contract, 73 days past due: 16,666.67 of sales, 6.00 at 6% a year."""
    today = timezone.localdate()
    account = AccountFactory(owner=org.rep, name="东方电气")
    contract = contract_for(account, org.finance, amount="500", margin="3")
    invoice = services.issue_invoice(
        contract,
        amount=D("500"),
        issued_on=today - timedelta(days=103),
        due_date=today - timedelta(days=73),
        by=org.finance,
        number="FP-0500",
    )
    return invoice


def _english(client):  # type: ignore[no-untyped-def]
    client.cookies["kam_language"] = "en"
    return client


def test_the_call_script_is_pre_filled_in_chinese(org, overdue, login):  # type: ignore[no-untyped-def]
    buyer = ContactFactory(account=overdue.account, name="王经理", title="采购经理")
    boss = ContactFactory(account=overdue.account, name="赵总", title="总经理")
    stakeholder_services.set_payment_approval_chain(
        overdue.account, [(buyer, ""), (boss, "")], by=org.rep
    )
    page = login(org.rep).get(reverse("receivables:collection_script", args=[overdue.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "如果这 500.00 收不回来，按本合同 3% 的利润率，需要额外销售 16,666.67 才能弥补" in text
    assert "拖延至今已产生 6.00 的资金成本：按年利率 6% 计 73 天" in text
    assert "关于东方电气的发票 FP-0500：金额 500.00" in text and "现已逾期 73 天" in text
    assert "王经理 (采购经理) → 赵总 (总经理)" in text
    for guidance in (
        "做自信型",
        "嘴角上扬",
        "故作惊讶",
        "付钱给别人而不付给我们",
        "我们不是“大多数供应商”",
    ):
        assert guidance in text
    for outcome in ("我赢你赢：现金", "我赢你输：现金 + 应收账款", "我输你赢", "我输你输"):
        assert outcome in text


def test_the_call_script_is_pre_filled_in_english(org, overdue, login):  # type: ignore[no-untyped-def]
    client = _english(login(org.rep))
    page = client.get(reverse("receivables:collection_script", args=[overdue.pk]))
    text = page.content.decode()
    assert (
        "If these 500.00 are never paid, replacing them takes 16,666.67 of extra sales "
        "at this contract's margin of 3%."
    ) in text
    assert "The delay has cost 6.00 so far: 73 days at 6% a year" in text
    assert "invoice FP-0500: 500.00" in text and "is now 73 days overdue" in text
    assert "Be the confident one" in text and "Corners of the mouth up." in text
    assert "Not mapped yet: ask who approves payments." in text
    assert "We win, they lose: cash + A/R" in text and "We lose, they lose: A/R" in text


def test_the_script_counts_the_delay_at_another_rate_on_request(org, overdue, login):  # type: ignore[no-untyped-def]
    client = _english(login(org.rep))
    page = client.get(reverse("receivables:collection_script", args=[overdue.pk]), {"rate": "12"})
    assert "The delay has cost 12.00 so far: 73 days at 12% a year" in page.content.decode()


def test_another_teams_invoice_has_no_script(org, overdue, login):  # type: ignore[no-untyped-def]
    page = login(org.north_rep).get(reverse("receivables:collection_script", args=[overdue.pk]))
    assert page.status_code == 404


def test_the_overdue_list_shows_extra_sales_delay_cost_and_the_script(org, overdue, login):  # type: ignore[no-untyped-def]
    page = login(org.rep).get(reverse("receivables:overdue"))
    text = page.content.decode()
    assert f'data-testid="extra-sales-{overdue.pk}">16,666.67<' in text
    assert "拖延的资金成本（年利率 6%）" in text and ">6.00<" in text
    assert reverse("receivables:collection_script", args=[overdue.pk]) in text


def test_a_write_off_request_shows_the_sales_it_takes_to_replace(org, overdue, login):  # type: ignore[no-untyped-def]
    services.request_write_off(overdue, amount=D("500"), reason="客户破产", by=org.rep)
    assert WriteOff.objects.get().status == WriteOff.Status.PENDING
    page = login(org.finance).get(reverse("receivables:contract", args=[overdue.contract_id]))
    text = page.content.decode()
    assert "16,666.67" in text and "按 3%" in text
    assert "批准赊销之前：赊销的好处与掩盖风险的误区" in text
    assert "误区：赊销等于销售。" in text and "提高客户忠诚度。" in text


def test_the_overdue_api_gives_the_same_costs(org, overdue, api):  # type: ignore[no-untyped-def]
    [row] = api(org.rep).get("/api/v1/receivables-overdue/").json()["results"]
    assert (row["number"], row["days_overdue"]) == ("FP-0500", 73)
    assert (row["extra_sales"], row["delay_cost"]) == ("16666.67", "6.00")


def test_the_help_page_rounds_the_extra_sales_up_to_the_cent(org, login):  # type: ignore[no-untyped-def]
    client = login(org.rep)
    text = client.get(reverse("ui:help_topic", args=["complete-sale"])).content.decode()
    assert "3% 时 16,666.67 元" in text and "只能弥补 499.98" in text
