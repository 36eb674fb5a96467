"""Customer accounts (DOMAIN.md §1), one module per subdomain.

The names are re-exported here, so ``kam.accounts.models.Account`` and every other
import path stays as it was.
"""

from kam.accounts.models.accounts import (
    Account,
    AccountItem,
    AccountMember,
    Industry,
    Nature,
    Scale,
    Strategy,
    Tier,
)
from kam.accounts.models.bounds import (
    MAX_MONEY,
    NON_NEGATIVE_MONEY,
    PERCENT,
    SCORE_0_5,
    SCORE_1_5,
    SIGNED_MONEY,
    YEAR,
)
from kam.accounts.models.items import (
    AccountNote,
    CompetitorPresence,
    Horizon,
    InformationSource,
    InstalledProduct,
    LatentNeed,
    NeedQuadrant,
    PurchasingDepartment,
    SwotFactor,
    SwotItem,
    SwotKind,
    ValuePeriod,
)
from kam.accounts.models.plans import (
    AccountPlan,
    ActionStatus,
    GrowthLever,
    LeverKind,
    PlanAction,
    PlanObjective,
    ProductLine,
    WhitespaceCell,
    WhitespaceStatus,
)
from kam.accounts.models.qualification import (
    AccountPolicy,
    QualificationCriterion,
    StrategyAllocation,
)

__all__ = [
    "MAX_MONEY",
    "NON_NEGATIVE_MONEY",
    "PERCENT",
    "SCORE_0_5",
    "SCORE_1_5",
    "SIGNED_MONEY",
    "YEAR",
    "Account",
    "AccountItem",
    "AccountMember",
    "AccountNote",
    "AccountPlan",
    "AccountPolicy",
    "ActionStatus",
    "CompetitorPresence",
    "GrowthLever",
    "Horizon",
    "Industry",
    "InformationSource",
    "InstalledProduct",
    "LatentNeed",
    "LeverKind",
    "Nature",
    "NeedQuadrant",
    "PlanAction",
    "PlanObjective",
    "ProductLine",
    "PurchasingDepartment",
    "QualificationCriterion",
    "Scale",
    "Strategy",
    "StrategyAllocation",
    "SwotFactor",
    "SwotItem",
    "SwotKind",
    "Tier",
    "ValuePeriod",
    "WhitespaceCell",
    "WhitespaceStatus",
]
