"""Every change to receivables goes through here (DOMAIN.md §6).

Each function checks the permission and the input, writes in one transaction,
records the audit trail and returns the instance. Amounts that move money lock
the rows they touch (``select_for_update``) and keep each invoice's running
totals in step with the ledger, so that for every invoice
``amount = paid + credited + written_off + open`` and for every payment
``amount = allocated + unapplied``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.models import Account
from kam.core import audit
from kam.core.concurrency import ConflictError, save_versioned
from kam.core.models import AuditEvent, Interface, User
from kam.pipeline.models import Opportunity, Stage, Status
from kam.receivables import calculations, cash, permissions
from kam.receivables.models import (
    BOOKING_CURRENCY,
    ZERO,
    AccountCredit,
    Allocation,
    CollectionAlert,
    CollectionContact,
    Contract,
    CreditNote,
    CreditStatus,
    DebtorType,
    Excuse,
    Installment,
    Invoice,
    Payment,
    PaymentCondition,
    PaymentHabit,
    PaymentHabitsAsOf,
    PaymentPromise,
    WriteOff,
)
from kam.stakeholders.models import Contact

CreditCheck = calculations.CreditCheck


def _money(value: object, field_name: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except Exception:
        raise ValidationError({field_name: _("Enter an amount.")}) from None
    if amount <= 0:
        raise ValidationError({field_name: _("The amount must be greater than zero.")})
    return amount


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not do this."))


def _same_account(account: Account, *others: object) -> None:
    for other in others:
        if other is not None and getattr(other, "account_id", None) != account.pk:
            raise ValidationError(_("That belongs to another account."))


# --- credit -----------------------------------------------------------------


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
    _require(permissions.handles_money(by))
    if credit_limit is not None and Decimal(credit_limit) < 0:
        raise ValidationError({"credit_limit": _("A credit limit cannot be negative.")})
    if on_hold and not hold_reason.strip():
        raise ValidationError({"hold_reason": _("Say why the account is put on credit hold.")})
    with transaction.atomic():
        credit = account_credit(account)
        before = audit.snapshot(credit, ["credit_limit", "on_hold", "hold_reason"])
        credit.credit_limit = credit_limit
        credit.on_hold = on_hold
        credit.hold_reason = hold_reason.strip() if on_hold else ""
        save_versioned(credit, expected_version, ["credit_limit", "on_hold", "hold_reason"])
        audit.record(
            AuditEvent.Action.UPDATE,
            credit,
            by=by,
            via=via,
            changes=audit.diff(before, audit.snapshot(credit, before.keys())),
        )
    return credit


def set_debtor_type(
    account: Account, debtor_type: str, *, by: User, via: str = Interface.WEB
) -> AccountCredit:
    """Confirm or override the suggested debtor type ('' goes back to the suggestion)."""
    _require(permissions.can_work_collections(by, account))
    if debtor_type and debtor_type not in DebtorType.values:
        raise ValidationError({"debtor_type": _("Unknown debtor type.")})
    with transaction.atomic():
        credit = account_credit(account)
        before = credit.debtor_type
        credit.debtor_type = debtor_type
        save_versioned(credit, None, ["debtor_type"])
        audit.record(
            AuditEvent.Action.UPDATE,
            credit,
            by=by,
            via=via,
            changes={"debtor_type": [before, debtor_type]},
        )
    return credit


# --- contracts and payment plans ----------------------------------------------


@dataclass(frozen=True)
class PlannedInstallment:
    amount: Decimal
    due_date: date
    condition: str = PaymentCondition.DATE
    note: str = ""


def _next_number(prefix: str, model: type, day: date) -> str:
    count = model.objects.filter(number__startswith=f"{prefix}{day:%Y}").count()  # type: ignore[attr-defined]
    return f"{prefix}{day:%Y}-{count + 1:05d}"


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
    _require(permissions.can_create_contract(by, account))
    amount = _money(amount)
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
    if plan and sum((_money(p.amount) for p in plan), ZERO) > amount:
        raise ValidationError(
            {"installments": _("The payment plan adds up to more than the contract.")}
        )
    with transaction.atomic():
        check = credit_check(account, amount)
        contract = Contract.objects.create(
            account=account,
            opportunity=opportunity,
            owner=opportunity.owner if opportunity is not None else account.owner,
            number=number.strip() or _next_number("HT", Contract, signed_on),
            name=name.strip(),
            amount=amount,
            gross_margin_pct=margin,
            payment_terms_days=payment_terms_days,
            reminder_days=reminder_days,
            signed_on=signed_on,
            credit_status=CreditStatus.CLEAR if check.ok else CreditStatus.HELD,
            credit_note=check.message[:300],
        )
        if not plan:
            plan = [PlannedInstallment(amount, signed_on + timedelta(days=payment_terms_days))]
        Installment.objects.bulk_create(
            Installment(
                contract=contract,
                sequence=index,
                amount=_money(p.amount),
                due_date=p.due_date,
                condition=p.condition,
                note=p.note,
            )
            for index, p in enumerate(plan, start=1)
        )
        refresh_left_to_invoice(contract)
        refresh_payment_habits([account.pk])  # its average payment terms
        audit.record(AuditEvent.Action.CREATE, contract, by=by, via=via)
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


def _habits_marker() -> QuerySet[PaymentHabitsAsOf]:
    """The one row saying for which day the stored payment habits hold (made on first use)."""
    PaymentHabitsAsOf.objects.get_or_create(pk=1)
    return PaymentHabitsAsOf.objects.filter(pk=1)


def refresh_payment_habits(
    accounts: Iterable[int] | None = None, *, as_of: date | None = None
) -> bool:
    """Store the payment habits the cash forecast applies (issue 7 no. 10; §6).

    Without ``accounts``, every account's, for the year before ``as_of`` (default today):
    the stored habits then hold for that day (the daily job). With ``accounts``, theirs
    only, for the day the table holds for: called in the transaction of each payment or
    contract that changes them. Returns whether anything was stored (nothing for some
    accounts while the table holds for no day: forecasts compute the habits then).
    """
    with transaction.atomic():
        # One row, locked: a refresh of everything and one of a few accounts do not cross.
        marker = _habits_marker().select_for_update().get()
        day = marker.as_of
        if accounts is None:
            day = as_of or timezone.localdate()
            stored = PaymentHabit.objects.all()
            scope = None
        else:
            ids = sorted(set(accounts))
            if day is None or not ids:
                return False
            stored = PaymentHabit.objects.filter(account_id__in=ids)
            scope = Account.objects.filter(pk__in=ids)
        stored.delete()
        sql, params = cash.habits_query(
            delay_since=day - timedelta(days=cash.DELAY_HISTORY_DAYS), accounts=scope
        )
        table = PaymentHabit._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (account_id, delay_days, terms_days) {sql}", params
            )
        if accounts is None:
            marker.as_of = day
            marker.save(update_fields=["as_of"])
    return True


def request_payment_habits_refresh(today: date) -> bool:
    """Queue the refresh of every account's payment habits, once a day (the first
    forecast that finds them stale asks; the others compute them meanwhile)."""
    from kam.receivables.tasks import refresh_payment_habits_job

    asked = _habits_marker().exclude(requested_on__gte=today).update(requested_on=today)
    if asked:
        transaction.on_commit(lambda: refresh_payment_habits_job.enqueue(today.isoformat()))
    return bool(asked)


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
    _require(permissions.can_create_contract(by, contract.account))
    errors: dict[str, str] = {}
    if "name" in fields:
        fields["name"] = str(fields["name"]).strip()
        if not fields["name"]:
            errors["name"] = _("Give the contract a name.")
    if "amount" in fields:
        try:
            fields["amount"] = _money(fields["amount"])
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
        before = audit.snapshot(contract, [*CONTRACT_TERMS, "credit_status"])
        old_amount = contract.amount
        for name, value in fields.items():
            setattr(contract, name, value)
        if contract.amount < contract.invoiced_amount:
            raise ValidationError(
                {
                    "amount": _("%(invoiced)s is invoiced already; the contract cannot be less.")
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
        changes = audit.diff(before, audit.snapshot(contract, before.keys()))
        if changes:
            audit.record(AuditEvent.Action.UPDATE, contract, by=by, via=via, changes=changes)
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
    _require(permissions.can_create_contract(by, contract.account))
    amount = _money(amount)
    if condition not in PaymentCondition.values:
        raise ValidationError({"condition": _("Unknown payment condition.")})
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        planned = contract.installments.aggregate(s=Sum("amount"), n=Max("sequence"))
        if (planned["s"] or ZERO) + amount > contract.amount:
            raise ValidationError(
                {"amount": _("The payment plan would add up to more than the contract.")}
            )
        installment = Installment.objects.create(
            contract=contract,
            sequence=(planned["n"] or 0) + 1,
            amount=amount,
            due_date=due_date,
            condition=condition,
            note=note,
        )
        refresh_left_to_invoice(contract)
        installment.refresh_from_db(fields=["left_to_invoice"])
        audit.record(AuditEvent.Action.CREATE, installment, by=by, via=via)
    return installment


def release_credit_hold(contract: Contract, *, by: User, via: str = Interface.WEB) -> Contract:
    """Finance approves a contract held by the credit check."""
    _require(permissions.handles_money(by))
    if contract.credit_status != CreditStatus.HELD:
        raise ValidationError(_("This contract is not on credit hold."))
    with transaction.atomic():
        contract.credit_status = CreditStatus.RELEASED
        contract.credit_released_by = by
        save_versioned(contract, None, ["credit_status", "credit_released_by"])
        audit.record(
            AuditEvent.Action.UPDATE,
            contract,
            by=by,
            via=via,
            changes={"credit_status": [CreditStatus.HELD, CreditStatus.RELEASED]},
        )
    return contract


# --- invoices, payments, allocations ------------------------------------------


def _refresh_invoice_totals(invoice: Invoice) -> bool:
    """Recompute the running totals of a locked invoice from its ledger rows; returns
    whether its paid-on day moved (call :func:`_refresh_invoices_totals`, which keeps the
    payment habits)."""
    paid = invoice.allocations.aggregate(s=Sum("amount"), last=Max("payment__received_on"))
    credited = invoice.credit_notes.aggregate(s=Sum("amount"))["s"] or ZERO
    written_off = (
        invoice.write_offs.filter(status=WriteOff.Status.APPROVED).aggregate(s=Sum("amount"))["s"]
        or ZERO
    )
    invoice.paid_amount = paid["s"] or ZERO
    invoice.credited_amount = credited
    invoice.written_off_amount = written_off
    invoice.open_amount = invoice.amount - invoice.paid_amount - credited - written_off
    if invoice.open_amount < 0:
        raise ValidationError(_("That would settle more than the invoice asks for."))
    paid_on = invoice.paid_on
    invoice.paid_on = paid["last"] if invoice.open_amount == 0 and invoice.paid_amount > 0 else None
    invoice.save(
        update_fields=[
            "paid_amount",
            "credited_amount",
            "written_off_amount",
            "open_amount",
            "paid_on",
        ]
    )
    return invoice.paid_on != paid_on


def _refresh_invoices_totals(invoices: Iterable[Invoice]) -> None:
    """:func:`_refresh_invoice_totals` of each, then the payment habits of the accounts
    whose invoices became paid (or no longer): their habitual delay counts them
    differently. Once per account, however many of its invoices one payment settles."""
    moved = {invoice.account_id for invoice in invoices if _refresh_invoice_totals(invoice)}
    if moved:
        refresh_payment_habits(moved)


def issue_invoice(
    contract: Contract,
    *,
    amount: Decimal,
    issued_on: date,
    by: User,
    due_date: date | None = None,
    installment: Installment | None = None,
    number: str = "",
    via: str = Interface.WEB,
) -> Invoice:
    """Invoice (part of) a contract; any unapplied credit of the account settles it at once."""
    _require(permissions.handles_money(by))
    amount = _money(amount)
    if installment is not None and installment.contract_id != contract.pk:
        raise ValidationError({"installment": _("That installment belongs to another contract.")})
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        if contract.credit_status == CreditStatus.HELD:
            raise ValidationError(
                _("The contract is on credit hold: finance must release it before invoicing.")
            )
        if amount > contract.uninvoiced_amount:
            raise ValidationError(
                {
                    "amount": _("Only %(left)s of the contract is still to be invoiced.")
                    % {"left": f"{contract.uninvoiced_amount:,.2f}"}
                }
            )
        due = due_date or (
            installment.due_date
            if installment is not None
            else issued_on + timedelta(days=contract.payment_terms_days)
        )
        if due < issued_on:
            raise ValidationError(
                {"due_date": _("An invoice cannot fall due before it is issued.")}
            )
        invoice = Invoice.objects.create(
            contract=contract,
            installment=installment,
            account_id=contract.account_id,
            owner_id=contract.owner_id,
            number=number.strip() or _next_number("FP", Invoice, issued_on),
            issued_on=issued_on,
            due_date=due,
            due_day=due.toordinal(),
            amount=amount,
            open_amount=amount,
        )
        contract.invoiced_amount += amount
        contract.save(update_fields=["invoiced_amount"])
        refresh_left_to_invoice(contract)
        audit.record(AuditEvent.Action.CREATE, invoice, by=by, via=via)
        _apply_unapplied_credit(contract.account, by=by, via=via)
    invoice.refresh_from_db()
    return invoice


class ProbableDuplicate(ValidationError):
    """The bank reference was seen before: confirm to record the payment anyway."""

    def __init__(self, existing: Payment) -> None:
        self.existing = existing
        super().__init__(
            {
                "bank_reference": _(
                    "Probable duplicate: a payment of %(amount)s received on %(date)s already "
                    "has this bank reference. Confirm to record it anyway."
                )
                % {"amount": f"{existing.amount:,.2f}", "date": existing.received_on.isoformat()}
            },
            code="duplicate",
        )


def find_duplicate(bank_reference: str, exclude: int | None = None) -> Payment | None:
    reference = bank_reference.strip()
    if not reference:
        return None
    payments = Payment.objects.filter(bank_reference=reference)
    if exclude is not None:
        payments = payments.exclude(pk=exclude)
    return payments.order_by("pk").first()


def record_payment(
    *,
    account: Account,
    amount: Decimal,
    received_on: date,
    by: User,
    currency: str = BOOKING_CURRENCY,
    exchange_rate: Decimal | None = None,
    method: str = "bank_transfer",
    bank_reference: str = "",
    note: str = "",
    allocate: bool = True,
    confirm_duplicate: bool = False,
    via: str = Interface.WEB,
) -> Payment:
    """Record cash received; spread it over open invoices oldest first; keep any rest as credit.

    A payment in another currency needs the exchange rate; the same bank
    reference twice is refused as a probable duplicate unless confirmed.
    """
    _require(permissions.handles_money(by))
    original = _money(amount)
    currency = (currency or BOOKING_CURRENCY).strip().upper()
    if currency != BOOKING_CURRENCY:
        if exchange_rate is None:
            raise ValidationError(
                {
                    "currency": _(
                        "This payment is in %(currency)s; receivables are kept in CNY. "
                        "Give the exchange rate to record it."
                    )
                    % {"currency": currency}
                }
            )
        rate = Decimal(str(exchange_rate))
        if rate <= 0:
            raise ValidationError({"exchange_rate": _("The exchange rate must be positive.")})
        booked = (original * rate).quantize(Decimal("0.01"))
    else:
        rate = None
        booked = original
    duplicate = find_duplicate(bank_reference)
    if duplicate is not None and not confirm_duplicate:
        raise ProbableDuplicate(duplicate)
    with transaction.atomic():
        payment = Payment.objects.create(
            account=account,
            received_on=received_on,
            amount=booked,
            currency=currency,
            original_amount=original,
            exchange_rate=rate,
            method=method,
            bank_reference=bank_reference.strip(),
            unapplied_amount=booked,
            possible_duplicate_of=duplicate,
            note=note,
            recorded_by=by,
        )
        audit.record(AuditEvent.Action.CREATE, payment, by=by, via=via)
        if allocate:
            _apply_unapplied_credit(account, by=by, via=via, payments=[payment.pk])
        settle_promises(account, today=timezone.localdate())
    payment.refresh_from_db()
    return payment


def _apply_unapplied_credit(
    account: Account, *, by: User | None, via: str, payments: Iterable[int] | None = None
) -> None:
    """Spread unapplied credit over the account's open invoices, oldest due first."""
    credit = Payment.objects.select_for_update().filter(account=account, unapplied_amount__gt=0)
    if payments is not None:
        credit = credit.filter(pk__in=list(payments))
    credit_rows = list(credit.order_by("received_on", "pk"))
    if not credit_rows:
        return
    invoices = list(
        Invoice.objects.select_for_update()
        .filter(account=account, open_amount__gt=0)
        .order_by("due_date", "pk")
    )
    open_left = {i.pk: i.open_amount for i in invoices}
    touched: set[int] = set()
    for payment in credit_rows:
        lines, rest = calculations.allocate_oldest_first(
            payment.unapplied_amount, [(i.pk, open_left[i.pk]) for i in invoices]
        )
        for invoice_id, part in lines:
            existing = Allocation.objects.filter(payment=payment, invoice_id=invoice_id).first()
            if existing:
                existing.amount += part
                existing.save(update_fields=["amount"])
            else:
                Allocation.objects.create(
                    payment=payment, invoice_id=invoice_id, amount=part, created_by=by
                )
            open_left[invoice_id] -= part
            touched.add(invoice_id)
        if lines:
            payment.unapplied_amount = rest
            save_versioned(payment, None, ["unapplied_amount"])
    _refresh_invoices_totals(invoice for invoice in invoices if invoice.pk in touched)


