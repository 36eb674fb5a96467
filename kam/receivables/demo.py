"""Demo receivables: contracts, payment plans, invoices and payments for the won demo deals.

Each account with won deals pays like one of the §6 debtor types (when due,
when reminded, when pressed, won't pay), so the aging report, the overdue list
and the suggested debtor types have something to show; promises are kept and
broken, and collection contacts follow POWER. Rows are built in memory with
their running totals already consistent (``amount = paid + open`` per invoice,
``amount = allocated`` per payment) and written with bulk inserts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from kam.core.demo import DemoContext
from kam.pipeline.models import Opportunity, Status
from kam.receivables import calculations, services
from kam.receivables.models import (
    NEGOTIATION_RESULT,
    ZERO,
    AccountCredit,
    Allocation,
    CollectionAlert,
    CollectionContact,
    Contract,
    DebtorType,
    Excuse,
    Installment,
    Invoice,
    NegotiationOutcome,
    Payment,
    PaymentCondition,
    PaymentMethod,
    PaymentPromise,
    PowerStep,
)

CENT = Decimal("0.01")
# Share of the contract per installment and the condition that makes it due.
PLANS = [
    [(Decimal("0.3"), PaymentCondition.SIGNING), (Decimal("0.7"), PaymentCondition.ACCEPTANCE)],
    [
        (Decimal("0.3"), PaymentCondition.SIGNING),
        (Decimal("0.6"), PaymentCondition.DELIVERY),
        (Decimal("0.1"), PaymentCondition.WARRANTY),
    ],
    [(Decimal("1"), PaymentCondition.DATE)],
]
# Days paid after the due date, by debtor type; None: does not pay.
DELAYS: dict[str, tuple[int, int] | None] = {
    DebtorType.PAYS_WHEN_DUE: (-5, 3),
    DebtorType.PAYS_WHEN_REMINDED: (8, 28),
    DebtorType.PAYS_WHEN_PRESSED: (35, 95),
    DebtorType.WONT_PAY: None,
}


@dataclass
class _Numbers:
    counters: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def next(self, prefix: str, day: date) -> str:
        key = f"{prefix}{day:%Y}"
        self.counters[key] += 1
        return f"{key}-{self.counters[key]:05d}"


def _share(amount: Decimal, part: Decimal) -> Decimal:
    return (amount * part).quantize(CENT, ROUND_HALF_UP)


def load(ctx: DemoContext) -> None:
    rng = ctx.rng
    today = ctx.today
    finance = ctx.users.get("finance")
    won = sorted(
        (o for o in ctx.extra.get("opportunities", []) if o.status == Status.WON),
        key=lambda o: o.pk,
    )
    if not won:
        return
    account_ids = sorted({o.account_id for o in won})
    types = [t for t in DebtorType.values]
    # Every debtor type appears; the rest are drawn with realistic weights.
    debtor = {
        pk: types[i] if i < len(types) else rng.choices(types, weights=[40, 30, 20, 10])[0]
        for i, pk in enumerate(account_ids)
    }
    numbers = _Numbers()
    contracts = [_contract(ctx, o, numbers) for o in won]
    Contract.objects.bulk_create(contracts)
    installments: list[Installment] = []
    for contract in contracts:
        plan = rng.choice(PLANS)
        rest = contract.amount
        for sequence, (part, condition) in enumerate(plan, start=1):
            amount = rest if sequence == len(plan) else _share(contract.amount, part)
            rest -= amount
            offset = contract.payment_terms_days + (sequence - 1) * rng.randint(60, 150)
            installments.append(
                Installment(
                    contract=contract,
                    sequence=sequence,
                    amount=amount,
                    due_date=contract.signed_on + timedelta(days=offset),
                    condition=condition,
                )
            )
    by_contract = {c.pk: c for c in contracts}
    billed: list[tuple[Installment, date]] = []
    for line in installments:
        contract = by_contract[line.contract_id]
        issued = line.due_date - timedelta(days=contract.payment_terms_days)
        if issued > today:
            continue
        contract.invoiced_amount += line.amount
        billed.append((line, issued))
    # What is left to invoice of each line, set before the lines are written (one
    # bulk update of every line is a CASE of thousands of branches on PostgreSQL).
    plans: dict[int, list[Installment]] = defaultdict(list)
    for line in sorted(installments, key=lambda line: (line.due_date, line.sequence)):
        plans[line.contract_id].append(line)
    for contract in contracts:
        lines = plans[contract.pk]
        amounts = [line.amount for line in lines]
        for line, left in zip(
            lines, calculations.left_to_invoice(amounts, contract.invoiced_amount), strict=True
        ):
            line.left_to_invoice = left
    Installment.objects.bulk_create(installments)
    invoices = [
        Invoice(
            contract=line.contract,
            installment=line,
            account_id=line.contract.account_id,
            owner_id=line.contract.owner_id,
            number=numbers.next("FP", issued),
            issued_on=issued,
            due_date=line.due_date,
            due_day=line.due_date.toordinal(),
            amount=line.amount,
            open_amount=line.amount,
        )
        for line, issued in billed
    ]
    payments, pay_lines = _payments(ctx, invoices, debtor, finance)
    Invoice.objects.bulk_create(invoices)
    Contract.objects.bulk_update(contracts, ["invoiced_amount"], batch_size=200)
    Payment.objects.bulk_create(payments)
    Allocation.objects.bulk_create(
        Allocation(payment=payment, invoice=invoice, amount=payment.amount, created_by=finance)
        for payment, invoice in pay_lines
    )
    AccountCredit.objects.bulk_create(
        AccountCredit(
            account_id=pk,
            # Half the debtor types are confirmed by a person; the others are suggested.
            debtor_type=debtor[pk] if rng.random() < 0.5 else "",
            credit_limit=Decimal(rng.choice([200, 500, 1000, 3000])) * 10000
            if rng.random() < 0.6
            else None,
        )
        for pk in account_ids
    )
    promises = _promises_and_contacts(ctx, invoices, payments, debtor, finance)
    # Written in bulk, not through the services: the cash forecast's habits, once.
    services.refresh_payment_habits(as_of=ctx.today)
    ctx.extra["contracts"] = contracts
    ctx.log(
        f"contracts: {len(contracts)}, invoices: {len(invoices)}, payments: {len(payments)}, "
        f"promises: {promises}"
    )


def _contract(ctx: DemoContext, opportunity: Opportunity, numbers: _Numbers) -> Contract:
    rng = ctx.rng
    signed = opportunity.closed_on or ctx.today
    return Contract(
        account_id=opportunity.account_id,
        opportunity=opportunity,
        owner_id=opportunity.owner_id,
        number=numbers.next("HT", signed),
        name=f"{opportunity.name}合同",
        amount=opportunity.amount,
        gross_margin_pct=Decimal(rng.randint(8, 35)),
        payment_terms_days=rng.choice([30, 45, 60, 90]),
        reminder_days=7,
        signed_on=signed,
    )


def _payments(
    ctx: DemoContext, invoices: list[Invoice], debtor: dict[int, str], finance: object
) -> tuple[list[Payment], list[tuple[Payment, Invoice]]]:
    """Each invoice paid in full after the delay of its account's debtor type, if by today."""
    rng = ctx.rng
    payments: list[Payment] = []
    lines: list[tuple[Payment, Invoice]] = []
    for invoice in invoices:
        delay = DELAYS[debtor[invoice.account_id]]
        if delay is None and rng.random() < 0.8:
            continue
        low, high = delay or (100, 200)
        day = max(invoice.due_date + timedelta(days=rng.randint(low, high)), invoice.issued_on)
        if day > ctx.today:
            continue
        payment = Payment(
            account_id=invoice.account_id,
            received_on=day,
            amount=invoice.amount,
            original_amount=invoice.amount,
            method=rng.choices(
                [PaymentMethod.BANK_TRANSFER, PaymentMethod.ACCEPTANCE_BILL], weights=[85, 15]
            )[0],
            bank_reference=f"DEMO{len(payments) + 1:07d}",
            unapplied_amount=ZERO,
            recorded_by=finance,  # type: ignore[misc]
        )
        invoice.paid_amount = invoice.amount
        invoice.open_amount = ZERO
        invoice.paid_on = day
        payments.append(payment)
        lines.append((payment, invoice))
    return payments, lines


