"""Red flags of opportunities, computed live from the data (DOMAIN.md §2.3).

:func:`red_flags_for_opportunities` gathers the facts of any number of deals
in a fixed number of queries (about ten, whatever the count) and hands each to
the pure rules in :mod:`kam.stakeholders.calculations`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from kam.accounts.models import Account, Tier
from kam.core.providers import Provider
from kam.pipeline.calculations import DECISIVE_PRIORITY
from kam.pipeline.funnel_screen import worth_gate_failures
from kam.pipeline.models import DecisionFactor, Opportunity, Standing
from kam.stakeholders.calculations import (
    DECISION_FIELDS,
    DealFacts,
    Person,
    RedFlag,
    Thresholds,
    red_flags,
    too_few_people_met,
)
from kam.stakeholders.models import (
    ContactChange,
    PolicyWatch,
    RedFlagSettings,
    Stakeholder,
)
from kam.stakeholders.services import MOVE_FIELDS

__all__ = [
    "DECISION_FIELDS",
    "PeopleMet",
    "RedFlag",
    "account_coverage",
    "red_flags_for",
    "red_flags_for_opportunities",
    "thresholds",
]


def decision_process_recorded(deal: Opportunity) -> bool:
    return any((getattr(deal, name) or "").strip() for name in DECISION_FIELDS)


@dataclass(frozen=True)
class VisitFacts:
    """What the visits done and planned say about the people of some deals (§2.3)."""

    #: per deal: the day of its last visit done and how many were done
    done: dict[int, tuple[date | None, int]] = field(default_factory=dict)
    #: per deal: the people of the customer met in its visits done
    engaged: dict[int, set[int]] = field(default_factory=dict)
    #: per person of the buying circle: the day they were last met
    last_met: dict[int, date | None] = field(default_factory=dict)
    #: (deal, person) pairs with a visit planned from yesterday on
    planned: set[tuple[int, int]] = field(default_factory=set)


def _no_visits(opportunity_ids: list[int], contacts: QuerySet[Any]) -> VisitFacts:
    return VisitFacts()


#: The visits of the deals ``opportunity_ids`` and of the people ``contacts`` (a query of
#: contact ids); activities answers (``kam.activities.apps``).
visit_facts = Provider("the visits of the red flags", _no_visits)


def _no_surveys(
    account_ids: list[int], *, today: date | None = None
) -> dict[int, tuple[Decimal, Decimal]]:
    return {}


#: Key accounts whose loyalty survey fell past the company's threshold: (previous, latest)
#: per account; performance answers (``kam.performance.apps``).
falling_loyalty = Provider("the falling loyalty of the red flags", _no_surveys)


@dataclass(frozen=True)
class PeopleMet:
    """The people of the customer met in completed activities since a day (the 3–5 rule)."""

    #: per account: the contacts met in any of its activities
    by_account: dict[int, set[int]] = field(default_factory=dict)
    #: per deal: the contacts met in its own activities
    by_deal: dict[int, set[int]] = field(default_factory=dict)


def _nobody_known(account_ids: list[int], opportunity_ids: list[int], since: date) -> None:
    return None


#: The contacts met since ``since`` per account and per deal; activities answers
#: (``kam.activities.apps``). Unanswered, the rule counts the deal's visits of any date.
people_met: Provider[[list[int], list[int], date], PeopleMet | None] = Provider(
    "the people met lately of the red flags", _nobody_known
)


def thresholds() -> Thresholds:
    current = RedFlagSettings.current()
    return Thresholds(
        new_person_days=current.new_person_days,
        min_people_engaged=current.min_people_engaged,
        single_thread_min_activities=current.single_thread_min_activities,
        trust_from_win_rate=current.trust_from_win_rate,
        contact_window_days=current.contact_window_days,
    )


def red_flags_for_opportunities(
    opportunities: QuerySet[Opportunity] | Iterable[Opportunity], *, today: date | None = None
) -> dict[int, list[RedFlag]]:
    """Red flags of many opportunities at once, keyed by opportunity id; bounded queries."""
    today = today or timezone.localdate()
    if isinstance(opportunities, QuerySet):
        deals = list(opportunities.select_related("stage"))
    else:
        deals = list(opportunities)
    if not deals:
        return {}
    ids = [d.pk for d in deals]
    limits = thresholds()

    members = list(
        Stakeholder.objects.filter(opportunity_id__in=ids).values(
            "opportunity_id",
            "contact_id",
            "contact__name",
            "contact__has_left",
            "staff__last_name",
            "staff__first_name",
            "staff__username",
            "outside_name",
            "is_decision_maker",
            "is_user",
            "is_technical_gatekeeper",
            "is_coach",
            "added_on",
            "support",
            "influence",
            "relationship",
            "threatened_interests",
        )
    )
    circle_contacts = Stakeholder.objects.filter(
        opportunity_id__in=ids, contact__isnull=False
    ).values("contact_id")

    visits = visit_facts(ids, circle_contacts)
    moved_on = dict(
        ContactChange.objects.filter(contact_id__in=circle_contacts, field__in=MOVE_FIELDS)
        .values("contact_id")
        .annotate(last=Max("effective_on"))
        .values_list("contact_id", "last")
    )
    accounts = {d.account_id for d in deals}
    overdue: dict[int, list[str]] = defaultdict(list)
    by_account: dict[int, list[str]] = defaultdict(list)
    for account_id, opp_id, title in PolicyWatch.objects.filter(
        Q(opportunity_id__in=ids) | Q(opportunity__isnull=True, account_id__in=accounts),
        resolved=False,
        review_on__lt=today,
    ).values_list("account_id", "opportunity_id", "title"):
        (overdue[opp_id] if opp_id else by_account[account_id]).append(title)

    loyalty = falling_loyalty(list(accounts), today=today)
    not_worth = worth_gate_failures(ids)
    since = today - timedelta(days=limits.contact_window_days)
    recent = people_met([], ids, since)
    bare_factors: dict[int, list[str]] = defaultdict(list)
    for opp_id, name in DecisionFactor.objects.filter(
        opportunity_id__in=ids,
        priority=DECISIVE_PRIORITY,
        standing=Standing.BEHIND,
        strategy="",
    ).values_list("opportunity_id", "name"):
        bare_factors[opp_id].append(name)

    people: dict[int, list[Person]] = defaultdict(list)
    for m in members:
        contact_id = m["contact_id"]
        if contact_id is not None:
            name = m["contact__name"]
        elif m["staff__username"]:
            name = f"{m['staff__last_name']}{m['staff__first_name']}" or m["staff__username"]
        else:
            name = m["outside_name"]
        flags: Mapping[str, object] = m  # the role columns, read by name
        roles = frozenset(role for role, field in Stakeholder.ROLE_FIELDS.items() if flags[field])
        people[m["opportunity_id"]].append(
            Person(
                name=name,
                roles=roles,
                contact_id=contact_id,
                added_on=m["added_on"],
                support=m["support"],
                influence=m["influence"],
                relationship=m["relationship"],
                has_left=bool(m["contact__has_left"]),
                last_met=visits.last_met.get(contact_id),
                moved_on=moved_on.get(contact_id),
                meeting_planned=(m["opportunity_id"], contact_id) in visits.planned,
                interests_threatened=bool((m["threatened_interests"] or "").strip()),
            )
        )

    result: dict[int, list[RedFlag]] = {}
    for deal in deals:
        last, done = visits.done.get(deal.pk, (None, 0))
        facts = DealFacts(
            win_rate=deal.stage.win_rate,
            competition_status=getattr(deal, "competition_status", None),
            people=tuple(people.get(deal.pk, ())),
            last_activity_on=last,
            done_activities=done,
            engaged=frozenset(visits.engaged.get(deal.pk, ())),
            overdue_policies=tuple(overdue.get(deal.pk, []) + by_account.get(deal.account_id, [])),
            loyalty_fall=loyalty.get(deal.account_id),
            worth_failed_at=not_worth.get(deal.pk),
            recently_met=(
                frozenset(recent.by_deal.get(deal.pk, ())) if recent is not None else None
            ),
            decision_process_recorded=decision_process_recorded(deal),
            budget_confirmed=deal.has_budget,
            factors_without_strategy=tuple(bare_factors.get(deal.pk, ())),
        )
        result[deal.pk] = red_flags(facts, limits, today)
    return result


def red_flags_for(opportunity: Opportunity, *, today: date | None = None) -> list[RedFlag]:
    """The red flags of one opportunity, computed now (never stored, never stale)."""
    return red_flags_for_opportunities([opportunity], today=today).get(opportunity.pk, [])


def account_coverage(
    accounts: Iterable[Account], *, today: date | None = None
) -> dict[int, RedFlag]:
    """The 3–5 contacts rule per key account: a flag for each key account of ``accounts``
    where too few of its people were met in the contact window, in one query."""
    today = today or timezone.localdate()
    keys = [a.pk for a in accounts if a.tier == Tier.KEY]
    if not keys:
        return {}
    limits = thresholds()
    recent = people_met(keys, [], today - timedelta(days=limits.contact_window_days))
    if recent is None:
        return {}
    result: dict[int, RedFlag] = {}
    for pk in keys:
        flag = too_few_people_met(len(recent.by_account.get(pk, ())), limits)
        if flag is not None:
            result[pk] = flag
    return result
