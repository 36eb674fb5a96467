"""Rows that match existing records update them through the same services as the pages:
a deal's stage moves with its exit criteria and qualification rules, a contract's terms
change within what its invoices and payment plan allow (issue 8, item 3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kam.imports import selectors
from kam.imports.models import BatchStatus
from kam.pipeline.models import Opportunity, StageChange, Status
from kam.receivables import services as receivable_services
from kam.receivables.models import Contract, CreditStatus
from tests.factories import AccountFactory, OpportunityFactory
from tests.imports.conftest import errors
from tests.imports.helpers import headers
from tests.receivables.factories import contract_for, invoice_for

pytestmark = pytest.mark.django_db
SOON = timezone.localdate() + dt.timedelta(days=90)
D = Decimal


def moves(*rows):  # type: ignore[no-untyped-def]
    return [
        headers(
            "opportunities",
            "account",
            "name",
            "amount",
            "expected_close_date",
            "stage",
            "exit_criteria_met",
            "override_reason",
        ),
        *rows,
    ]


CONTRACT_COLUMNS = ("number", "account", "name", "amount", "gross_margin_pct", "signed_on")


def contract_rows(*rows, then=("payment_terms_days",)):  # type: ignore[no-untyped-def]
    """A contracts sheet: the contract's own columns, then ``then``, then ``rows``."""
    return [headers("contracts", *CONTRACT_COLUMNS, *then), *rows]


@pytest.fixture
def deal(org):  # type: ignore[no-untyped-def]
    account = AccountFactory(owner=org.rep, name="甲公司")
    return OpportunityFactory(account=account, name="扩容", amount=D("100"), owner=org.rep)


# --- a deal's stage


def test_moving_forward_needs_the_exit_criteria_confirmed_in_the_row(org, run, deal):
    refused = run(org.rep, "opportunities", moves(["甲公司", "扩容", 100, SOON, "酝酿", "", ""]))
    assert refused.status == BatchStatus.INVALID
    [(row, column, message)] = errors(refused)
    assert (row, column) == (2, "exit_criteria_met")
    assert message.startswith("Confirm the exit criteria of the stage being left first")
    deal.refresh_from_db()
    assert deal.stage.key == "interest"

    row = ["甲公司", "扩容", 100, deal.expected_close_date, "Brewing", "是", ""]
    batch = run(org.rep, "opportunities", moves(row))
    assert batch.status == BatchStatus.COMMITTED, errors(batch)
    assert batch.updated_count == 1
    assert selectors.report_rows(batch)[0]["changes"] == "Stage: Interest → Brewing"
    deal.refresh_from_db()
    assert deal.stage.key == "brewing"
    change = StageChange.objects.filter(opportunity=deal).latest("pk")
    assert change.to_stage.key == "brewing" and "Interest" in change.exit_criteria_confirmed


def test_an_unqualified_deal_passes_the_second_stage_only_with_a_manager_s_reason(org, run, deal):
    row = ["甲公司", "扩容", 100, SOON, "设计", "是", "客户高层已口头确认预算"]
    refused = run(org.rep, "opportunities", moves(row))
    [(_row, column, message)] = errors(refused)
    assert column == "stage" and "not qualified" in message
    batch = run(org.east_manager, "opportunities", moves(row))
    assert batch.status == BatchStatus.COMMITTED, errors(batch)
    deal.refresh_from_db()
    assert deal.stage.key == "design"
    assert deal.qualification_override_reason == "客户高层已口头确认预算"
    assert deal.qualification_override_by == org.east_manager


def test_a_deal_moves_back_without_confirmation_and_its_edits_come_along(org, run, deal):
    deal.stage = deal.stage.model.stages.get(key="design")
    deal.save()
    batch = run(org.rep, "opportunities", moves(["甲公司", "扩容", 250, SOON, "兴趣", "", ""]))
    assert batch.status == BatchStatus.COMMITTED, errors(batch)
    deal.refresh_from_db()
    assert deal.stage.key == "interest" and deal.amount == D("250")
    changes = selectors.report_rows(batch)[0]["changes"]
    assert "Amount: 100.00 → 250.00" in changes and "Stage: Design → Interest" in changes


def test_a_closed_deal_does_not_move_and_the_row_says_so(org, run, deal):
    deal.status = Status.LOST
    deal.save()
    batch = run(org.rep, "opportunities", moves(["甲公司", "扩容", 100, SOON, "酝酿", "", ""]))
    assert errors(batch) == [
        (2, "stage", "Only an open opportunity can change stage; reopen it first.")
    ]


def test_the_dry_run_says_what_would_change_and_writes_nothing(org, run, deal):
    batch = run(
        org.rep,
        "opportunities",
        moves(["甲公司", "扩容", 250, SOON, "酝酿", "是", ""]),
        dry_run=True,
    )
    assert batch.status == BatchStatus.READY
    [row] = selectors.report_rows(batch)
    assert row["action"] == "update"
    assert row["changes"] == (
        f"Amount: 100.00 → 250.00; Expected close date: {deal.expected_close_date} → {SOON}; "
        "Stage: Interest → Brewing"
    )
    deal.refresh_from_db()
    assert deal.stage.key == "interest" and deal.amount == D("100")
    assert not StageChange.objects.filter(opportunity=deal).exclude(from_stage=None).exists()


def test_one_refused_move_imports_nothing_of_the_file(org, run, deal):
    OpportunityFactory(account=deal.account, name="机房", amount=D("5"))
    batch = run(
        org.rep,
        "opportunities",
        moves(
            ["甲公司", "机房", 999, SOON, "", "", ""],
            ["甲公司", "扩容", 100, SOON, "比较", "", ""],
        ),
    )
    assert batch.status == BatchStatus.INVALID
    assert [e[:2] for e in errors(batch)] == [(3, "exit_criteria_met")]
    assert Opportunity.objects.get(name="机房").amount == D("5")


