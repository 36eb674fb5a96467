"""An account's credit (DOMAIN.md §6, credit limits): its exposure, the credit check,
the limit and hold finance sets, the debtor type."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from kam.accounts.models import Account
from kam.core import changes
from kam.core.models import Interface, User
from kam.pipeline.models import Opportunity, Stage
from kam.receivables import calculations, permissions
from kam.receivables.models import ZERO, AccountCredit, Contract, DebtorType, Invoice
from kam.receivables.services.checks import require

CreditCheck = calculations.CreditCheck


def account_credit(account: Account) -> AccountCredit:
    """The account's credit record, created on first use."""
    credit, _created = AccountCredit.objects.get_or_create(account=account)
    return credit


def credit_exposure(account: Account) -> Decimal:
    """Exposure = open receivables + contracted but not yet invoiced (§6, credit limits)."""
    open_receivables = Invoice.objects.filter(account=account).aggregate(s=Sum("open_amount"))["s"]
    contracted = Contract.objects.filter(account=account).aggregate(
        a=Sum("amount"), i=Sum("invoiced_amount")
    )
    return (
        (open_receivables or ZERO) + (contracted["a"] or ZERO) - (contracted["i"] or ZERO)
    ).quantize(Decimal("0.01"))


def credit_check(account: Account, additional_amount: Decimal | int = 0) -> CreditCheck:
    """Would ``additional_amount`` more (a new contract, a deal in Commitment) pass the limit?"""
    credit = AccountCredit.objects.filter(account=account).first()
    limit = credit.credit_limit if credit else None
    on_hold = bool(credit and credit.on_hold)
    exposure = credit_exposure(account)
    additional = Decimal(additional_amount)
    over = calculations.exceeds_limit(exposure, additional, limit)
    if on_hold:
        message = _("The account is on credit hold: finance must approve new business.")
    elif over:
        message = _(
            "Exposure would be %(total)s against a credit limit of %(limit)s: finance must approve."
        ) % {"total": f"{exposure + additional:,.2f}", "limit": f"{limit:,.2f}"}
    else:
        message = ""
    return CreditCheck(
        ok=not (over or on_hold),
        exposure=exposure,
        limit=limit,
        additional=additional,
        on_hold=on_hold,
        message=message,
    )


def credit_warning_on_move(opportunity: Opportunity, stage: Stage) -> str:
    """What the pipeline shows when a deal enters Commitment past the credit limit (§6)."""
    check = credit_check(opportunity.account, opportunity.amount_cny)
    return "" if check.ok else check.message


def set_credit(
    account: Account,
    *,
    by: User,
    expected_version: int | None,
    credit_limit: Decimal | None,
    on_hold: bool,
    hold_reason: str = "",
    via: str = Interface.WEB,
) -> AccountCredit:
    """Finance sets the credit limit and puts an account on or off credit hold."""
    require(permissions.handles_money(by))
    if credit_limit is not None and Decimal(credit_limit) < 0:
        raise ValidationError({"credit_limit": _("A credit limit cannot be negative.")})
    if on_hold and not hold_reason.strip():
        raise ValidationError({"hold_reason": _("Say why the account is put on credit hold.")})
    with transaction.atomic():
        credit = account_credit(account)
        # Recorded even when nothing changed: finance saved the settings.
        changes.update(
            credit,
            {
                "credit_limit": credit_limit,
                "on_hold": on_hold,
                "hold_reason": hold_reason.strip() if on_hold else "",
            },
            by=by,
            via=via,
            expected_version=expected_version,
            clean=None,
            always=True,
        )
    return credit


def set_debtor_type(
    account: Account, debtor_type: str, *, by: User, via: str = Interface.WEB
) -> AccountCredit:
    """Confirm or override the suggested debtor type ('' goes back to the suggestion)."""
    require(permissions.can_work_collections(by, account))
    if debtor_type and debtor_type not in DebtorType.values:
        raise ValidationError({"debtor_type": _("Unknown debtor type.")})
    with transaction.atomic():
        credit = account_credit(account)
        # Recorded even when it stays: someone confirmed the suggestion.
        changes.update(
            credit, {"debtor_type": debtor_type}, by=by, via=via, clean=None, always=True
        )
    return credit
