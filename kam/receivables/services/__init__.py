"""Every change to receivables goes through here (DOMAIN.md §6).

Each function checks the permission and the input, writes in one transaction,
records the audit trail and returns the instance. Amounts that move money lock
the rows they touch (``select_for_update``) and keep each invoice's running
totals in step with the ledger, so that for every invoice
``amount = paid + credited + written_off + open`` and for every payment
``amount = allocated + unapplied``.

One module per subdomain: :mod:`.credit`, :mod:`.contracts` (and payment plans),
:mod:`.invoices` (and credit notes), :mod:`.payments`, :mod:`.allocation`,
:mod:`.write_offs`, :mod:`.collection` (promises, alerts, collection contacts) and
:mod:`.habits` (the payment habits the cash forecast applies).
"""

from kam.receivables.services.allocation import apply_unapplied_credit, reallocate_payment
from kam.receivables.services.collection import (
    PromiseInput,
    record_collection_contact,
    record_promise,
    resolve_alert,
    settle_due_promises,
    settle_promises,
)
from kam.receivables.services.contracts import (
    CONTRACT_TERMS,
    PlannedInstallment,
    add_installment,
    create_contract,
    refresh_left_to_invoice,
    release_credit_hold,
    update_contract,
)
from kam.receivables.services.credit import (
    CreditCheck,
    account_credit,
    credit_check,
    credit_exposure,
    credit_warning_on_move,
    set_credit,
    set_debtor_type,
)
from kam.receivables.services.habits import refresh_payment_habits, request_payment_habits_refresh
from kam.receivables.services.invoices import issue_credit_note, issue_invoice
from kam.receivables.services.payments import ProbableDuplicate, find_duplicate, record_payment
from kam.receivables.services.write_offs import decide_write_off, request_write_off

__all__ = [
    "CONTRACT_TERMS",
    "CreditCheck",
    "PlannedInstallment",
    "ProbableDuplicate",
    "PromiseInput",
    "account_credit",
    "add_installment",
    "apply_unapplied_credit",
    "create_contract",
    "credit_check",
    "credit_exposure",
    "credit_warning_on_move",
    "decide_write_off",
    "find_duplicate",
    "issue_credit_note",
    "issue_invoice",
    "reallocate_payment",
    "record_collection_contact",
    "record_payment",
    "record_promise",
    "refresh_left_to_invoice",
    "refresh_payment_habits",
    "release_credit_hold",
    "request_payment_habits_refresh",
    "request_write_off",
    "resolve_alert",
    "set_credit",
    "set_debtor_type",
    "settle_due_promises",
    "settle_promises",
    "update_contract",
]
