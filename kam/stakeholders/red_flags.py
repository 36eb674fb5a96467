"""Red flags of opportunities, computed live from the data (DOMAIN.md §2.3).

:func:`red_flags_for_opportunities` gathers the facts of any number of deals
in a fixed number of queries (about ten, whatever the count) and hands each to
the pure rules in :mod:`kam.stakeholders.calculations`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from kam.activities.models import Activity, ActivityStatus
from kam.core.providers import Provider
from kam.pipeline.models import Opportunity
from kam.stakeholders.calculations import (
    DealFacts,
    Person,
    RedFlag,
    Thresholds,
    red_flags,
)
from kam.stakeholders.models import (
    ContactChange,
    PolicyWatch,
    RedFlagSettings,
    Stakeholder,
)
from kam.stakeholders.services import MOVE_FIELDS

__all__ = ["RedFlag", "red_flags_for", "red_flags_for_opportunities", "thresholds"]


def _no_surveys(
    account_ids: list[int], *, today: date | None = None
) -> dict[int, tuple[Decimal, Decimal]]:
    return {}


#: Key accounts whose loyalty survey fell past the company's threshold: (previous, latest)
#: per account; performance answers (``kam.performance.apps``).
falling_loyalty = Provider("the falling loyalty of the red flags", _no_surveys)


def thresholds() -> Thresholds:
    current = RedFlagSettings.current()
    return Thresholds(
        new_person_days=current.new_person_days,
        min_people_engaged=current.min_people_engaged,
        single_thread_min_activities=current.single_thread_min_activities,
        trust_from_win_rate=current.trust_from_win_rate,
    )


def _day(value: Any) -> date | None:
    if value is None:
        return None
    return timezone.localdate(value) if hasattr(value, "tzinfo") and value.tzinfo else value


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
    through = Activity.contacts.through

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
        )
    )
    circle_contacts = Stakeholder.objects.filter(
        opportunity_id__in=ids, contact__isnull=False
    ).values("contact_id")

    done = {
        row["opportunity_id"]: row
        for row in Activity.objects.filter(opportunity_id__in=ids, status=ActivityStatus.DONE)
        .values("opportunity_id")
        .annotate(last=Max("starts_at"), n=Count("*"))
    }
    engaged: dict[int, set[int]] = defaultdict(set)
    for opp_id, contact_id in (
        through.objects.filter(
            activity__opportunity_id__in=ids, activity__status=ActivityStatus.DONE
        )
        .values_list("activity__opportunity_id", "contact_id")
        .distinct()
    ):
        engaged[opp_id].add(contact_id)
    last_met = {
        row["contact_id"]: _day(row["last"])
        for row in through.objects.filter(
            contact_id__in=circle_contacts, activity__status=ActivityStatus.DONE
        )
        .values("contact_id")
        .annotate(last=Max("activity__starts_at"))
    }
    planned = set(
        through.objects.filter(
            activity__opportunity_id__in=ids,
            activity__status=ActivityStatus.PLANNED,
            activity__starts_at__gte=timezone.now() - timedelta(days=1),
        ).values_list("activity__opportunity_id", "contact_id")
    )
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

    people: dict[int, list[Person]] = defaultdict(list)
    for m in members:
        contact_id = m["contact_id"]
        if contact_id is not None:
            name = m["contact__name"]
        elif m["staff__username"]:
            name = f"{m['staff__last_name']}{m['staff__first_name']}" or m["staff__username"]
        else:
            name = m["outside_name"]
        roles = frozenset(
            role
            for role, field in Stakeholder.ROLE_FIELDS.items()
            if m[field]  # type: ignore[literal-required]
        )
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
                last_met=last_met.get(contact_id),
                moved_on=moved_on.get(contact_id),
                meeting_planned=(m["opportunity_id"], contact_id) in planned,
            )
        )

    result: dict[int, list[RedFlag]] = {}
    for deal in deals:
        stats = done.get(deal.pk)
        facts = DealFacts(
            win_rate=deal.stage.win_rate,
            competition_status=getattr(deal, "competition_status", None),
            people=tuple(people.get(deal.pk, ())),
            last_activity_on=_day(stats["last"]) if stats else None,
            done_activities=stats["n"] if stats else 0,
            engaged=frozenset(engaged.get(deal.pk, ())),
            overdue_policies=tuple(overdue.get(deal.pk, []) + by_account.get(deal.account_id, [])),
            loyalty_fall=loyalty.get(deal.account_id),
        )
        result[deal.pk] = red_flags(facts, limits, today)
    return result


def red_flags_for(opportunity: Opportunity, *, today: date | None = None) -> list[RedFlag]:
    """The red flags of one opportunity, computed now (never stored, never stale)."""
    return red_flags_for_opportunities([opportunity], today=today).get(opportunity.pk, [])