def _promises_and_contacts(
    ctx: DemoContext,
    invoices: list[Invoice],
    payments: list[Payment],
    debtor: dict[int, str],
    finance: object,
) -> int:
    """Kept promises before recent payments, broken ones for late payers gone quiet (§6 POWER)."""
    rng = ctx.rng
    today = ctx.today
    excuses = list(Excuse.objects.order_by("order"))
    paid_days: dict[int, list[date]] = defaultdict(list)
    for payment in payments:
        paid_days[payment.account_id].append(payment.received_on)
    overdue: dict[int, list[Invoice]] = defaultdict(list)
    for invoice in invoices:
        if invoice.open_amount > 0 and invoice.due_date < today:
            overdue[invoice.account_id].append(invoice)
    owners = {i.account_id: i.owner_id for i in invoices}
    promises: list[PaymentPromise] = []
    contacts: list[CollectionContact] = []
    for payment in payments:
        if debtor[payment.account_id] == DebtorType.PAYS_WHEN_DUE or rng.random() < 0.6:
            continue
        made = payment.received_on - timedelta(days=rng.randint(3, 10))
        promises.append(
            PaymentPromise(
                account_id=payment.account_id,
                made_on=made,
                due_on=payment.received_on + timedelta(days=rng.randint(0, 3)),
                amount=payment.amount,
                promised_by_name="财务部",
                status=PaymentPromise.Status.KEPT,
                settled_on=payment.received_on,
                recorded_by_id=owners.get(payment.account_id),
            )
        )
    quiet_since = today - timedelta(days=45)
    for account_id, open_invoices in sorted(overdue.items()):
        if any(day >= quiet_since for day in paid_days[account_id]):
            continue
        invoice = max(open_invoices, key=lambda i: i.open_amount)
        made = today - timedelta(days=rng.randint(25, 40))
        promises.append(
            PaymentPromise(
                account_id=account_id,
                invoice=invoice,
                made_on=made,
                due_on=made + timedelta(days=rng.randint(5, 15)),
                amount=invoice.open_amount,
                promised_by_name="财务经理",
                status=PaymentPromise.Status.BROKEN,
                recorded_by_id=owners.get(account_id),
            )
        )
    for promise in promises:
        if promise.status == PaymentPromise.Status.BROKEN:
            promise.settled_on = promise.due_on + timedelta(days=1)
    PaymentPromise.objects.bulk_create(promises)
    alerts = []
    for promise in promises:
        if promise.status != PaymentPromise.Status.BROKEN:
            continue
        alerts.append(
            CollectionAlert(
                account_id=promise.account_id,
                promise=promise,
                user_id=owners.get(promise.account_id),
                raised_on=promise.due_on + timedelta(days=1),
            )
        )
        contacts.append(
            CollectionContact(
                account_id=promise.account_id,
                invoice=promise.invoice,
                contacted_on=promise.made_on,
                step=PowerStep.END_COMMITMENT,
                excuse=rng.choice(excuses) if excuses else None,
                outcome=NEGOTIATION_RESULT[NegotiationOutcome.LOSE_WIN],
                negotiation=NegotiationOutcome.LOSE_WIN,
                note="客户承诺近期付款",
                next_step="到期未付立即致电财务经理",
                next_step_on=promise.due_on + timedelta(days=1),
                promise=promise,
                recorded_by_id=owners.get(promise.account_id),
            )
        )
    CollectionAlert.objects.bulk_create(alerts)
    CollectionContact.objects.bulk_create(contacts)
    return len(promises)