def test_a_deal_in_another_stage_model_moves_within_its_own(org, run, deal):
    from kam.pipeline.models import Stage

    entrance = Stage.objects.get(key="entrance")
    deal.stage = entrance
    deal.save()
    batch = run(
        org.rep,
        "opportunities",
        moves(["甲公司", "扩容", 100, SOON, "Lead the process", "yes", ""]),
    )
    assert batch.status == BatchStatus.COMMITTED, errors(batch)
    deal.refresh_from_db()
    assert deal.stage.key == "demand"


# --- contracts


def test_an_existing_contract_takes_the_new_terms_and_its_plan_follows(org, run):
    account = AccountFactory(owner=org.rep, name="甲公司")
    contract = contract_for(account, org.rep, amount="100000", margin="20", number="HT-1")
    rows = contract_rows(["HT-1", "甲公司", "设备采购合同", 120000, "25%", "2026-01-10", 60])
    dry = run(org.rep, "contracts", rows, dry_run=True)
    assert dry.status == BatchStatus.READY, errors(dry)
    [row] = selectors.report_rows(dry)
    assert row["action"] == "update"
    assert row["changes"] == (
        "Amount: 100,000.00 → 120,000.00; Gross margin (%): 20.00 → 25.00; "
        "Payment terms (days): 30 → 60"
    )
    contract.refresh_from_db()
    assert contract.amount == D("100000")

    batch = run(org.rep, "contracts", rows)
    assert batch.status == BatchStatus.COMMITTED, errors(batch)
    contract.refresh_from_db()
    assert (contract.amount, contract.gross_margin_pct, contract.payment_terms_days) == (
        D("120000"),
        D("25"),
        60,
    )
    [line] = contract.installments.all()
    assert line.amount == D("120000") and line.due_date == dt.date(2026, 3, 11)
    assert run(org.rep, "contracts", rows).unchanged_count == 1


def test_a_contract_cannot_fall_below_its_invoices_or_its_plan(org, run):
    account = AccountFactory(owner=org.rep, name="甲公司")
    invoiced = contract_for(account, org.finance, amount="100000", number="HT-1")
    invoice_for(invoiced, org.finance, amount="80000")
    planned = contract_for(
        account,
        org.rep,
        amount="100000",
        number="HT-2",
        installments=[
            receivable_services.PlannedInstallment(D("50000"), dt.date(2026, 2, 1)),
            receivable_services.PlannedInstallment(D("50000"), dt.date(2026, 4, 1)),
        ],
    )
    batch = run(
        org.finance,
        "contracts",
        contract_rows(
            ["HT-1", "甲公司", "设备采购合同", 70000, 20, "2026-01-10", 30],
            ["HT-2", "甲公司", "设备采购合同", 90000, 20, "2026-01-10", 30],
        ),
    )
    assert batch.status == BatchStatus.INVALID
    assert errors(batch) == [
        (2, "amount", "80,000.00 is invoiced already; the contract cannot be less."),
        (
            3,
            "amount",
            "The payment plan adds up to 100,000.00, more than the contract; "
            "change the plan on the contract's page first.",
        ),
    ]
    assert Contract.objects.get(number="HT-2").amount == D("100000")
    assert planned.installments.count() == 2


def test_invoice_rows_of_one_contract_must_agree_on_its_terms(org, run):
    AccountFactory(owner=org.rep, name="甲公司")
    rows = contract_rows(
        ["HT-5", "甲公司", "一期", 1000, 20, "2026-01-10", "FP-1", 100, "2026-01-11"],
        ["HT-5", "甲公司", "一期", 2000, 20, "2026-01-10", "FP-2", 100, "2026-01-12"],
        then=("invoice_number", "invoice_amount", "issued_on"),
    )
    batch = run(org.finance, "contracts", rows)
    assert errors(batch) == [
        (3, "amount", "An earlier row gives this contract another value: 1,000.00.")
    ]
    assert not Contract.objects.exists()


def test_a_larger_contract_passes_the_credit_check_again(org, run):
    account = AccountFactory(owner=org.rep, name="甲公司")
    contract = contract_for(account, org.rep, amount="100000", number="HT-1")
    receivable_services.set_credit(
        account, by=org.finance, expected_version=None, credit_limit=D("150000"), on_hold=False
    )
    batch = run(
        org.rep,
        "contracts",
        contract_rows(["HT-1", "甲公司", "设备采购合同", 200000, 20, "2026-01-10", 30]),
    )
    assert batch.status == BatchStatus.COMMITTED, errors(batch)
    contract.refresh_from_db()
    assert contract.credit_status == CreditStatus.HELD and "credit limit" in contract.credit_note


def test_an_import_does_not_relink_a_contract_to_another_deal(org, run):
    account = AccountFactory(owner=org.rep, name="甲公司")
    won = OpportunityFactory(account=account, name="已赢", status=Status.WON)
    OpportunityFactory(account=account, name="另一个", status=Status.WON)
    contract_for(account, org.rep, number="HT-1", opportunity=won)
    rows = contract_rows(
        ["HT-1", "甲公司", "设备采购合同", 100000, 20, "2026-01-10", "另一个"],
        then=("opportunity",),
    )
    batch = run(org.rep, "contracts", rows)
    [(row, column, message)] = errors(batch)
    assert (row, column) == (2, "opportunity") and "“已赢”" in message
