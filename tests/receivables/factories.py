"""Receivables factories: contracts go through the service, so the ledger stays consistent."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from kam.accounts.models import Account
from kam.core.models import User
from kam.receivables import services
from kam.receivables.models import Contract, Invoice, Payment


def contract_for(
    account: Account,
    by: User,
    *,
    amount: str = "100000",
    margin: str = "20",
    signed_on: date | None = None,
    **kwargs,  # type: ignore[no-untyped-def]
) -> Contract:
    return services.create_contract(
        account=account,
        name=kwargs.pop("name", "设备采购合同"),
        amount=Decimal(amount),
        gross_margin_pct=Decimal(margin),
        signed_on=signed_on or date(2026, 1, 10),
        by=by,
        **kwargs,
    )


def invoice_for(
    contract: Contract,
    by: User,
    *,
    amount: str = "100000",
    issued_on: date | None = None,
    due_in: int = 30,
) -> Invoice:
    issued = issued_on or date(2026, 1, 15)
    return services.issue_invoice(
        contract,
        amount=Decimal(amount),
        issued_on=issued,
        due_date=issued + timedelta(days=due_in),
        by=by,
    )


def payment_for(
    account: Account, by: User, amount: str, received_on: date | None = None, **kwargs
) -> Payment:  # type: ignore[no-untyped-def]
    return services.record_payment(
        account=account,
        amount=Decimal(amount),
        received_on=received_on or date(2026, 2, 1),
        by=by,
        **kwargs,
    )
