"""Receivables, credit and collections (DOMAIN.md §6): a sale counts when the cash is in.

The ledger (:mod:`.ledger`) holds contracts, invoices and payments; :mod:`.credit` an
account's credit and payment habits; :mod:`.collection` promises to pay and the
conversations of collecting. The invariant ``amount = paid + credited + written_off +
open`` holds for every invoice and ``amount = allocated + unapplied`` for every payment.

Foreign keys to accounts cascade only because an account can never be deleted
while it has opportunities (those protect it); users and contacts are
``SET_NULL`` so people leaving never erases money.
"""

from kam.receivables.models.collection import (
    NEGOTIATION_RESULT,
    CollectionAlert,
    CollectionContact,
    CollectionOutcome,
    Excuse,
    NegotiationOutcome,
    PaymentPromise,
    PowerStep,
)
from kam.receivables.models.credit import AccountCredit, DebtorType, PaymentHabit, PaymentHabitsAsOf
from kam.receivables.models.ledger import (
    BOOKING_CURRENCY,
    ZERO,
    Allocation,
    Contract,
    CreditNote,
    CreditStatus,
    Installment,
    Invoice,
    Payment,
    PaymentCondition,
    PaymentMethod,
    WriteOff,
)

__all__ = [
    "BOOKING_CURRENCY",
    "NEGOTIATION_RESULT",
    "ZERO",
    "AccountCredit",
    "Allocation",
    "CollectionAlert",
    "CollectionContact",
    "CollectionOutcome",
    "Contract",
    "CreditNote",
    "CreditStatus",
    "DebtorType",
    "Excuse",
    "Installment",
    "Invoice",
    "NegotiationOutcome",
    "Payment",
    "PaymentCondition",
    "PaymentHabit",
    "PaymentHabitsAsOf",
    "PaymentMethod",
    "PaymentPromise",
    "PowerStep",
    "WriteOff",
]
