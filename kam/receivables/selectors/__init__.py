"""Reads that feed the receivables pages, API and exports (DOMAIN.md §6).

Every function starts from the one visibility rule (:mod:`.scope`): finance and
directors see every receivable, managers their subtree's, reps their accounts'. Totals
are computed in the database (aging is one grouped query with a filtered sum per
bucket on the days overdue), so the number of queries does not grow with rows.

One module per subdomain: :mod:`.contracts`, :mod:`.aging` (and DSO),
:mod:`.collection` (the overdue list, debtor types, alerts), :mod:`.forecast` (the
cash forecast) and :mod:`.account` (one account's panel and qualification facts).
"""

from kam.receivables.selectors.account import (
    AccountReceivables,
    account_receivables,
    qualification_facts,
)
from kam.receivables.selectors.aging import (
    AGING_PAGE_ROWS,
    BUCKET_KEYS,
    DSO_DAYS,
    GROUPINGS,
    AgingPage,
    AgingReport,
    AgingRow,
    aging,
    aging_group_count,
    aging_groups,
    aging_invoices,
    aging_page,
    aging_row,
    bucket_labels,
    dso,
    dso_by_account,
)
from kam.receivables.selectors.collection import (
    DebtorTypeView,
    collection_contacts,
    debtor_types,
    open_alerts,
    overdue_invoices,
)
from kam.receivables.selectors.contracts import (
    RepCompleteSales,
    collected_by_contract,
    complete_sale_for,
    complete_sales_by_rep,
    contract_detail,
    contract_list,
    contract_page,
    won_opportunities_without_contract,
)
from kam.receivables.selectors.forecast import (
    CASH_HORIZON,
    DEFAULT_TERMS_DAYS,
    DELAY_HISTORY_DAYS,
    CashForecast,
    cash_forecast,
    payment_habits,
)
from kam.receivables.selectors.scope import (
    MONEY,
    visible_account,
    visible_contracts,
    visible_invoices,
    visible_payments,
    visible_promises,
    visible_write_offs,
)

__all__ = [
    "AGING_PAGE_ROWS",
    "BUCKET_KEYS",
    "CASH_HORIZON",
    "DEFAULT_TERMS_DAYS",
    "DELAY_HISTORY_DAYS",
    "DSO_DAYS",
    "GROUPINGS",
    "MONEY",
    "AccountReceivables",
    "AgingPage",
    "AgingReport",
    "AgingRow",
    "CashForecast",
    "DebtorTypeView",
    "RepCompleteSales",
    "account_receivables",
    "aging",
    "aging_group_count",
    "aging_groups",
    "aging_invoices",
    "aging_page",
    "aging_row",
    "bucket_labels",
    "cash_forecast",
    "collected_by_contract",
    "collection_contacts",
    "complete_sale_for",
    "complete_sales_by_rep",
    "contract_detail",
    "contract_list",
    "contract_page",
    "debtor_types",
    "dso",
    "dso_by_account",
    "open_alerts",
    "overdue_invoices",
    "payment_habits",
    "qualification_facts",
    "visible_account",
    "visible_contracts",
    "visible_invoices",
    "visible_payments",
    "visible_promises",
    "visible_write_offs",
    "won_opportunities_without_contract",
]