def apply_unapplied_credit(account: Account, *, by: User, via: str = Interface.WEB) -> None:
    """Use the account's unapplied credit on its open invoices, oldest first."""
    _require(permissions.handles_money(by))
    with transaction.atomic():
        _apply_unapplied_credit(account, by=by, via=via)
        settle_promises(account, today=timezone.localdate())


def reallocate_payment(
    payment: Payment,
    lines: Sequence[tuple[int, Decimal]],
    *,
    by: User,
    expected_version: int | None,
    via: str = Interface.WEB,
) -> Payment:
    """Replace a payment's allocations with ``lines`` of (invoice id, amount).

    Refused, with nothing changed, when the lines do not add up: a negative or
    zero amount, an invoice of another account, more than an invoice still
    owes, or more than the payment. Two people allocating one payment at once:
    the second gets a conflict, never a double spend (the payment row is locked
    and its version checked).
    """
    _require(permissions.handles_money(by))
    wanted: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for invoice_id, amount in lines:
        wanted[int(invoice_id)] += _money(amount)
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if expected_version is not None and locked.version != expected_version:
            raise ConflictError(payment, {"version": locked.version})
        total = sum(wanted.values(), ZERO)
        if total > locked.amount:
            raise ValidationError(
                _("The allocations add up to %(total)s, more than the payment of %(amount)s.")
                % {"total": f"{total:,.2f}", "amount": f"{locked.amount:,.2f}"}
            )
        current = {a.invoice_id: a for a in locked.allocations.all()}
        invoice_ids = set(wanted) | set(current)
        invoices = {
            i.pk: i
            for i in Invoice.objects.select_for_update().filter(pk__in=invoice_ids).order_by("pk")
        }
        for invoice_id, amount in wanted.items():
            invoice = invoices.get(invoice_id)
            if invoice is None or invoice.account_id != locked.account_id:
                raise ValidationError(_("An invoice of another account cannot take this payment."))
            mine = current[invoice_id].amount if invoice_id in current else ZERO
            if amount > invoice.open_amount + mine:
                raise ValidationError(
                    _("Invoice %(number)s owes only %(open)s.")
                    % {"number": invoice.number, "open": f"{invoice.open_amount + mine:,.2f}"}
                )
        before = {str(k): str(v.amount) for k, v in current.items()}
        locked.allocations.all().delete()
        Allocation.objects.bulk_create(
            Allocation(payment=locked, invoice_id=invoice_id, amount=amount, created_by=by)
            for invoice_id, amount in wanted.items()
        )
        _refresh_invoices_totals(invoices.values())
        locked.unapplied_amount = locked.amount - total
        save_versioned(locked, locked.version, ["unapplied_amount"])
        audit.record(
            AuditEvent.Action.UPDATE,
            locked,
            by=by,
            via=via,
            changes={"allocations": [before, {str(k): str(v) for k, v in wanted.items()}]},
        )
        settle_promises(locked.account, today=timezone.localdate())
    return locked


