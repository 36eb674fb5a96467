"""Reads of accounts for pages, exports and the API; all start from visibility."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from kam.accounts.models import Account, AccountMember
from kam.accounts.visibility import visible_accounts
from kam.activities.models import Activity
from kam.core.models import User
from kam.pipeline.models import Opportunity, Status


@dataclass(frozen=True)
class AccountFilters:
    q: str = ""
    tier: str = ""
    industry: str = ""
    owner: int | None = None
    team: int | None = None

    @classmethod
    def from_params(cls, params: Any) -> AccountFilters:
        def as_int(name: str) -> int | None:
            value = params.get(name, "")
            return int(value) if str(value).isdigit() else None

        return cls(
            q=params.get("q", "").strip(),
            tier=params.get("tier", ""),
            industry=params.get("industry", ""),
            owner=as_int("owner"),
            team=as_int("team"),
        )


def account_list(user: User, filters: AccountFilters) -> QuerySet[Account]:
    """Accounts the user may see, filtered, with what the list shows."""
    accounts = visible_accounts(user).select_related("owner", "owner__team", "parent")
    if filters.q:
        accounts = accounts.filter(Q(name__icontains=filters.q) | Q(city__icontains=filters.q))
    if filters.tier:
        accounts = accounts.filter(tier=filters.tier)
    if filters.industry:
        accounts = accounts.filter(industry=filters.industry)
    if filters.owner:
        accounts = accounts.filter(owner_id=filters.owner)
    if filters.team:
        accounts = accounts.filter(owner__team_id=filters.team)
    return accounts.annotate(
        open_opportunities=Count("opportunities", filter=Q(opportunities__status=Status.OPEN)),
        open_amount=Sum("opportunities__amount", filter=Q(opportunities__status=Status.OPEN)),
    )


def account_detail(user: User, pk: int) -> Account:
    """One visible account with its team, people, deals and recent activities.

    Raises ``Account.DoesNotExist`` for an account the user may not see, so the
    view answers 404 and says nothing about it.
    """
    return (
        visible_accounts(user)
        .select_related("owner", "parent")
        .prefetch_related(
            Prefetch("members", queryset=AccountMember.objects.select_related("user")),
            "subsidiaries",
            "contacts",
            Prefetch(
                "opportunities",
                queryset=Opportunity.objects.select_related("stage", "owner").order_by(
                    "status", "expected_close_date"
                ),
            ),
            Prefetch(
                "activities",
                queryset=Activity.objects.select_related("owner").order_by("-starts_at")[:20],
                to_attr="recent_activities",
            ),
        )
        .get(pk=pk)
    )
