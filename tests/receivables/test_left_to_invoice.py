"""What is left to invoice of each plan line: the rule, and the figure the services keep."""

from __future__ import annotations

import importlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from kam.receivables import calculations, services
from kam.receivables.models import Installment
from tests.factories import AccountFactory
from tests.receivables import cash_rules as rules
from tests.receivables.factories import contract_for, invoice_for

D = Decimal
SIGNED = date(2026, 1, 10)

amounts = st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2)


def test_the_invoiced_total_consumes_the_oldest_line_first():
    assert calculations.left_to_invoice([D("300"), D("500"), D("200")], D("450")) == [
        D("0"),
        D("350"),
        D("200"),
    ]
    assert calculations.left_to_invoice([D("300"), D("500")], D("0")) == [D("300"), D("500")]
    assert calculations.left_to_invoice([D("300"), D("500")], D("800")) == [D("0"), D("0")]


@given(st.lists(amounts, min_size=1, max_size=8), amounts)
def test_the_rule_agrees_with_the_cash_forecast_oracle(plan, invoiced):
    lines = [(SIGNED + timedelta(days=30 * i), amount) for i, amount in enumerate(plan)]
    left = calculations.left_to_invoice(plan, invoiced)
    assert [(d, a) for (d, _), a in zip(lines, left, strict=True) if a > 0] == (
        rules.uninvoiced_lines(lines, invoiced)
    )


def _left(contract):  # type: ignore[no-untyped-def]
    return [
        (line.sequence, line.left_to_invoice)
        for line in Installment.objects.filter(contract=contract).order_by("sequence")
    ]


@pytest.mark.django_db
def test_every_change_of_plan_or_invoices_keeps_the_figure(org):
    account = AccountFactory(owner=org.rep)
    # Lines out of date order: the May line is older than the June one drawn before it.
    contract = contract_for(
        account,
        org.rep,
        amount="1000",
        signed_on=SIGNED,
        installments=[
            services.PlannedInstallment(D("400"), date(2026, 6, 1)),
            services.PlannedInstallment(D("300"), date(2026, 5, 1)),
        ],
    )
    assert _left(contract) == [(1, D("400")), (2, D("300"))]
    invoice_for(contract, org.finance, amount="350", issued_on=date(2026, 4, 20))
    assert _left(contract) == [(1, D("350")), (2, D("0"))]
    line = services.add_installment(
        contract, amount=D("300"), due_date=date(2026, 4, 1), by=org.rep
    )
    # The new line is the oldest now: the invoiced 350 covers it first.
    assert line.left_to_invoice == D("0")
    assert _left(contract) == [(1, D("400")), (2, D("250")), (3, D("0"))]


@pytest.mark.django_db
def test_a_default_plan_follows_the_contract_and_its_figure_too(org):
    contract = contract_for(AccountFactory(owner=org.rep), org.rep, amount="1000")
    invoice_for(contract, org.finance, amount="600")
    assert _left(contract) == [(1, D("400"))]
    contract.refresh_from_db()
    services.update_contract(
        contract, by=org.rep, expected_version=contract.version, amount=D("1500")
    )
    assert _left(contract) == [(1, D("900"))]


@pytest.mark.django_db
def test_the_migration_fills_in_existing_plans(org):
    contract = contract_for(
        AccountFactory(owner=org.rep),
        org.rep,
        amount="1000",
        installments=[
            services.PlannedInstallment(D("599.95"), date(2026, 3, 1)),
            services.PlannedInstallment(D("400.05"), date(2026, 2, 1)),
        ],
    )
    invoice_for(contract, org.finance, amount="500.10")
    expected = _left(contract)
    Installment.objects.update(left_to_invoice=D("0"))
    migration = importlib.import_module(
        "kam.receivables.migrations.0006_installment_left_to_invoice"
    )
    migration.backfill(apps, connection.schema_editor())
    assert _left(contract) == expected == [(1, D("499.90")), (2, D("0"))]
    # Nothing is left as a floating-point crumb above zero (SQLite's arithmetic).
    assert Installment.objects.filter(contract=contract, left_to_invoice__gt=0).count() == 1