def issue_credit_note(
    invoice: Invoice,
    *,
    amount: Decimal,
    reason: str,
    issued_on: date,
    by: User,
    number: str = "",
    via: str = Interface.WEB,
) -> CreditNote:
    """Reduce what an invoice asks for (never below what is already settled)."""
    _require(permissions.handles_money(by))
    amount = _money(amount)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the credit note.")})
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if amount > locked.open_amount:
            raise ValidationError(
                {
                    "amount": _("The invoice has only %(open)s open.")
                    % {"open": f"{locked.open_amount:,.2f}"}
                }
            )
        note = CreditNote.objects.create(
            invoice=locked,
            number=number.strip() or _next_number("HZ", CreditNote, issued_on),
            issued_on=issued_on,
            amount=amount,
            reason=reason.strip(),
            created_by=by,
        )
        _refresh_invoices_totals([locked])
        audit.record(AuditEvent.Action.CREATE, note, by=by, via=via)
    return note


def request_write_off(
    invoice: Invoice, *, amount: Decimal, reason: str, by: User, via: str = Interface.WEB
) -> WriteOff:
    """Ask to write off bad debt; it counts once finance or a director approves."""
    _require(permissions.can_work_collections(by, invoice.account))
    amount = _money(amount)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the write-off.")})
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        pending = (
            locked.write_offs.filter(status=WriteOff.Status.PENDING).aggregate(s=Sum("amount"))["s"]
            or ZERO
        )
        if amount + pending > locked.open_amount:
            raise ValidationError(
                {
                    "amount": _("Only %(left)s of the invoice can still be written off.")
                    % {"left": f"{locked.open_amount - pending:,.2f}"}
                }
            )
        write_off = WriteOff.objects.create(
            invoice=locked, amount=amount, reason=reason.strip(), requested_by=by
        )
        audit.record(AuditEvent.Action.CREATE, write_off, by=by, via=via)
    return write_off


