"""Reads of team performance (DOMAIN.md §1.4, §1.5, §7); all start from visibility.

Figures are aggregated in the database per account (a few grouped queries, whatever
the number of accounts) and handed to the pure rules of :mod:`kam.performance.calculations`.
One module per subdomain: skills, scopes, the scorecard, efficiency, loyalty.
"""

from __future__ import annotations

from kam.performance.selectors.efficiency import (
    EFFICIENCY_ROWS,
    EfficiencyRow,
    SellingStyle,
    efficiency,
    selling_styles,
    strategy_label,
)
from kam.performance.selectors.loyalty import (
    Loyalty,
    falling_loyalty,
    loyalty_of,
    loyalty_overview,
    openness_from_surveys,
    visible_invitations,
    visible_responses,
)
from kam.performance.selectors.scopes import Scope, rep_scope, team_scopes
from kam.performance.selectors.scorecard import (
    PROFIT,
    ZERO,
    Scorecard,
    ScorecardRow,
    account_facts,
    scorecard,
)
from kam.performance.selectors.skills import (
    coachable_reps,
    latest_skill_levels,
    skill_of,
    viewable_reps,
    visible_assessments,
)

__all__ = [
    "EFFICIENCY_ROWS",
    "PROFIT",
    "ZERO",
    "EfficiencyRow",
    "Loyalty",
    "Scope",
    "Scorecard",
    "ScorecardRow",
    "SellingStyle",
    "account_facts",
    "coachable_reps",
    "efficiency",
    "falling_loyalty",
    "latest_skill_levels",
    "loyalty_of",
    "loyalty_overview",
    "openness_from_surveys",
    "rep_scope",
    "scorecard",
    "selling_styles",
    "skill_of",
    "strategy_label",
    "team_scopes",
    "viewable_reps",
    "visible_assessments",
    "visible_invitations",
    "visible_responses",
]
