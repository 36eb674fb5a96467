"""Each kind end to end: dry run, commit, matching, duplicates, permissions, faults."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from kam.accounts import services as account_services
from kam.accounts.models import Account
from kam.activities.models import Activity
from kam.core.models import AuditEvent
from kam.imports.models import BatchStatus
from kam.pipeline import services as pipeline_services
from kam.pipeline.models import Opportunity, StageChange, Status
from kam.pipeline.selectors import field_history
from kam.receivables.models import Contract, Invoice, Payment
from kam.stakeholders.models import Contact, Stakeholder
from tests.factories import AccountFactory, ContactFactory, OpportunityFactory
from tests.imports.conftest import errors
from tests.imports.helpers import headers

pytestmark = pytest.mark.django_db
SOON = timezone.localdate() + dt.timedelta(days=90)


def deal_rows(*rows):  # type: ignore[no-untyped-def]
    return [
        headers("opportunities", "account", "name", "amount", "expected_close_date", "stage"),
        *rows,
    ]


# --- accounts


def test_accounts_are_created_then_matched_by_name_and_updated(org, run):
    rows = [
        headers("accounts", "name", "industry", "city", "employees"),
        ["上海示例电子（集团）有限公司", "制造业", "上海", "１,２００"],
        ["Hangzhou Demo Ltd", "Banking and finance", " 杭州 ", 300],
    ]
    batch = run(org.rep, "accounts", rows)
    assert batch.status == BatchStatus.COMMITTED, errors(batch)
    assert (batch.created_count, batch.updated_count) == (2, 0)
    account = Account.objects.get(name="上海示例电子(集团)有限公司")
    assert account.owner == org.rep and account.industry == "manufacturing"
    assert account.employees == 1200
    assert (
        AuditEvent.objects.filter(object_type="accounts.account", interface="import").count() >= 2
    )

    # The upload and the commit are recorded by their counts, never the file's rows.
    uploaded, committed = AuditEvent.objects.filter(object_type="imports.importbatch").order_by(
        "pk"
    )
    assert uploaded.action == AuditEvent.Action.CREATE
    assert (uploaded.changes["kind"], uploaded.changes["content"]) == ("accounts", "***")
    assert uploaded.changes["size"] == batch.size
    assert committed.changes["status"] == [BatchStatus.COMMITTING, BatchStatus.COMMITTED]
    assert (committed.changes["created"], committed.changes["updated"]) == (2, 0)
    assert "report" not in committed.changes and "杭州" not in str(committed.changes)

    again = run(
        org.rep,
        "accounts",
        [rows[0], ["上海示例电子(集团)有限公司", "制造业", "苏州", 1200], rows[2]],
    )
    assert again.status == BatchStatus.COMMITTED, errors(again)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 1, 1)
    account.refresh_from_db()
    assert account.city == "苏州"
    assert Account.objects.count() == 2


def test_a_dry_run_reports_but_writes_nothing(org, run):
    rows = [headers("accounts", "name", "city"), ["新客户甲", "上海"], ["新客户乙", "北京"]]
    events = AuditEvent.objects.count()
    batch = run(org.rep, "accounts", rows, dry_run=True)
    assert batch.status == BatchStatus.READY
    assert batch.created_count == 2
    assert [r["action"] for r in batch.report["rows"]] == ["create", "create"]
    assert not Account.objects.exists()
    # Only the upload itself is audited.
    assert AuditEvent.objects.count() == events + 1


def test_duplicates_inside_the_file_are_reported_and_block_the_import(org, run):
    rows = [headers("accounts", "name"), ["重复客户"], ["其他客户"], [" 重复客户 "]]
    batch = run(org.rep, "accounts", rows)
    assert batch.status == BatchStatus.INVALID
    assert errors(batch) == [(4, "", "Duplicate of row 2: each record may appear once in a file.")]
    assert not Account.objects.exists()


def test_finance_may_not_import_accounts(org, run):
    with pytest.raises(PermissionDenied):
        run(org.finance, "accounts", [headers("accounts", "name"), ["甲"]])


# --- opportunities


def test_opportunities_are_created_in_the_named_stage_with_history_and_audit(org, run):
    account = AccountFactory(owner=org.rep, name="上海示例电子有限公司")
    rows = deal_rows(
        ["上海示例电子有限公司", "数据中心扩容", "1,200,000", SOON, "Interest"],
        ["上海示例电子有限公司", "机房改造", 300000.5, SOON.isoformat(), ""],
    )
    batch = run(org.rep, "opportunities", rows)
    assert batch.status == BatchStatus.COMMITTED, errors(batch)
    deal = Opportunity.objects.get(name="数据中心扩容")
    assert deal.account == account and deal.amount == Decimal("1200000")
    assert deal.owner == org.rep and deal.stage.key == "interest"
    assert StageChange.objects.filter(opportunity=deal).count() == 1
    assert AuditEvent.objects.filter(
        object_type="pipeline.opportunity", object_id=str(deal.pk), interface="import"
    ).exists()
    other = Opportunity.objects.get(name="机房改造")
    assert other.amount == Decimal("300000.5") and other.stage.order == 1


def test_an_existing_opportunity_is_updated_with_its_field_history(org, run):
    account = AccountFactory(owner=org.rep, name="甲公司")
    deal = OpportunityFactory(account=account, name="扩容", amount=Decimal("100"))
    batch = run(org.rep, "opportunities", deal_rows(["甲公司", "扩容", 250, SOON, ""]))
    assert batch.status == BatchStatus.COMMITTED, errors(batch)
    assert batch.updated_count == 1
    deal.refresh_from_db()
    assert deal.amount == Decimal("250") and deal.expected_close_date == SOON
    assert "amount" in [c.field for c in field_history(deal)]


def test_rows_break_the_services_rules_and_say_why(org, run):
    AccountFactory(owner=org.rep, name="甲公司")
    long_ago = timezone.localdate() - dt.timedelta(days=400)
    rows = deal_rows(
        ["甲公司", "过期商机", 100, long_ago, ""],
        ["甲公司", "负数商机", -5, SOON, ""],
        ["甲公司", "怪阶段", 5, SOON, "谈恋爱"],
        ["乙公司", "无此客户", 5, SOON, ""],
        ["甲公司", "好商机", 5, SOON, ""],
    )
    batch = run(org.rep, "opportunities", rows)
    assert batch.status == BatchStatus.INVALID
    found = {(row, column) for row, column, _message in errors(batch)}
    assert found == {
        (2, "expected_close_date"),
        (3, "amount"),
        (4, "stage"),
        (5, "account"),
    }
    assert batch.created_count == 1  # the good row would be created
    assert not Opportunity.objects.exists()


def test_a_rep_cannot_import_into_another_team_s_account_and_learns_nothing(org, run):
    AccountFactory(owner=org.north_rep, name="北方机密客户")
    batch = run(org.rep, "opportunities", deal_rows(["北方机密客户", "偷偷加", 5, SOON, ""]))
    assert batch.status == BatchStatus.INVALID
    assert errors(batch) == [(2, "account", "No account named “北方机密客户” that you can see.")]
    assert not Opportunity.objects.exists()


def test_a_manager_imports_into_the_team_s_accounts(org, run):
    AccountFactory(owner=org.rep, name="甲公司")
    batch = run(org.east_manager, "opportunities", deal_rows(["甲公司", "经理导入", 5, SOON, ""]))
    assert batch.status == BatchStatus.COMMITTED, errors(batch)
    assert Opportunity.objects.get().owner == org.east_manager


def test_a_crash_mid_import_leaves_the_database_unchanged(org, run, monkeypatch):
    """Fault injection (issue 10, no. 8): the third account's creation raises."""
    rows = [headers("accounts", "name"), ["客户一"], ["客户二"], ["客户三"], ["客户四"]]
    batch = run(org.rep, "accounts", rows, dry_run=True)
    assert batch.status == BatchStatus.READY
    real = account_services.create_account
    calls = {"n": 0}

    def flaky(**kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk on fire")
        return real(**kwargs)

    monkeypatch.setattr(account_services, "create_account", flaky)
    accounts, events = Account.objects.count(), AuditEvent.objects.count()
    from kam.imports import services

    batch = services.commit_batch(services.request_commit(batch, by=org.rep))
    assert calls["n"] == 3
    assert batch.status == BatchStatus.FAILED and "nothing was changed" in batch.message
    assert Account.objects.count() == accounts == 0
    assert AuditEvent.objects.count() == events


def test_a_crash_in_the_bulk_insert_of_opportunities_leaves_nothing(org, run, monkeypatch):
    AccountFactory(owner=org.rep, name="甲公司")
    rows = deal_rows(*[["甲公司", f"商机{i}", 5, SOON, ""] for i in range(5)])
    batch = run(org.rep, "opportunities", rows, dry_run=True)

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("connection lost")

    monkeypatch.setattr(pipeline_services, "create_opportunities", broken)
    from kam.imports import services

    batch = services.commit_batch(services.request_commit(batch, by=org.rep))
    assert batch.status == BatchStatus.FAILED
    assert not Opportunity.objects.exists()


def test_a_row_refused_at_commit_time_rolls_back_the_rows_before_it(org, run):
    """Something changed between the dry run and the commit: nothing is half-imported."""
    rows = [headers("accounts", "name"), ["客户一"], ["客户二"], ["客户三"]]
    batch = run(org.rep, "accounts", rows, dry_run=True)
    AccountFactory(owner=org.north_rep, name="客户三")
    from kam.imports import services

    batch = services.commit_batch(services.request_commit(batch, by=org.rep))
    assert batch.status == BatchStatus.FAILED
    assert errors(batch)[0][0] == 4
    assert list(Account.objects.values_list("name", flat=True)) == ["客户三"]


def test_a_batch_is_committed_once(org, run):
    AccountFactory(owner=org.rep, name="甲公司")
    batch = run(org.rep, "opportunities", deal_rows(["甲公司", "一次", 5, SOON, ""]))
    from kam.imports import services

    with pytest.raises(Exception, match="only once"):
        services.request_commit(batch, by=org.rep)
    assert Opportunity.objects.count() == 1


# --- people and their roles


def test_people_are_matched_by_name_or_phone_and_get_roles_on_a_deal(org, run):
    account = AccountFactory(owner=org.rep, name="甲公司")
    deal = OpportunityFactory(account=account, name="扩容")
    ContactFactory(account=account, name="王建国", phone="13800000000", title="主任")
    rows = [
        headers("contacts", "account", "name", "phone", "title", "opportunity", "roles"),
        ["甲公司", "王建国", "", "信息中心主任", "扩容", "决策者、用户"],
        ["甲公司", "李明", "13900000000", "工程师", "扩容", "Technical gatekeeper"],
    ]
    batch = run(org.rep, "contacts", rows)
    assert batch.status == BatchStatus.COMMITTED, errors(batch)
    assert (batch.created_count, batch.updated_count) == (1, 1)
    wang = Contact.objects.get(name="王建国")
    assert wang.title == "信息中心主任"
    member = Stakeholder.objects.get(opportunity=deal, contact=wang)
    assert member.is_decision_maker and member.is_user and not member.is_coach
    li = Stakeholder.objects.get(opportunity=deal, contact__name="李明")
    assert li.is_technical_gatekeeper
    # The same phone under a corrected name finds the same person.
    again = run(org.rep, "contacts", [rows[0][:3], ["甲公司", "李 明", "13900000000"]])
    assert again.updated_count == 1 and Contact.objects.filter(account=account).count() == 2


def test_roles_without_a_deal_are_refused(org, run):
    AccountFactory(owner=org.rep, name="甲公司")
    rows = [headers("contacts", "account", "name", "roles"), ["甲公司", "王建国", "教练"]]
    batch = run(org.rep, "contacts", rows)
    assert errors(batch)[0][1] == "opportunity"
    assert not Contact.objects.exists()


# --- activities


def test_activities_are_planned_and_matched_by_kind_and_time(org, run):
    account = AccountFactory(owner=org.rep, name="甲公司")
    ContactFactory(account=account, name="王建国")
    when = timezone.localtime() + dt.timedelta(days=3)
    written = f"{when:%Y/%m/%d} 14:30"
    rows = [
        headers("activities", "account", "kind", "starts_at", "objective", "contacts"),
        ["甲公司", "销售拜访", written, "客户同意安排技术交流会", "王建国"],
    ]
    batch = run(org.rep, "activities", rows)
    assert batch.status == BatchStatus.COMMITTED, errors(batch)
    activity = Activity.objects.get()
    assert timezone.localtime(activity.starts_at).strftime("%H:%M") == "14:30"
    assert list(activity.contacts.values_list("name", flat=True)) == ["王建国"]
    rows[1][3] = "客户同意下周安排演示"
    again = run(org.rep, "activities", rows)
    assert again.updated_count == 1 and Activity.objects.count() == 1
    assert Activity.objects.get().objective == "客户同意下周安排演示"


# --- contracts, invoices, payments


def test_contracts_and_invoices_by_number(org, run):
    account = AccountFactory(owner=org.rep, name="甲公司")
    rows = [
        headers(
            "contracts",
            "number",
            "account",
            "name",
            "amount",
            "gross_margin_pct",
            "signed_on",
            "invoice_number",
            "invoice_amount",
            "issued_on",
        ),
        ["HT-001", "甲公司", "一期", 100000, "30%", "2026-06-01", "FP-1", 40000, "2026-06-05"],
        ["HT-001", "甲公司", "一期", 100000, "30%", "2026-06-01", "FP-2", 60000, "2026-07-05"],
    ]
    batch = run(org.finance, "contracts", rows)
    assert batch.status == BatchStatus.COMMITTED, errors(batch)
    contract = Contract.objects.get(number="HT-001")
    assert contract.account == account and contract.gross_margin_pct == Decimal("30")
    assert sorted(Invoice.objects.values_list("number", flat=True)) == ["FP-1", "FP-2"]
    again = run(org.finance, "contracts", rows)
    assert again.unchanged_count == 2 and Invoice.objects.count() == 2


def test_a_rep_records_contracts_but_not_invoices(org, run):
    AccountFactory(owner=org.rep, name="甲公司")
    rows = [
        headers(
            "contracts",
            "number",
            "account",
            "name",
            "amount",
            "gross_margin_pct",
            "signed_on",
            "invoice_number",
            "invoice_amount",
            "issued_on",
        ),
        ["HT-9", "甲公司", "一期", 100000, 30, "2026-06-01", "", "", ""],
        ["HT-10", "甲公司", "二期", 100000, 30, "2026-06-01", "FP-9", 10, "2026-06-02"],
    ]
    batch = run(org.rep, "contracts", rows)
    assert batch.status == BatchStatus.INVALID
    assert [e[0] for e in errors(batch)] == [3]
    assert not Contract.objects.exists()


def test_payments_are_finance_s_and_a_bank_reference_is_recorded_once(org, run):
    AccountFactory(owner=org.rep, name="甲公司")
    rows = [
        headers("payments", "account", "amount", "received_on", "bank_reference"),
        ["甲公司", "５０,０００", 46000, "BOC-1"],
        ["甲公司", 1000, "2026-07-01", ""],
    ]
    with pytest.raises(PermissionDenied):
        run(org.rep, "payments", rows)
    batch = run(org.finance, "payments", rows)
    assert batch.status == BatchStatus.COMMITTED, errors(batch)
    first = Payment.objects.get(bank_reference="BOC-1")
    assert first.amount == Decimal("50000") and first.received_on == dt.date(2025, 12, 9)
    again = run(org.finance, "payments", rows[:2])
    assert again.unchanged_count == 1 and Payment.objects.count() == 2


def test_won_deals_become_contracts_only_when_won(org, run):
    account = AccountFactory(owner=org.rep, name="甲公司")
    OpportunityFactory(account=account, name="未赢", status=Status.OPEN)
    rows = [
        headers(
            "contracts",
            "number",
            "account",
            "name",
            "amount",
            "gross_margin_pct",
            "signed_on",
            "opportunity",
        ),
        ["HT-7", "甲公司", "一期", 1000, 30, "2026-06-01", "未赢"],
    ]
    batch = run(org.rep, "contracts", rows)
    assert errors(batch)[0][1] == "opportunity"


def test_accounts_import_their_attitude_and_product_usage(org, run):
    rows = [
        headers("accounts", "name", "attitude", "product_usage"),
        ["态度客户甲", "积极", "Heavy user"],
        ["态度客户乙", "hostile", "未使用"],
    ]
    batch = run(org.rep, "accounts", rows)
    assert batch.status == BatchStatus.COMMITTED, errors(batch)
    first = Account.objects.get(name="态度客户甲")
    second = Account.objects.get(name="态度客户乙")
    assert (first.attitude, first.product_usage) == ("positive", "heavy")
    assert (second.attitude, second.product_usage) == ("hostile", "non_user")
    wrong = run(org.rep, "accounts", [rows[0], ["态度客户丙", "暴躁", ""]], dry_run=True)
    assert any("is not on the list" in message for _row, _column, message in errors(wrong))