def decide_write_off(
    write_off: WriteOff, *, approve: bool, by: User, via: str = Interface.WEB
) -> WriteOff:
    """Finance or a director approves or rejects a write-off; never the person who asked."""
    _require(permissions.approves_write_offs(by))
    if write_off.requested_by_id == by.pk:
        raise ValidationError(_("A write-off needs the approval of someone other than who asked."))
    with transaction.atomic():
        locked = WriteOff.objects.select_for_update().get(pk=write_off.pk)
        if locked.status != WriteOff.Status.PENDING:
            raise ValidationError(_("This write-off has already been decided."))
        invoice = Invoice.objects.select_for_update().get(pk=locked.invoice_id)
        if approve and locked.amount > invoice.open_amount:
            raise ValidationError(
                _("The invoice has only %(open)s open now; ask again for a smaller amount.")
                % {"open": f"{invoice.open_amount:,.2f}"}
            )
        locked.status = WriteOff.Status.APPROVED if approve else WriteOff.Status.REJECTED
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        if approve:
            _refresh_invoices_totals([invoice])
        audit.record(
            AuditEvent.Action.UPDATE,
            locked,
            by=by,
            via=via,
            changes={"status": [WriteOff.Status.PENDING, locked.status]},
        )
    return locked


# --- promises, alerts, collection contacts ------------------------------------


