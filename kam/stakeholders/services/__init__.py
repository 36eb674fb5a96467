"""Writes of the decision chain (DOMAIN.md §2): people, their moves, the buying circle.

Every function validates, writes in one transaction, records the audit trail
and returns the instance. Callers pass ``by`` (None only for ``kam demo`` and
other internal jobs) and ``via`` (the interface). One module per part of the chain;
the names are re-exported here, so callers import ``kam.stakeholders.services``.
"""

from kam.stakeholders.services.access import NOT_YOUR_CHAIN, can_see_personal_info
from kam.stakeholders.services.circle import (
    ASSESSMENT_SCALES,
    CURRENT_FIELDS,
    add_stakeholder,
    assess,
    remove_stakeholder,
    set_role,
    update_stakeholder,
)
from kam.stakeholders.services.influence import add_influence_line, remove_influence_line
from kam.stakeholders.services.minefields import save_policy_watch, update_red_flag_settings
from kam.stakeholders.services.payment_chain import set_payment_approval_chain
from kam.stakeholders.services.people import (
    CONTACT_FIELDS,
    CONTACT_PERSONAL_FIELDS,
    MOVE_FIELDS,
    create_contact,
    delete_contact,
    update_contact,
)
from kam.stakeholders.services.personal import (
    PERSONAL_FIELDS,
    erase_personal_data,
    export_personal_data,
    personal_data,
    read_personal_info,
    save_personal_info,
)

__all__ = [
    "ASSESSMENT_SCALES",
    "CONTACT_FIELDS",
    "CONTACT_PERSONAL_FIELDS",
    "CURRENT_FIELDS",
    "MOVE_FIELDS",
    "NOT_YOUR_CHAIN",
    "PERSONAL_FIELDS",
    "add_influence_line",
    "add_stakeholder",
    "assess",
    "can_see_personal_info",
    "create_contact",
    "delete_contact",
    "erase_personal_data",
    "export_personal_data",
    "personal_data",
    "read_personal_info",
    "remove_influence_line",
    "remove_stakeholder",
    "save_personal_info",
    "save_policy_watch",
    "set_payment_approval_chain",
    "set_role",
    "update_contact",
    "update_red_flag_settings",
    "update_stakeholder",
]
