"""Large tenant: a contract for every won deal, about 300,000 invoices and 400,000 payments.

Each account pays like one of the §6 debtor types, as in the standard demo, so
the aging report and the overdue list have buckets worth reading. Invoices are
paid in one, two or three parts so the payments reach the tenant's size. Won
deals are processed in chunks (contracts, installments, invoices, payments,
allocations each written in bulk), so memory stays flat; running totals are
consistent by construction (``amount = paid + open`` per invoice, ``amount =
allocated`` per payment).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from kam.core.demo_large import LargeContext, batched, bulk_insert
from kam.core.models import User
from kam.pipeline.models import Opportunity, Status
from kam.receivables import calculations, services
from kam.receivables.demo import CENT, DELAYS, _Numbers
from kam.receivables.models import (
    ZERO,
    AccountCredit,
    Allocation,
    Contract,
    DebtorType,
    Installment,
    Invoice,
    Payment,
    PaymentCondition,
    PaymentMethod,
)

CHUNK = 2000


def _parts(amount: Decimal, n: int) -> list[Decimal]:
    """``amount`` in ``n`` parts to the cent, the last taking the rounding."""
    share = (amount / n).quantize(CENT)
    return [share] * (n - 1) + [amount - share * (n - 1)]


def _left_to_invoice(
    contracts: list[Contract], plans: list[list[tuple[int, Decimal, date]]]
) -> dict[tuple[int, int], Decimal]:
    """What is left to invoice of each (contract, line number), as the services keep it."""
    left = {}
    for contract, plan in zip(contracts, plans, strict=True):
        ordered = sorted(plan, key=lambda line: (line[2], line[0]))
        figures = calculations.left_to_invoice(
            [part for _, part, _ in ordered], contract.invoiced_amount
        )
        for (sequence, _part, _due), figure in zip(ordered, figures, strict=True):
            left[contract.pk, sequence] = figure
    return left


def load(ctx: LargeContext) -> None:
    rng = ctx.rng
    today = ctx.today
    finance_id = User.objects.filter(username="finance").values_list("pk", flat=True).first()
    won = list(
        Opportunity.objects.filter(status=Status.WON)
        .order_by("pk")
        .values_list("pk", "account_id", "owner_id", "name", "amount", "closed_on")
    )
    if not won:
        return
    types = list(DebtorType.values)
    account_ids = sorted({row[1] for row in won})
    debtor = {pk: rng.choices(types, weights=[40, 30, 20, 10])[0] for pk in account_ids}
    per_contract = ctx.size.invoices / len(won)
    numbers = _Numbers()
    counts = {"contracts": 0, "invoices": 0, "payments": 0}
    for chunk in batched(won, CHUNK):
        contracts = []
        for pk, account_id, owner_id, name, amount, closed_on in chunk:
            signed = closed_on or today
            contracts.append(
                Contract(
                    account_id=account_id,
                    opportunity_id=pk,
                    owner_id=owner_id,
                    number=numbers.next("HT", signed),
                    name=f"{name}合同",
                    amount=amount,
                    gross_margin_pct=Decimal(rng.randint(8, 35)),
                    payment_terms_days=rng.choice([30, 45, 60, 90]),
                    reminder_days=7,
                    signed_on=signed,
                )
            )
        plans: list[list[tuple[int, Decimal, date]]] = []
        for contract in contracts:
            # A whole number of installments around the share that reaches the target.
            n = int(per_contract) + (rng.random() < per_contract % 1)
            plan = []
            for sequence, part in enumerate(_parts(contract.amount, max(1, n)), start=1):
                offset = contract.payment_terms_days + (sequence - 1) * rng.randint(30, 90)
                due = contract.signed_on + timedelta(days=offset)
                plan.append((sequence, part, due))
                if due - timedelta(days=contract.payment_terms_days) <= today:
                    contract.invoiced_amount += part
            plans.append(plan)
        bulk_insert(Contract, contracts)
        lines = [
            (contract, sequence, part, due)
            for contract, plan in zip(contracts, plans, strict=True)
            for sequence, part, due in plan
        ]
        left = _left_to_invoice(contracts, plans)
        line_ids = bulk_insert(
            Installment,
            (
                {
                    "contract_id": contract.pk,
                    "sequence": sequence,
                    "amount": part,
                    "due_date": due,
                    "condition": PaymentCondition.SIGNING
                    if sequence == 1
                    else PaymentCondition.DATE,
                    "left_to_invoice": left[contract.pk, sequence],
                }
                for contract, sequence, part, due in lines
            ),
        )
        invoices: list[dict[str, Any]] = []
        for (contract, _sequence, part, due), line_id in zip(lines, line_ids, strict=True):
            issued = due - timedelta(days=contract.payment_terms_days)
            if issued > today:
                continue
            invoices.append(
                {
                    "contract_id": contract.pk,
                    "installment_id": line_id,
                    "account_id": contract.account_id,
                    "owner_id": contract.owner_id,
                    "number": numbers.next("FP", issued),
                    "issued_on": issued,
                    "due_date": due,
                    "due_day": due.toordinal(),
                    "amount": part,
                    "open_amount": part,
                }
            )
        payments: list[tuple[dict[str, Any], int]] = []  # the payment, its invoice's index
        for index, invoice in enumerate(invoices):
            counts["invoices"] += 1
            delay = DELAYS[debtor[invoice["account_id"]]]
            if delay is None and rng.random() < 0.8:
                continue
            low, high = delay or (100, 200)
            issued_on, amount = invoice["issued_on"], invoice["amount"]
            day = max(invoice["due_date"] + timedelta(days=rng.randint(low, high)), issued_on)
            if day > today:
                continue
            # Split into parts while payments lag behind the tenant's payments per invoice.
            behind = ctx.size.payments * counts["invoices"] / ctx.size.invoices - counts["payments"]
            n = max(1, min(3, 1 + round(behind)))
            for k, part in enumerate(_parts(amount, n)):
                counts["payments"] += 1
                payment = {
                    "account_id": invoice["account_id"],
                    "received_on": max(issued_on, day - timedelta(days=15 * (n - 1 - k))),
                    "amount": part,
                    "original_amount": part,
                    "method": PaymentMethod.BANK_TRANSFER
                    if rng.random() < 0.85
                    else PaymentMethod.ACCEPTANCE_BILL,
                    "bank_reference": f"BENCH{counts['payments']:08d}",
                    "unapplied_amount": ZERO,
                    "recorded_by_id": finance_id,
                }
                payments.append((payment, index))
            invoice.update(paid_amount=amount, open_amount=ZERO, paid_on=day)
        invoice_ids = bulk_insert(Invoice, invoices)
        payment_ids = bulk_insert(Payment, [payment for payment, _index in payments])
        bulk_insert(
            Allocation,
            (
                {
                    "payment_id": payment_id,
                    "invoice_id": invoice_ids[index],
                    "amount": payment["amount"],
                    "created_by_id": finance_id,
                }
                for payment_id, (payment, index) in zip(payment_ids, payments, strict=True)
            ),
        )
        counts["contracts"] += len(contracts)
        if counts["contracts"] % (CHUNK * 10) == 0:
            ctx.log(f"  contracts: {counts['contracts']:,} …")
    bulk_insert(
        AccountCredit,
        (
            AccountCredit(
                account_id=pk,
                debtor_type=debtor[pk] if rng.random() < 0.5 else "",
                credit_limit=Decimal(rng.choice([200, 500, 1000, 3000])) * 10000
                if rng.random() < 0.6
                else None,
            )
            for pk in account_ids
        ),
    )
    # Written in bulk, not through the services: the cash forecast's habits, once.
    services.refresh_payment_habits(as_of=today)
    ctx.log(
        f"contracts: {counts['contracts']:,}, invoices: {counts['invoices']:,}, "
        f"payments: {counts['payments']:,}"
    )