def record_promise(
    account: Account,
    *,
    amount: Decimal,
    due_on: date,
    by: User,
    made_on: date | None = None,
    contact: Contact | None = None,
    promised_by_name: str = "",
    invoice: Invoice | None = None,
    via: str = Interface.WEB,
) -> PaymentPromise:
    """The customer promised to pay ``amount`` by ``due_on`` (POWER: End with commitment)."""
    _require(permissions.can_work_collections(by, account))
    amount = _money(amount)
    made_on = made_on or timezone.localdate()
    if due_on < made_on:
        raise ValidationError({"due_on": _("A promise to pay cannot be dated before it was made.")})
    _same_account(account, contact, invoice)
    with transaction.atomic():
        promise = PaymentPromise.objects.create(
            account=account,
            invoice=invoice,
            made_on=made_on,
            due_on=due_on,
            amount=amount,
            contact=contact,
            promised_by_name=promised_by_name.strip(),
            recorded_by=by,
        )
        audit.record(AuditEvent.Action.CREATE, promise, by=by, via=via)
        settle_promises(account, today=timezone.localdate())
    promise.refresh_from_db()
    return promise


def settle_promises(account: Account, *, today: date) -> int:
    """Mark the account's open promises kept or broken from its payments; alert on each broken one.

    Returns how many promises broke. Called whenever a payment or promise is
    recorded, and for promises falling due by :func:`settle_due_promises`.
    """
    promises = list(
        PaymentPromise.objects.filter(account=account, status=PaymentPromise.Status.OPEN)
    )
    if not promises:
        return 0
    start = min(p.made_on for p in promises)
    already_counted = (
        PaymentPromise.objects.filter(
            account=account, status=PaymentPromise.Status.KEPT, due_on__gte=start
        ).aggregate(s=Sum("amount"))["s"]
        or ZERO
    )
    payments = list(
        Payment.objects.filter(account=account, received_on__gte=start)
        .order_by("received_on", "pk")
        .values_list("received_on", "amount")
    )
    # Cash already counted for promises kept earlier cannot keep another one.
    trimmed: list[tuple[date, Decimal]] = []
    for day, amount in payments:
        used = min(already_counted, amount)
        already_counted -= used
        if amount - used > 0:
            trimmed.append((day, amount - used))
    decisions = calculations.settle_promises(
        [calculations.PromiseRow(p.pk, p.made_on, p.due_on, p.amount) for p in promises],
        trimmed,
        today,
    )
    broken = 0
    for promise in promises:
        status, settled_on = decisions[promise.pk]
        if status == PaymentPromise.Status.OPEN:
            continue
        promise.status = status
        promise.settled_on = settled_on
        promise.save(update_fields=["status", "settled_on"])
        if status == PaymentPromise.Status.BROKEN:
            broken += 1
            CollectionAlert.objects.get_or_create(
                promise=promise,
                defaults={"account": account, "user_id": account.owner_id, "raised_on": today},
            )
    return broken


