"""Opportunity pages.

By subdomain: the list and the deal page with the changes made from it
(:mod:`.deals`), the funnel board (:mod:`.board`), the stage models and funnel
settings (:mod:`.administration`) and the account page's panel (:mod:`.panels`).
"""

from kam.pipeline.views.administration import stage_settings
from kam.pipeline.views.board import board, board_column, board_move
from kam.pipeline.views.common import editing
from kam.pipeline.views.deals import (
    SORTS,
    competitor_add,
    competitor_remove,
    evaluation_add,
    factor_add,
    factor_remove,
    factor_update,
    objection_add,
    objection_update,
    opportunity_close,
    opportunity_detail,
    opportunity_edit,
    opportunity_list,
    opportunity_move,
    opportunity_reopen,
)
from kam.pipeline.views.panels import ACCOUNT_PANEL_ROWS, account_panel

__all__ = [
    "ACCOUNT_PANEL_ROWS",
    "SORTS",
    "account_panel",
    "board",
    "board_column",
    "board_move",
    "competitor_add",
    "competitor_remove",
    "editing",
    "evaluation_add",
    "factor_add",
    "factor_remove",
    "factor_update",
    "objection_add",
    "objection_update",
    "opportunity_close",
    "opportunity_detail",
    "opportunity_edit",
    "opportunity_list",
    "opportunity_move",
    "opportunity_reopen",
    "stage_settings",
]
