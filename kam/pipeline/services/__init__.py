"""Every change to an opportunity goes through here (DOMAIN.md §3).

Each function validates, writes in one transaction, keeps the stage history
(StageChange) for stage and status, records the audit event (the before/after of each
changed field, which is also the deal's field history) and returns the instance.

By subdomain: opening and editing deals (:mod:`.opportunities`), moving, closing and
reopening them (:mod:`.moves`), what the deal page records about a deal
(:mod:`.deal_room`), the funnel screen kept on each deal (:mod:`.screening`), and
off-funnel sales with the funnel's configuration (:mod:`.configuration`).
"""

from kam.pipeline.services.configuration import (
    add_stage,
    record_small_sale,
    reorder_stages,
    update_pipeline_settings,
    update_stage,
)
from kam.pipeline.services.deal_room import (
    FACTOR_FIELDS,
    add_competitor,
    add_decision_factor,
    log_objection,
    record_evaluation,
    remove_competitor,
    remove_decision_factor,
    update_competitor,
    update_decision_factor,
    update_objection,
)
from kam.pipeline.services.moves import (
    MoveRefused,
    close_opportunity,
    credit_warning,
    move_opportunity,
    reopen_opportunity,
)
from kam.pipeline.services.opportunities import (
    COMPANY_CURRENCY,
    CURRENCY_RE,
    DISTANT_PAST,
    EDITABLE_FIELDS,
    create_opportunities,
    create_opportunity,
    is_manager,
    new_opportunity,
    update_opportunity,
)
from kam.pipeline.services.screening import refresh_screening, screen_rules

__all__ = [
    "COMPANY_CURRENCY",
    "CURRENCY_RE",
    "DISTANT_PAST",
    "EDITABLE_FIELDS",
    "FACTOR_FIELDS",
    "MoveRefused",
    "add_competitor",
    "add_decision_factor",
    "add_stage",
    "close_opportunity",
    "create_opportunities",
    "create_opportunity",
    "credit_warning",
    "is_manager",
    "log_objection",
    "move_opportunity",
    "new_opportunity",
    "record_evaluation",
    "record_small_sale",
    "refresh_screening",
    "remove_competitor",
    "remove_decision_factor",
    "reopen_opportunity",
    "reorder_stages",
    "screen_rules",
    "update_competitor",
    "update_decision_factor",
    "update_objection",
    "update_opportunity",
    "update_pipeline_settings",
    "update_stage",
]
