"""Reads of opportunities; all start from account visibility."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kam.accounts.visibility import scope_to_visible_accounts
from kam.core.models import User
from kam.pipeline.models import Opportunity, StageModel


def visible_opportunities(user: User) -> QuerySet[Opportunity]:
    """Every opportunity on an account the user may see."""
    return scope_to_visible_accounts(Opportunity.objects.all(), user)


def opportunity_list(user: User, *, q: str = "", status: str = "") -> QuerySet[Opportunity]:
    opportunities = visible_opportunities(user).select_related("account", "stage", "owner")
    if q:
        opportunities = opportunities.filter(Q(name__icontains=q) | Q(account__name__icontains=q))
    if status:
        opportunities = opportunities.filter(status=status)
    return opportunities


def default_stage_model() -> StageModel:
    return StageModel.objects.get(is_default=True)
