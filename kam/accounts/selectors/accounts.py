"""The account list, the account 360 page and the group tree (DOMAIN.md §1.1)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import DecimalField, F, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from kam.accounts.models import Account, AccountMember, AccountNote, LatentNeed, ValuePeriod
from kam.accounts.selectors.facts import open_deal_figures, recent_activities
from kam.accounts.visibility import visible_accounts
from kam.core.models import User
from kam.core.params import query_int

#: How many of the latest activities the 360 page lists.
RECENT_ACTIVITIES = 20


@dataclass(frozen=True)
class AccountFilters:
    q: str = ""
    tier: str = ""
    segment: str = ""
    scale: str = ""
    attitude: str = ""
    product_usage: str = ""
    industry: str = ""
    owner: int | None = None
    team: int | None = None

    @classmethod
    def from_params(cls, params: Any) -> AccountFilters:
        return cls(
            q=params.get("q", "").strip(),
            tier=params.get("tier", ""),
            segment=params.get("segment", ""),
            scale=params.get("scale", ""),
            attitude=params.get("attitude", ""),
            product_usage=params.get("product_usage", ""),
            industry=params.get("industry", ""),
            owner=query_int(params, "owner"),
            team=query_int(params, "team"),
        )


def account_list(user: User, filters: AccountFilters) -> QuerySet[Account]:
    """Accounts the user may see, filtered, with what the list shows."""
    accounts = visible_accounts(user).select_related("owner", "owner__team", "parent")
    if filters.q:
        accounts = accounts.filter(Q(name__icontains=filters.q) | Q(city__icontains=filters.q))
    if filters.tier:
        accounts = accounts.filter(tier=filters.tier)
    if filters.segment:
        accounts = accounts.filter(segment=filters.segment)
    if filters.scale:
        accounts = accounts.filter(scale=filters.scale)
    if filters.attitude:
        accounts = accounts.filter(attitude=filters.attitude)
    if filters.product_usage:
        accounts = accounts.filter(product_usage=filters.product_usage)
    if filters.industry:
        accounts = accounts.filter(industry=filters.industry)
    if filters.owner:
        accounts = accounts.filter(owner_id=filters.owner)
    if filters.team:
        accounts = accounts.filter(
            Q(owner__team_id=filters.team)
            | Q(pk__in=AccountMember.objects.filter(user__team_id=filters.team).values("account"))
        )
    return accounts.annotate(
        **open_deal_figures(),
        # What the list sorts by: no open deal counts as zero on every database
        # (PostgreSQL would put the empty ones first when sorting by amount, descending).
        open_amount_sort=Coalesce(F("open_amount"), Value(0), output_field=DecimalField()),
    )


def account_detail(user: User, pk: int) -> Account:
    """One visible account with everything its 360 page shows, in a fixed number of queries.

    Raises ``Account.DoesNotExist`` for an account the user may not see, so the
    view answers 404 and says nothing about it.
    """
    account = (
        visible_accounts(user)
        .select_related("owner", "parent", "tier_override_by")
        .prefetch_related(
            Prefetch("members", queryset=AccountMember.objects.select_related("user")),
            "subsidiaries",
            "contacts",
            "installed_products",
            "purchasing_departments",
            "competitors",
            Prefetch("notes", queryset=_notes()),
            "swot_items",
            Prefetch("latent_needs", queryset=_needs()),
            Prefetch("value_periods", queryset=ValuePeriod.objects.order_by("-year")),
        )
        .get(pk=pk)
    )
    setattr(account, "recent_activities", recent_activities(account.pk, RECENT_ACTIVITIES))  # noqa: B010
    return account


def _notes() -> QuerySet[Any]:
    return AccountNote.objects.select_related("author").order_by("-observed_on", "-pk")


def _needs() -> QuerySet[Any]:
    return LatentNeed.objects.select_related("opportunity").order_by("quadrant", "pk")


def editable_account(user: User, pk: int) -> Account:
    """A visible account for an edit; 404 (DoesNotExist) when not visible."""
    return visible_accounts(user).select_related("owner", "parent").get(pk=pk)


def group_tree(account: Account) -> list[tuple[Account, int]]:
    """The whole group the account belongs to, as (account, depth) in tree order.

    Walks up to the top parent, then reads the group level by level: one query per
    level, never per account.
    """
    top = account
    seen = {account.pk}
    while top.parent_id is not None and top.parent_id not in seen:
        seen.add(top.parent_id)
        parent = Account.objects.filter(pk=top.parent_id).only("pk", "name", "parent_id").first()
        if parent is None:
            break
        top = parent
    children: dict[int, list[Account]] = defaultdict(list)
    level = [top.pk]
    depth = 0
    while level and depth < 10:
        rows = list(
            Account.objects.filter(parent_id__in=level).only("pk", "name", "parent_id", "tier")
        )
        for row in rows:
            if row.parent_id is not None:
                children[row.parent_id].append(row)
        level = [row.pk for row in rows]
        depth += 1
    ordered: list[tuple[Account, int]] = []

    def walk(node: Account, d: int) -> None:
        ordered.append((node, d))
        for child in sorted(children.get(node.pk, []), key=lambda a: a.name):
            walk(child, d + 1)

    walk(top, 0)
    return ordered


# --- sales from won business ----------------------------------------------------
