"""Contracts found by contract number, their invoices by invoice number."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam.core.models import User
from kam.core.phrases import Phrase, joined, phrase
from kam.imports.cells import parse_date, parse_percent
from kam.imports.columns import Column, code, text
from kam.imports.kinds.base import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Importer,
    Outcome,
    RowRefused,
    account_column,
    non_negative,
    positive_int,
    refuse,
    shown,
)
from kam.imports.models import Kind
from kam.pipeline.models import Opportunity
from kam.receivables import services as receivable_services
from kam.receivables.models import Contract, Invoice


class ContractImporter(Importer):
    kind = Kind.CONTRACTS
    several_writes = True
    edits_accounts = False
    columns = [
        Column(
            "number", gettext_lazy("Contract number"), code, required=True, example="HT2026-00123"
        ),
        account_column(),
        Column(
            "name",
            gettext_lazy("Contract name"),
            text(200),
            required=True,
            example="数据中心扩容一期",
        ),
        Column(
            "amount", gettext_lazy("Contract amount"), non_negative, required=True, example=800000
        ),
        Column(
            "gross_margin_pct",
            gettext_lazy("Gross margin (%)"),
            parse_percent,
            required=True,
            example="32%",
        ),
        Column(
            "signed_on", gettext_lazy("Signed on"), parse_date, required=True, example="2026-06-30"
        ),
        Column(
            "payment_terms_days", gettext_lazy("Payment terms (days)"), positive_int, example=60
        ),
        Column("opportunity", gettext_lazy("Won opportunity"), text(200)),
        Column("invoice_number", gettext_lazy("Invoice number"), code),
        Column("invoice_amount", gettext_lazy("Invoice amount"), non_negative),
        Column("issued_on", gettext_lazy("Invoice issued on"), parse_date),
        Column("due_date", gettext_lazy("Invoice due date"), parse_date),
    ]

    def may_import(self) -> str:
        return ""

    def key(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return (values["number"].upper(), values.get("invoice_number", "").upper())

    TERMS = ["name", "amount", "gross_margin_pct", "signed_on", "payment_terms_days"]

    def __init__(self, by: User | None, via: str) -> None:
        super().__init__(by, via)
        # The contract terms the file gave first for each contract number.
        self._terms: dict[str, dict[str, Any]] = {}

    def apply(self, values: dict[str, Any]) -> Outcome:
        account = self.account(values["account"])
        label = values["number"]
        action = UNCHANGED
        described: list[Phrase] = []
        self._same_terms_as_before(values)
        contract = Contract.objects.filter(number__iexact=values["number"]).first()
        if contract is not None and contract.account_id != account.pk:
            raise refuse("number", _("This contract number is used at another account."))
        if contract is not None:
            self._same_opportunity(contract, values)
            changed = self.changes(contract, values, self.TERMS)
            if changed:
                described.append(self.describe(contract, changed))
                receivable_services.update_contract(
                    contract,
                    by=self.actor,
                    expected_version=None,
                    via=self.via,
                    **changed,
                )
                action = UPDATE
        else:
            opportunity = None
            if "opportunity" in values:
                opportunity = Opportunity.objects.filter(
                    account=account, name=values["opportunity"]
                ).first()
                if opportunity is None:
                    raise refuse(
                        "opportunity",
                        _("No opportunity “%(name)s” at this account.")
                        % {"name": values["opportunity"]},
                    )
            contract = receivable_services.create_contract(
                account=account,
                name=values["name"],
                amount=values["amount"],
                gross_margin_pct=values["gross_margin_pct"],
                signed_on=values["signed_on"],
                by=self.actor,
                via=self.via,
                opportunity=opportunity,
                number=values["number"],
                payment_terms_days=values.get("payment_terms_days", 30),
            )
            action = CREATE
        if "invoice_number" in values:
            label = f"{values['number']} · {values['invoice_number']}"
            if not Invoice.objects.filter(number__iexact=values["invoice_number"]).exists():
                missing = [
                    (key, _("An invoice needs this too."))
                    for key in ("invoice_amount", "issued_on")
                    if key not in values
                ]
                if missing:
                    raise RowRefused(missing)
                invoice = receivable_services.issue_invoice(
                    contract,
                    amount=values["invoice_amount"],
                    issued_on=values["issued_on"],
                    due_date=values.get("due_date"),
                    number=values["invoice_number"],
                    by=self.actor,
                    via=self.via,
                )
                if action != CREATE:
                    described.append(
                        phrase(
                            gettext_lazy("Invoice %(number)s issued: %(amount)s"),
                            number=invoice.number,
                            amount=f"{invoice.amount:,.2f}",
                        )
                    )
                    action = UPDATE
        return Outcome(action, label, joined(described, "; ") if described else "")

    def _same_terms_as_before(self, values: dict[str, Any]) -> None:
        """Rows of one contract (one per invoice) must agree on the contract's terms."""
        number = values["number"].upper()
        terms = {k: values[k] for k in self.TERMS if k in values}
        if number not in self._terms:
            self._terms[number] = terms
            return
        first = self._terms[number]
        differ = [k for k in terms if k in first and terms[k] != first[k]]
        if differ:
            raise RowRefused(
                [
                    (
                        key,
                        _("An earlier row gives this contract another value: %(value)s.")
                        % {"value": shown(Contract._meta.get_field(key), first[key])},
                    )
                    for key in differ
                ]
            )

    def _same_opportunity(self, contract: Contract, values: dict[str, Any]) -> None:
        if "opportunity" not in values:
            return
        linked = contract.opportunity.name if contract.opportunity is not None else ""
        if linked.lower() != values["opportunity"].lower():
            raise refuse(
                "opportunity",
                _(
                    "This contract is linked to “%(linked)s”; an import does not change "
                    "which opportunity a contract came from."
                )
                % {"linked": linked or "—"},
            )
