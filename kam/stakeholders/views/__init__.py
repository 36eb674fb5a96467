"""Decision-chain pages: people, their personal information, buying circles, maps, flags.

One module per part of the chain; the views are re-exported here for ``urls.py``.
"""

from kam.stakeholders.views.account import account_chain, account_panel, payment_chain_edit
from kam.stakeholders.views.circle import (
    opportunity_chain,
    opportunity_panel,
    stakeholder_add,
    stakeholder_assess,
    stakeholder_interests,
    stakeholder_remove,
)
from kam.stakeholders.views.maps import (
    account_map_partial,
    map_add_line,
    map_remove_line,
    map_set_role,
)
from kam.stakeholders.views.people import (
    SORTS,
    contact_create,
    contact_detail,
    contact_edit,
    contact_list,
    personal_erase,
    personal_export,
    personal_info,
)
from kam.stakeholders.views.red_flags import FLAGS_PER_PAGE, pipeline_flags, red_flag_settings

__all__ = [
    "FLAGS_PER_PAGE",
    "SORTS",
    "account_chain",
    "account_map_partial",
    "account_panel",
    "contact_create",
    "contact_detail",
    "contact_edit",
    "contact_list",
    "map_add_line",
    "map_remove_line",
    "map_set_role",
    "opportunity_chain",
    "opportunity_panel",
    "payment_chain_edit",
    "personal_erase",
    "personal_export",
    "personal_info",
    "pipeline_flags",
    "red_flag_settings",
    "stakeholder_add",
    "stakeholder_assess",
    "stakeholder_interests",
    "stakeholder_remove",
]
