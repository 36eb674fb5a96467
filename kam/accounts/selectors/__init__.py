"""Reads of accounts for pages, exports and the API; all start from visibility.

One module per subdomain; the names are re-exported here, so
``kam.accounts.selectors.account_list`` and the rest keep their import path.
"""

from kam.accounts.selectors.accounts import (
    RECENT_ACTIVITIES,
    AccountFilters,
    account_detail,
    account_list,
    editable_account,
    group_tree,
)
from kam.accounts.selectors.facts import (
    SegmentSpend,
    account_spend,
    open_deal_figures,
    recent_activities,
    sales_by_year,
    sales_records,
    segment_spend,
)
from kam.accounts.selectors.matrix import AllocationRow, MatrixPoint, attack_defend_matrix
from kam.accounts.selectors.plan_governance import (
    PANEL_ROWS,
    PlanWarning,
    plan_warning_for,
    plan_warnings,
    plans_to_review,
    resource_use,
    review_history,
)
from kam.accounts.selectors.plans import PlanView, plan_view, plans_for
from kam.accounts.selectors.qualification import (
    ZERO,
    Assessment,
    ReceivablesFacts,
    assessment_for,
    assessments_for,
    criteria,
    current_policy,
    receivables_facts,
    sales_by_account,
    surveyed_openness,
)
from kam.accounts.selectors.value import (
    AccountSales,
    Pyramid,
    TierRow,
    ValueRow,
    value_pyramid,
    value_rows,
)
from kam.accounts.visibility import scope_to_visible_accounts, visible_accounts

__all__ = [
    "PANEL_ROWS",
    "RECENT_ACTIVITIES",
    "ZERO",
    "AccountFilters",
    "AccountSales",
    "AllocationRow",
    "Assessment",
    "MatrixPoint",
    "PlanView",
    "PlanWarning",
    "Pyramid",
    "ReceivablesFacts",
    "SegmentSpend",
    "TierRow",
    "ValueRow",
    "account_detail",
    "account_list",
    "account_spend",
    "assessment_for",
    "assessments_for",
    "attack_defend_matrix",
    "criteria",
    "current_policy",
    "editable_account",
    "group_tree",
    "open_deal_figures",
    "plan_view",
    "plan_warning_for",
    "plan_warnings",
    "plans_for",
    "plans_to_review",
    "receivables_facts",
    "recent_activities",
    "resource_use",
    "review_history",
    "sales_by_account",
    "sales_by_year",
    "sales_records",
    "scope_to_visible_accounts",
    "segment_spend",
    "surveyed_openness",
    "value_pyramid",
    "value_rows",
    "visible_accounts",
]
