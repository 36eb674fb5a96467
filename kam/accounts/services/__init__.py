"""Every change to accounts and what hangs off them (DOMAIN.md §1).

Each function validates, writes in one transaction, records the audit trail and
returns the instance; views, the API, commands and the demo all call these. One module
per subdomain; the names are re-exported here, so ``kam.accounts.services.create_account``
and the rest keep their import path.
"""

from kam.accounts.services.accounts import (
    PROFILE_FIELDS,
    DuplicateAccountError,
    add_member,
    change_member_role,
    create_account,
    find_duplicate,
    normalised_name,
    remove_member,
    update_account,
)
from kam.accounts.services.items import (
    add_item,
    open_opportunity,
    remove_item,
    turn_need_into_opportunity,
    update_item,
)
from kam.accounts.services.plan_reviews import (
    approve_plan,
    may_review,
    may_submit,
    return_plan,
    submit_plan,
    update_plan_settings,
)
from kam.accounts.services.plans import (
    add_action,
    add_plan_item,
    create_plan,
    priority,
    remove_plan_item,
    set_action_status,
    set_whitespace,
    update_plan,
)
from kam.accounts.services.qualification import (
    assess_account,
    clear_tier_override,
    override_tier,
    policy,
    save_allocation,
    update_criteria,
    update_policy,
)

__all__ = [
    "PROFILE_FIELDS",
    "DuplicateAccountError",
    "add_action",
    "add_item",
    "add_member",
    "add_plan_item",
    "approve_plan",
    "assess_account",
    "change_member_role",
    "clear_tier_override",
    "create_account",
    "create_plan",
    "find_duplicate",
    "may_review",
    "may_submit",
    "normalised_name",
    "open_opportunity",
    "override_tier",
    "policy",
    "priority",
    "remove_item",
    "remove_member",
    "remove_plan_item",
    "return_plan",
    "save_allocation",
    "set_action_status",
    "set_whitespace",
    "submit_plan",
    "turn_need_into_opportunity",
    "update_account",
    "update_criteria",
    "update_item",
    "update_plan",
    "update_plan_settings",
    "update_policy",
]
