"""Account pages: the list, the account 360 page, its edits, the plans, the pyramid and
the matrix; one module per subdomain, the views re-exported here for ``urls.py``."""

from kam.accounts.views.accounts import (
    SORTS,
    account_detail,
    account_edit,
    account_list,
    item_add,
    item_form,
    item_remove,
    member_add,
    member_change,
    member_form,
    need_to_opportunity,
    reassess,
    tier_override,
)
from kam.accounts.views.plans import (
    PLAN_ITEMS,
    plan_create,
    plan_detail,
    plan_item,
    plan_review,
    plan_settings,
)
from kam.accounts.views.portfolio import matrix, pyramid, qualification_settings

__all__ = [
    "PLAN_ITEMS",
    "SORTS",
    "account_detail",
    "account_edit",
    "account_list",
    "item_add",
    "item_form",
    "item_remove",
    "matrix",
    "member_add",
    "member_change",
    "member_form",
    "need_to_opportunity",
    "plan_create",
    "plan_detail",
    "plan_item",
    "plan_review",
    "plan_settings",
    "pyramid",
    "qualification_settings",
    "reassess",
    "tier_override",
]