def settle_due_promises(today: date) -> int:
    """Break every promise whose date has passed unpaid (React quickly): one query when none."""
    account_ids = (
        PaymentPromise.objects.filter(status=PaymentPromise.Status.OPEN, due_on__lt=today)
        .values_list("account_id", flat=True)
        .distinct()
    )
    broken = 0
    for account in Account.objects.filter(pk__in=list(account_ids)):
        with transaction.atomic():
            broken += settle_promises(account, today=today)
    return broken


def resolve_alert(alert: CollectionAlert, *, by: User, via: str = Interface.WEB) -> CollectionAlert:
    _require(permissions.can_work_collections(by, alert.account))
    if alert.resolved_at is None:
        alert.resolved_at = timezone.now()
        alert.save(update_fields=["resolved_at"])
        audit.record(AuditEvent.Action.UPDATE, alert, by=by, via=via)
    return alert


@dataclass
class PromiseInput:
    amount: Decimal
    due_on: date
    contact: Contact | None = None
    promised_by_name: str = ""
    invoice: Invoice | None = field(default=None)


def record_collection_contact(
    account: Account,
    *,
    step: str,
    outcome: str,
    by: User,
    contacted_on: date | None = None,
    contact: Contact | None = None,
    invoice: Invoice | None = None,
    excuse: Excuse | None = None,
    note: str = "",
    next_step: str = "",
    next_step_on: date | None = None,
    promise: PromiseInput | None = None,
    via: str = Interface.WEB,
) -> CollectionContact:
    """One collection conversation along POWER; a promise heard is recorded with it."""
    from kam.receivables.models import CollectionOutcome, PowerStep

    _require(permissions.can_work_collections(by, account))
    if step not in PowerStep.values:
        raise ValidationError({"step": _("Choose the POWER step.")})
    if outcome not in CollectionOutcome.values:
        raise ValidationError({"outcome": _("Choose the outcome.")})
    _same_account(account, contact, invoice)
    contacted_on = contacted_on or timezone.localdate()
    if next_step_on is not None and next_step_on < contacted_on:
        raise ValidationError({"next_step_on": _("The next step cannot be before this contact.")})
    with transaction.atomic():
        made = None
        if promise is not None:
            made = record_promise(
                account,
                amount=promise.amount,
                due_on=promise.due_on,
                made_on=contacted_on,
                contact=promise.contact or contact,
                promised_by_name=promise.promised_by_name,
                invoice=promise.invoice or invoice,
                by=by,
                via=via,
            )
        row = CollectionContact.objects.create(
            account=account,
            invoice=invoice,
            contact=contact,
            contacted_on=contacted_on,
            step=step,
            excuse=excuse,
            outcome=outcome,
            note=note,
            next_step=next_step,
            next_step_on=next_step_on,
            promise=made,
            recorded_by=by,
        )
        audit.record(AuditEvent.Action.CREATE, row, by=by, via=via)
    return row
