"""Facts of the account pages that the areas above accounts own (CONTRIBUTING.md, "Layers").

An account's pages show its deals and sales, which the pipeline records, and its visits,
which the activities record; the qualification weighs its sales too. Accounts sits below
both areas and may not import them, so each fact is a
:class:`~kam.core.providers.Provider` here with a neutral answer (no deals, no sales, no
visits), and the pipeline and the activities plug their answers in from their
``AppConfig.ready`` (``kam.pipeline.account_facts``, ``kam.activities.account_facts``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Value

from kam.core.models import User
from kam.core.money import MoneyField
from kam.core.providers import Provider


def _no_open_deals() -> dict[str, Any]:
    return {
        "open_opportunities": Value(0),
        "open_amount": Value(None, output_field=MoneyField()),
    }


#: The number (``open_opportunities``) and the amount (``open_amount``, None without any)
#: of each account's open deals, as annotations of an account queryset.
open_deal_figures: Provider[[], dict[str, Any]] = Provider(
    "the open deals of the account list", _no_open_deals
)


def _no_sales_records(since: date, until: date) -> list[QuerySet[Any]]:
    return []


#: The won deals closed and the off-funnel sales made in [since, until]: querysets of
#: records, each with an ``account`` and an ``amount``.
sales_records: Provider[[date, date], list[QuerySet[Any]]] = Provider(
    "the sales of the accounts", _no_sales_records
)


def _no_sales_by_year(account_id: int, years: set[int]) -> dict[int, Decimal]:
    return {}


#: One account's won business plus off-funnel sales per calendar year of ``years``.
sales_by_year: Provider[[int, set[int]], dict[int, Decimal]] = Provider(
    "the sales of an account per year", _no_sales_by_year
)


def _no_activities(account_id: int, limit: int) -> list[Any]:
    return []


#: One account's latest ``limit`` activities, newest first, with their owners.
recent_activities: Provider[[int, int], list[Any]] = Provider(
    "the latest activities of an account", _no_activities
)


@dataclass(frozen=True)
class SegmentSpend:
    """What the activities at the accounts of one attack / defend segment spent (§1.4)."""

    activities: int
    people: int
    minutes: int
    expenses: Decimal


def _no_spend(user: User, year: int) -> dict[str, SegmentSpend]:
    return {}


#: Per segment, the activities in ``year`` (not cancelled) at the accounts ``user`` sees.
segment_spend: Provider[[User, int], dict[str, SegmentSpend]] = Provider(
    "the activities per segment", _no_spend
)


def _no_account_spend(account_id: int, year: int) -> SegmentSpend:
    return SegmentSpend(activities=0, people=0, minutes=0, expenses=Decimal(0))


#: What the activities (not cancelled) at one account spent in ``year``: how many, by how
#: many people, minutes and expenses; set against an account plan's allocation (§1.4).
account_spend: Provider[[int, int], SegmentSpend] = Provider(
    "the activities of an account in a year", _no_account_spend
)
