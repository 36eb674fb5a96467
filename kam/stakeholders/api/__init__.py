"""The decision chain in the API (DOMAIN.md §2, §6): the same visibility and rules as the UI.

Querysets start from account visibility, so another team's ids answer 404;
every write goes through :mod:`kam.stakeholders.services`, so a stale
``version`` answers 409 and a refused change 403. Sensitive personal
information has its own endpoint, open to the account team and their
managers only, and every read of it is logged. One module per part of the chain;
``ROUTES`` lists them all for :mod:`kam.api.urls`.
"""

from kam.stakeholders.api.circle import (
    AssessmentSerializer,
    AssessRequestSerializer,
    StakeholderSerializer,
    StakeholderViewSet,
)
from kam.stakeholders.api.influence import InfluenceLineSerializer, InfluenceLineViewSet
from kam.stakeholders.api.payment_chain import (
    ApprovalStepSerializer,
    PaymentChainSerializer,
    PaymentChainViewSet,
)
from kam.stakeholders.api.people import (
    ContactChangeSerializer,
    ContactSerializer,
    ContactViewSet,
    PersonalInfoSerializer,
)
from kam.stakeholders.api.red_flags import (
    OpportunityFlagsSerializer,
    RedFlagSerializer,
    RedFlagViewSet,
)

ROUTES = [
    ("contacts", ContactViewSet, "contact"),
    ("buying-circle", StakeholderViewSet, "stakeholder"),
    ("influence-lines", InfluenceLineViewSet, "influence-line"),
    ("red-flags", RedFlagViewSet, "red-flag"),
    ("payment-approval-chains", PaymentChainViewSet, "payment-approval-chain"),
]

__all__ = [
    "ROUTES",
    "ApprovalStepSerializer",
    "AssessRequestSerializer",
    "AssessmentSerializer",
    "ContactChangeSerializer",
    "ContactSerializer",
    "ContactViewSet",
    "InfluenceLineSerializer",
    "InfluenceLineViewSet",
    "OpportunityFlagsSerializer",
    "PaymentChainSerializer",
    "PaymentChainViewSet",
    "PersonalInfoSerializer",
    "RedFlagSerializer",
    "RedFlagViewSet",
    "StakeholderSerializer",
    "StakeholderViewSet",
]
