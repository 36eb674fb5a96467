"""Every list exports what it shows: same filters, same order, same visibility, no secrets."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kam.core.models import AuditEvent
from kam.pipeline.models import Status
from kam.stakeholders.models import PersonalInfo
from tests.factories import AccountFactory, ActivityFactory, ContactFactory
from tests.forecasting.factories import deal
from tests.receivables.factories import contract_for, invoice_for

pytestmark = pytest.mark.django_db


def _sheet(response):  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    assert response["Content-Disposition"].startswith("attachment;")
    ws = load_workbook(BytesIO(response.content)).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return rows[0], [r for r in rows[1:] if any(v is not None for v in r)]


@pytest.fixture
def lists(org):  # type: ignore[no-untyped-def]
    mine = AccountFactory(name="甲方上海", owner=org.rep, city="上海")
    mine2 = AccountFactory(name="乙方苏州", owner=org.rep, city="苏州")
    theirs = AccountFactory(name="丙方北京", owner=org.north_rep, city="北京")
    today = timezone.localdate()
    deals = [
        deal(mine, "300", "design", name="上海大单"),
        deal(mine, "100", "interest", name="上海小单"),
        deal(mine2, "200", "design", name="苏州单", status=Status.LOST, closed_on=today),
        deal(theirs, "900", "design", name="北京单"),
    ]
    person = ContactFactory(account=mine, name="王经理", phone="13800000000")
    PersonalInfo.objects.create(
        contact=person, family="女儿在读高中", birthday=date(1975, 5, 4), hobbies="钓鱼"
    )
    ContactFactory(account=theirs, name="赵经理")
    ActivityFactory(account=mine, objective="客户同意安排技术交流")
    ActivityFactory(account=theirs, objective="客户同意试用")
    contract = contract_for(mine, org.rep, amount="1000", signed_on=today - timedelta(40))
    invoice_for(contract, org.finance, amount="600", issued_on=today - timedelta(40), due_in=10)
    contract_for(theirs, org.north_rep, amount="5000", signed_on=today - timedelta(40))
    return deals


def _page_names(client, url, column="name"):  # type: ignore[no-untyped-def]
    listing = client.get(url).context["listing"]
    return [getattr(row, column) for row in listing.rows]


def test_opportunities_export_equals_the_filtered_sorted_list(org, lists, login):
    client = login(org.rep)
    query = "status=open&sort=-amount"
    page = _page_names(client, f"{reverse('pipeline:list')}?{query}")
    header, rows = _sheet(
        client.get(f"{reverse('reports:export', args=['opportunities'])}?{query}")
    )
    assert [r[0] for r in rows] == page == ["上海大单", "上海小单"]
    amount = header.index("Amount") if "Amount" in header else 4
    assert [Decimal(str(r[amount])) for r in rows] == [Decimal("300"), Decimal("100")]
    lost = _sheet(client.get(f"{reverse('reports:export', args=['opportunities'])}?status=lost"))
    assert [r[0] for r in lost[1]] == ["苏州单"]


def test_accounts_export_follows_the_search(org, lists, login):
    client = login(org.rep)
    page = _page_names(client, f"{reverse('accounts:list')}?q=上海")
    _header, rows = _sheet(client.get(f"{reverse('reports:export', args=['accounts'])}?q=上海"))
    assert [r[0] for r in rows] == page == ["甲方上海"]
    _header, everything = _sheet(client.get(reverse("reports:export", args=["accounts"])))
    assert {r[0] for r in everything} == {"甲方上海", "乙方苏州"}


def test_no_export_shows_another_teams_records(org, lists, login):
    client = login(org.rep)
    for name in ("accounts", "people", "opportunities", "activities", "contracts", "invoices"):
        _header, rows = _sheet(client.get(reverse("reports:export", args=[name])))
        text = " ".join(str(v) for r in rows for v in r)
        assert "北京" not in text and "赵经理" not in text and "丙方" not in text, name


def test_people_export_never_carries_personal_information(org, lists, login):
    client = login(org.director)
    header, rows = _sheet(client.get(reverse("reports:export", args=["people"])))
    text = " ".join(str(v) for r in [header, *rows] for v in r)
    assert "王经理" in text
    for secret in ("女儿在读高中", "钓鱼", "1975", "13800000000"):
        assert secret not in text


def test_exports_are_recorded_in_the_audit_trail(org, lists, login):
    login(org.rep).get(f"{reverse('reports:export', args=['activities'])}?kind=sales_visit")
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, actor=org.rep)
    assert event.changes["list"] == "activities" and event.changes["rows"] == 1


def test_a_long_list_is_cut_with_a_note(org, lists, login, monkeypatch):
    monkeypatch.setattr("kam.ui.exports.MAX_ROWS", 1)
    rows = _sheet(login(org.rep).get(reverse("reports:export", args=["opportunities"])))[1]
    assert len(rows) == 2  # one row, then the note
    assert "1" in rows[-1][0] and rows[-1][1] is None


def test_unknown_lists_and_visitors_are_refused(org, client, login):
    assert client.get(reverse("reports:export", args=["accounts"])).status_code == 302
    assert login(org.rep).get(reverse("reports:export", args=["nothing"])).status_code == 404


def test_every_list_page_links_its_export_with_the_filters(org, lists, login):
    client = login(org.rep)
    pages = {
        "accounts": f"{reverse('accounts:list')}?q=上海",
        "people": f"{reverse('stakeholders:list')}?q=王",
        "opportunities": f"{reverse('pipeline:list')}?status=lost",
        "activities": f"{reverse('activities:list')}?kind=sales_visit",
        "contracts": f"{reverse('receivables:contracts')}?sort=amount",
        "invoices": f"{reverse('receivables:aging_invoices')}?bucket=d1_30",
    }
    for name, url in pages.items():
        html = client.get(url).content.decode()
        link = reverse("reports:export", args=[name])
        assert f'href="{link}?' in html, name
        assert "导出 Excel" in html or "导出Excel" in html or "导出到 Excel" in html, name


def test_export_query_count_does_not_grow_with_rows(
    org, lists, login, django_assert_max_num_queries
):  # type: ignore[no-untyped-def]
    account = lists[0].account
    for n in range(30):
        deal(account, str(n + 1), "interest", name=f"批量{n}")
    client = login(org.rep)
    with django_assert_max_num_queries(8):
        _sheet(client.get(reverse("reports:export", args=["opportunities"])))
