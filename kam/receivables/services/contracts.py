"""Contracts and their payment plans (DOMAIN.md §6): created from a won deal, corrected,
held by the credit check until finance releases them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from kam.accounts.models import Account
from kam.core import changes
from kam.core.concurrency import save_versioned
from kam.core.models import AuditEvent, Interface, User
from kam.pipeline.models import Opportunity, Status
from kam.receivables import calculations, permissions
from kam.receivables.models import ZERO, Contract, CreditStatus, Installment, PaymentCondition
from kam.receivables.services.checks import checked_amount, next_number, require
from kam.receivables.services.credit import credit_check
from kam.receivables.services.habits import refresh_payment_habits


@dataclass(frozen=True)
class PlannedInstallment:
    amount: Decimal
    due_date: date
    condition: str = PaymentCondition.DATE
    note: str = ""


def create_contract(
    *,
    account: Account,
    name: str,
    amount: Decimal,
    gross_margin_pct: Decimal,
    signed_on: date,
    by: User,
    via: str = Interface.WEB,
    opportunity: Opportunity | None = None,
    number: str = "",
    payment_terms_days: int = 30,
    reminder_days: int = 7,
    installments: Sequence[PlannedInstallment] | None = None,
) -> Contract:
    """A won opportunity (or a standalone sale) becomes a contract with its payment plan.

    Without a plan the whole amount falls due after the payment terms. The
    credit check runs here: over the limit, or on credit hold, the contract is
    held until finance releases it (no invoice before that).
    """
    require(permissions.can_create_contract(by, account))
    amount = checked_amount(amount)
    margin = Decimal(str(gross_margin_pct))
    if not Decimal(0) <= margin <= Decimal(100):
        raise ValidationError(
            {"gross_margin_pct": _("Gross margin is a percentage from 0 to 100.")}
        )
    if not name.strip():
        raise ValidationError({"name": _("Give the contract a name.")})
    if opportunity is not None:
        if opportunity.account_id != account.pk:
            raise ValidationError(
                {"opportunity": _("That opportunity belongs to another account.")}
            )
        if opportunity.status != Status.WON:
            raise ValidationError({"opportunity": _("Only a won opportunity becomes a contract.")})
        if Contract.objects.filter(opportunity=opportunity).exists():
            raise ValidationError({"opportunity": _("This opportunity already has a contract.")})
    plan = list(installments or [])
    if plan and sum((checked_amount(p.amount) for p in plan), ZERO) > amount:
        raise ValidationError(
            {"installments": _("The payment plan adds up to more than the contract.")}
        )
    with transaction.atomic():
        check = credit_check(account, amount)
        contract = Contract(
            account=account,
            opportunity=opportunity,
            owner=opportunity.owner if opportunity is not None else account.owner,
            number=number.strip() or next_number("HT", Contract, signed_on),
            name=name.strip(),
            amount=amount,
            gross_margin_pct=margin,
            payment_terms_days=payment_terms_days,
            reminder_days=reminder_days,
            signed_on=signed_on,
            credit_status=CreditStatus.CLEAR if check.ok else CreditStatus.HELD,
            credit_note=check.message[:300],
        )
        changes.create(contract, by=by, via=via, clean=None)
        if not plan:
            plan = [PlannedInstallment(amount, signed_on + timedelta(days=payment_terms_days))]
        Installment.objects.bulk_create(
            Installment(
                contract=contract,
                sequence=index,
                amount=checked_amount(p.amount),
                due_date=p.due_date,
                condition=p.condition,
                note=p.note,
            )
            for index, p in enumerate(plan, start=1)
        )
        refresh_left_to_invoice(contract)
        refresh_payment_habits([account.pk])  # its average payment terms
    return contract


def refresh_left_to_invoice(contract: Contract) -> None:
    """Store what is left to invoice of each plan line (``Installment.left_to_invoice``).

    Called, inside the transaction that holds the contract, by every change of its plan
    or of its invoiced total. Writes only the lines whose figure changed.
    """
    lines = list(contract.installments.order_by("due_date", "sequence"))
    changed = []
    for line, left in zip(
        lines,
        calculations.left_to_invoice([line.amount for line in lines], contract.invoiced_amount),
        strict=True,
    ):
        if line.left_to_invoice != left:
            line.left_to_invoice = left
            changed.append(line)
    Installment.objects.bulk_update(changed, ["left_to_invoice"])


CONTRACT_TERMS = ("name", "amount", "gross_margin_pct", "signed_on", "payment_terms_days")


def _default_plan(contract: Contract, installments: list[Installment]) -> bool:
    """The plan is still the single line made at signing: everything due after the terms."""
    if len(installments) != 1:
        return False
    line = installments[0]
    return (
        line.amount == contract.amount
        and line.condition == PaymentCondition.DATE
        and line.due_date == contract.signed_on + timedelta(days=contract.payment_terms_days)
    )


def update_contract(
    contract: Contract,
    *,
    by: User,
    expected_version: int | None,
    via: str = Interface.WEB,
    **fields: object,
) -> Contract:
    """Correct a contract's terms: name, amount, gross margin, signing date, payment terms (§6).

    The amount never falls below what is already invoiced nor below a payment
    plan someone drew up; a plan that is still the single line made at signing
    follows the new amount and terms. A larger amount passes the credit check
    again: over the limit, or on credit hold, the contract is held until
    finance releases it, as a new contract would be.
    """
    unknown = set(fields) - set(CONTRACT_TERMS)
    if unknown:
        raise TypeError(f"unknown contract fields: {sorted(unknown)}")
    require(permissions.can_create_contract(by, contract.account))
    errors: dict[str, str] = {}
    if "name" in fields:
        fields["name"] = str(fields["name"]).strip()
        if not fields["name"]:
            errors["name"] = _("Give the contract a name.")
    if "amount" in fields:
        try:
            fields["amount"] = checked_amount(fields["amount"])
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
    if "gross_margin_pct" in fields:
        margin = Decimal(str(fields["gross_margin_pct"]))
        if not Decimal(0) <= margin <= Decimal(100):
            errors["gross_margin_pct"] = _("Gross margin is a percentage from 0 to 100.")
        fields["gross_margin_pct"] = margin
    if "payment_terms_days" in fields and not 0 <= int(str(fields["payment_terms_days"])) <= 32767:
        errors["payment_terms_days"] = _("Enter a number of days from 0 to 32767.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Contract.objects.select_for_update().get(pk=contract.pk)
        contract.invoiced_amount = locked.invoiced_amount
        installments = list(contract.installments.order_by("sequence"))
        follows = _default_plan(contract, installments)
        old_amount = contract.amount
        with changes.tracked(contract, by=by, via=via):
            for name, value in fields.items():
                setattr(contract, name, value)
            if contract.amount < contract.invoiced_amount:
                raise ValidationError(
                    {
                        "amount": _(
                            "%(invoiced)s is invoiced already; the contract cannot be less."
                        )
                        % {"invoiced": f"{contract.invoiced_amount:,.2f}"}
                    }
                )
            planned = sum((line.amount for line in installments), ZERO)
            if not follows and planned > contract.amount:
                raise ValidationError(
                    {
                        "amount": _(
                            "The payment plan adds up to %(planned)s, more than the contract; "
                            "change the plan on the contract's page first."
                        )
                        % {"planned": f"{planned:,.2f}"}
                    }
                )
            if contract.amount > old_amount and contract.credit_status != CreditStatus.HELD:
                check = credit_check(contract.account, contract.amount - old_amount)
                if not check.ok:
                    contract.credit_status = CreditStatus.HELD
                    contract.credit_note = check.message[:300]
            save_versioned(contract, expected_version, [*fields, "credit_status", "credit_note"])
        if follows:
            line = installments[0]
            line.amount = contract.amount
            line.due_date = contract.signed_on + timedelta(days=contract.payment_terms_days)
            line.save(update_fields=["amount", "due_date"])
        refresh_left_to_invoice(contract)
        if "payment_terms_days" in fields:
            refresh_payment_habits([contract.account_id])
    return contract


def add_installment(
    contract: Contract,
    *,
    amount: Decimal,
    due_date: date,
    by: User,
    condition: str = PaymentCondition.DATE,
    note: str = "",
    via: str = Interface.WEB,
) -> Installment:
    """Add a line to the payment plan; the plan never exceeds the contract."""
    require(permissions.can_create_contract(by, contract.account))
    amount = checked_amount(amount)
    if condition not in PaymentCondition.values:
        raise ValidationError({"condition": _("Unknown payment condition.")})
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        planned = contract.installments.aggregate(s=Sum("amount"), n=Max("sequence"))
        if (planned["s"] or ZERO) + amount > contract.amount:
            raise ValidationError(
                {"amount": _("The payment plan would add up to more than the contract.")}
            )
        installment = Installment(
            contract=contract,
            sequence=(planned["n"] or 0) + 1,
            amount=amount,
            due_date=due_date,
            condition=condition,
            note=note,
        )
        # Recorded with what is left to invoice of it, which the whole plan decides.
        with changes.tracked(installment, by=by, via=via, action=AuditEvent.Action.CREATE):
            installment.save()
            refresh_left_to_invoice(contract)
            installment.refresh_from_db(fields=["left_to_invoice"])
    return installment


def release_credit_hold(contract: Contract, *, by: User, via: str = Interface.WEB) -> Contract:
    """Finance approves a contract held by the credit check."""
    require(permissions.handles_money(by))
    if contract.credit_status != CreditStatus.HELD:
        raise ValidationError(_("This contract is not on credit hold."))
    with transaction.atomic():
        changes.update(
            contract,
            {"credit_status": CreditStatus.RELEASED, "credit_released_by": by},
            by=by,
            via=via,
            clean=None,
        )
    return contract
