"""Payments, found by account + bank reference (without one, each row is a new payment)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam.imports.cells import parse_date, parse_decimal
from kam.imports.columns import Column, choice, code, text
from kam.imports.kinds.base import (
    CREATE,
    UNCHANGED,
    Importer,
    Outcome,
    account_column,
    non_negative,
)
from kam.imports.models import Kind
from kam.receivables import permissions as money
from kam.receivables import services as receivable_services
from kam.receivables.models import Payment, PaymentMethod


class PaymentImporter(Importer):
    kind = Kind.PAYMENTS
    edits_accounts = False
    columns = [
        account_column(),
        Column(
            "amount", gettext_lazy("Amount received"), non_negative, required=True, example=200000
        ),
        Column(
            "received_on",
            gettext_lazy("Received on"),
            parse_date,
            required=True,
            example="2026-07-15",
        ),
        Column("currency", gettext_lazy("Currency"), code, example="CNY"),
        Column("exchange_rate", gettext_lazy("Rate to CNY"), parse_decimal),
        Column("method", gettext_lazy("Payment method"), choice(lambda: PaymentMethod.choices)),
        Column("bank_reference", gettext_lazy("Bank reference"), code, example="BOC20260715001"),
        Column("note", gettext_lazy("Note"), text(300)),
    ]

    def may_import(self) -> str:
        if self.by is not None and not money.handles_money(self.by):
            return _("Payments are recorded by finance.")
        return ""

    def key(self, values: dict[str, Any]) -> tuple[Any, ...] | None:
        if not values.get("bank_reference"):
            return None
        return (values["bank_reference"].upper(),)

    def apply(self, values: dict[str, Any]) -> Outcome:
        account = self.account(values["account"])
        reference = values.get("bank_reference", "")
        label = f"{account.name} · {values['received_on']:%Y-%m-%d} · {values['amount']:,.2f}"
        if (
            reference
            and Payment.objects.filter(
                Q(bank_reference__iexact=reference), account=account
            ).exists()
        ):
            return Outcome(UNCHANGED, label)
        receivable_services.record_payment(
            account=account,
            amount=values["amount"],
            received_on=values["received_on"],
            by=self.actor,
            via=self.via,
            currency=values.get("currency", "CNY"),
            exchange_rate=values.get("exchange_rate"),
            method=values.get("method", PaymentMethod.BANK_TRANSFER),
            bank_reference=reference,
            note=values.get("note", ""),
        )
        return Outcome(CREATE, label)
