"""Accounts and everything recorded about them in the API (DOMAIN.md §1).

The same visibility as the pages: querysets start from :mod:`kam.accounts.visibility`,
records the user may not see answer 404, and every write calls a service (which
refuses finance and stale versions). Sub-resources are flat, filtered by
``?account=ID`` (or ``?plan=ID`` for the pieces of an account plan).

One module per subdomain; ``kam.api.urls`` reads :data:`ROUTES` from here.
"""

from kam.accounts.api.accounts import AccountSerializer, AccountViewSet
from kam.accounts.api.items import (
    AccountItemSerializer,
    AccountItemViewSet,
    AccountMemberSerializer,
    AccountMemberViewSet,
    AccountNoteSerializer,
    AccountNoteViewSet,
    CompetitorPresenceSerializer,
    CompetitorPresenceViewSet,
    InstalledProductSerializer,
    InstalledProductViewSet,
    LatentNeedSerializer,
    LatentNeedViewSet,
    PurchasingDepartmentSerializer,
    PurchasingDepartmentViewSet,
    SwotItemSerializer,
    SwotItemViewSet,
    ValuePeriodSerializer,
    ValuePeriodViewSet,
)
from kam.accounts.api.plans import (
    AccountPlanSerializer,
    AccountPlanViewSet,
    GrowthLeverSerializer,
    GrowthLeverViewSet,
    PlanActionSerializer,
    PlanActionViewSet,
    PlanItemViewSet,
    PlanObjectiveSerializer,
    PlanObjectiveViewSet,
    WhitespaceCellSerializer,
    WhitespaceCellViewSet,
)

ROUTES = [
    ("accounts", AccountViewSet, "account"),
    ("account-members", AccountMemberViewSet, "account-member"),
    ("installed-products", InstalledProductViewSet, "installed-product"),
    ("purchasing-departments", PurchasingDepartmentViewSet, "purchasing-department"),
    ("competitor-presences", CompetitorPresenceViewSet, "competitor-presence"),
    ("account-notes", AccountNoteViewSet, "account-note"),
    ("swot-items", SwotItemViewSet, "swot-item"),
    ("latent-needs", LatentNeedViewSet, "latent-need"),
    ("value-periods", ValuePeriodViewSet, "value-period"),
    ("account-plans", AccountPlanViewSet, "account-plan"),
    ("plan-levers", GrowthLeverViewSet, "plan-lever"),
    ("plan-objectives", PlanObjectiveViewSet, "plan-objective"),
    ("plan-actions", PlanActionViewSet, "plan-action"),
    ("plan-whitespace", WhitespaceCellViewSet, "plan-whitespace"),
]

__all__ = [
    "ROUTES",
    "AccountItemSerializer",
    "AccountItemViewSet",
    "AccountMemberSerializer",
    "AccountMemberViewSet",
    "AccountNoteSerializer",
    "AccountNoteViewSet",
    "AccountPlanSerializer",
    "AccountPlanViewSet",
    "AccountSerializer",
    "AccountViewSet",
    "CompetitorPresenceSerializer",
    "CompetitorPresenceViewSet",
    "GrowthLeverSerializer",
    "GrowthLeverViewSet",
    "InstalledProductSerializer",
    "InstalledProductViewSet",
    "LatentNeedSerializer",
    "LatentNeedViewSet",
    "PlanActionSerializer",
    "PlanActionViewSet",
    "PlanItemViewSet",
    "PlanObjectiveSerializer",
    "PlanObjectiveViewSet",
    "PurchasingDepartmentSerializer",
    "PurchasingDepartmentViewSet",
    "SwotItemSerializer",
    "SwotItemViewSet",
    "ValuePeriodSerializer",
    "ValuePeriodViewSet",
    "WhitespaceCellSerializer",
    "WhitespaceCellViewSet",
]
