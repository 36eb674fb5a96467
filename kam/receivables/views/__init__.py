"""Receivables pages, one module per subdomain: :mod:`.aging` (the aging page, its
panels, the overdue list, their spreadsheets), :mod:`.contracts` (the list and the
contract's page), :mod:`.actions` (the contract page's forms), :mod:`.payments`
(allocating a payment), :mod:`.collection`, :mod:`.calculators` and :mod:`.forecast`
(the cash forecast). Chart options are built in :mod:`kam.receivables.charts`.
"""

from kam.receivables.views.actions import (
    ACTIONS,
    CONTRACT_FORMS,
    contract_action,
    decide_write_off,
    release_hold,
)
from kam.receivables.views.aging import (
    AGING_ROWS,
    INVOICE_SORTS,
    OVERDUE_SORTS,
    PANEL_CONTEXT,
    SIDE_PANELS,
    AgingCell,
    account_panel,
    aging_invoices,
    export_aging,
    export_overdue,
    index,
    overdue,
    panel,
)
from kam.receivables.views.calculators import EXTRA_SALES_LOSSES, EXTRA_SALES_MARGINS, calculators
from kam.receivables.views.collection import collection_script, excuse_response, resolve_alert
from kam.receivables.views.contracts import (
    CONTRACT_SORTS,
    contract_create,
    contract_detail,
    contract_list,
)
from kam.receivables.views.forecast import cash_forecast, export_cash_forecast
from kam.receivables.views.payments import allocate

__all__ = [
    "ACTIONS",
    "AGING_ROWS",
    "CONTRACT_FORMS",
    "CONTRACT_SORTS",
    "EXTRA_SALES_LOSSES",
    "EXTRA_SALES_MARGINS",
    "INVOICE_SORTS",
    "OVERDUE_SORTS",
    "PANEL_CONTEXT",
    "SIDE_PANELS",
    "AgingCell",
    "account_panel",
    "aging_invoices",
    "allocate",
    "calculators",
    "cash_forecast",
    "collection_script",
    "contract_action",
    "contract_create",
    "contract_detail",
    "contract_list",
    "decide_write_off",
    "excuse_response",
    "export_aging",
    "export_cash_forecast",
    "export_overdue",
    "index",
    "overdue",
    "panel",
    "release_hold",
    "resolve_alert",
]
