"""Reads of activities; all start from account visibility."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kam.accounts.visibility import scope_to_visible_accounts
from kam.activities.calculations import WEEK, calendar_days
from kam.activities.models import Activity, ActivityStatus, CalendarFeed, Kind, Outcome
from kam.core.models import User
from kam.core.params import query_date, query_int
from kam.core.visibility import visible_users
from kam.pipeline.calculations import stall_verdict
from kam.pipeline.models import Opportunity, PipelineSettings, Status
from kam.stakeholders.red_flags import PeopleMet, VisitFacts


def activity_list(user: User, *, status: str = "") -> QuerySet[Activity]:
    activities = scope_to_visible_accounts(Activity.objects.all(), user).select_related(
        "account", "opportunity", "owner"
    )
    if status:
        activities = activities.filter(status=status)
    return activities


@dataclass(frozen=True)
class ActivityFilters:
    """The list page's filters, parsed leniently from the query string."""

    kind: str = ""
    status: str = ""
    outcome: str = ""
    owner: int | None = None
    account: int | None = None
    q: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def from_params(cls, params: Any) -> ActivityFilters:
        def choice(name: str, values: list[str]) -> str:
            value = str(params.get(name, "") or "")
            return value if value in values else ""

        return cls(
            kind=choice("kind", Kind.values),
            status=choice("status", ActivityStatus.values),
            outcome=choice("outcome", Outcome.values),
            owner=query_int(params, "owner"),
            account=query_int(params, "account"),
            q=str(params.get("q", "") or "").strip(),
            date_from=query_date(params, "date_from"),
            date_to=query_date(params, "date_to"),
        )


def filtered_activities(user: User, filters: ActivityFilters) -> QuerySet[Activity]:
    """The activities list: what the user sees, narrowed by the filters."""
    activities = activity_list(user, status=filters.status)
    if filters.kind:
        activities = activities.filter(kind=filters.kind)
    if filters.outcome:
        activities = activities.filter(outcome=filters.outcome)
    if filters.owner:
        activities = activities.filter(owner_id=filters.owner)
    if filters.account:
        activities = activities.filter(account_id=filters.account)
    if filters.q:
        activities = activities.filter(account__name__icontains=filters.q)
    zone = timezone.get_current_timezone()
    if filters.date_from:
        start = datetime.combine(filters.date_from, time.min, tzinfo=zone)
        activities = activities.filter(starts_at__gte=start)
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=zone)
        activities = activities.filter(starts_at__lt=end)
    return activities


def visible_activity(user: User, pk: int) -> Activity:
    """One activity the user may see, with what its page shows; 404 otherwise."""
    try:
        return (
            activity_list(user)
            .select_related("account", "opportunity", "owner")
            .prefetch_related("contacts", "staff")
            .get(pk=pk)
        )
    except Activity.DoesNotExist:
        raise Http404 from None


def _led_or_attended_by_one(person_id: int, start: datetime, end: datetime) -> Q:
    """The activities one person led and those they attended, each found by its own
    index, as one list of ids. Written as an OR of the two, PostgreSQL read five weeks of
    everybody's activities by start time and filtered them (figures in benchmarks/README.md)."""
    led = Activity.objects.filter(owner_id=person_id, starts_at__gte=start, starts_at__lt=end)
    attended = Activity.staff.through.objects.filter(
        user_id=person_id, activity__starts_at__gte=start, activity__starts_at__lt=end
    )
    return Q(
        pk__in=led.values("pk")
        .order_by()
        .union(attended.values("activity_id").order_by(), all=True)
    )


def _led_or_attended_by_team(people: QuerySet[User]) -> Q:
    """The activities any of ``people`` led or attended: for many people the OR is the
    faster (a team's calendar, measured against the union of each one's)."""
    ids = people.values("pk")
    attended = Activity.staff.through.objects.filter(user_id__in=ids).values("activity_id")
    return Q(owner_id__in=ids) | Q(pk__in=attended)


def calendar_activities(
    user: User, *, start: datetime, end: datetime, people: QuerySet[User] | None = None
) -> QuerySet[Activity]:
    """Activities between ``start`` and ``end`` led or attended by ``people`` (default: the
    user), on accounts the user sees; cancelled ones are left out."""
    if people is None:
        chosen = _led_or_attended_by_one(user.pk, start, end)
    else:
        ids = list(people.order_by().values_list("pk", flat=True)[:2])
        if len(ids) == 1:
            chosen = _led_or_attended_by_one(ids[0], start, end)
        else:
            chosen = _led_or_attended_by_team(people)
    return (
        activity_list(user)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(status=ActivityStatus.CANCELLED)
        .filter(chosen)
        .order_by("starts_at", "pk")
    )


def team_members(user: User) -> QuerySet[User]:
    """The colleagues whose calendar the user may open: self, and a manager's subtree."""
    return visible_users(user).filter(is_active=True).order_by("username")


def feed_for_token(token: str) -> CalendarFeed | None:
    """The feed behind a secret URL, if it still works (a revoked token finds nothing)."""
    if not token:
        return None
    return (
        CalendarFeed.objects.select_related("user")
        .filter(token=token, user__is_active=True)
        .first()
    )


FEED_PAST_DAYS = 90
FEED_FUTURE_DAYS = 366


def feed_activities(user: User) -> QuerySet[Activity]:
    """What the user's calendar app shows: their activities from three months back on."""
    now = timezone.now()
    return calendar_activities(
        user,
        start=now - timedelta(days=FEED_PAST_DAYS),
        end=now + timedelta(days=FEED_FUTURE_DAYS),
    ).select_related("account", "opportunity")


@dataclass(frozen=True)
class StalledDeal:
    opportunity: Opportunity
    reason: str
    last_outcomes: tuple[str, ...]
    last_progress: date | None


def stalled_deals(
    user: User, *, today: date | None = None, stall_days: int | None = None
) -> QuerySet[Opportunity]:
    """Open deals the user sees that are stalled: the last two outcomes
    were continuations, or nothing advanced them for the configured number of days.

    One filter on what each deal stores (``last_outcome``, ``previous_outcome``,
    ``progressed_at``, kept by the services), so a director's count and total are one
    aggregate; the rule is :func:`kam.pipeline.calculations.stall_verdict`, which
    :func:`explain_stalled` applies to the rows shown, and a test holds the two equal.
    """
    today = today or timezone.localdate()
    if stall_days is None:
        stall_days = PipelineSettings.current().stall_days
    quiet_since = datetime.combine(
        today - timedelta(days=stall_days), time.min, tzinfo=timezone.get_current_timezone()
    )
    return scope_to_visible_accounts(Opportunity.objects.filter(status=Status.OPEN), user).filter(
        Q(last_outcome=Outcome.CONTINUATION, previous_outcome=Outcome.CONTINUATION)
        | Q(progressed_at__lt=quiet_since)
    )


def explain_stalled(
    deals: Iterable[Opportunity], *, today: date | None = None, stall_days: int | None = None
) -> list[StalledDeal]:
    """Each stalled deal with why the rule calls it stalled (deals the rule does not call
    stalled are left out, so a stale row can never be shown as stalled)."""
    today = today or timezone.localdate()
    if stall_days is None:
        stall_days = PipelineSettings.current().stall_days
    result: list[StalledDeal] = []
    for deal in deals:
        last_outcomes = tuple(o for o in (deal.last_outcome, deal.previous_outcome) if o)
        last_progress = timezone.localdate(deal.progressed_at) if deal.progressed_at else None
        verdict = stall_verdict(
            last_outcomes=last_outcomes,
            last_progress=last_progress,
            today=today,
            stall_days=stall_days,
        )
        if verdict.stalled:
            result.append(StalledDeal(deal, verdict.reason, last_outcomes, last_progress))
    return result


def stalled_opportunities(user: User, *, today: date | None = None) -> list[StalledDeal]:
    """Every stalled deal the user sees, with its reason, by account and name."""
    stall_days = PipelineSettings.current().stall_days
    deals = (
        stalled_deals(user, today=today, stall_days=stall_days)
        .select_related("account", "owner", "stage")
        .order_by("account__name", "name", "pk")
    )
    return explain_stalled(deals, today=today, stall_days=stall_days)


@dataclass(frozen=True)
class CalendarEntry:
    """What a calendar cell shows of one activity (plain values: a busy rep has hundreds
    a month, and building model instances and display labels for each was most of the page)."""

    pk: int
    starts_at: datetime
    kind: str
    outcome: str
    objective: str
    account_name: str
    owner: str


@dataclass(frozen=True)
class CalendarDay:
    day: date
    in_period: bool
    activities: list[CalendarEntry]


def calendar_grid(
    user: User, *, anchor: date, span: str, people: QuerySet[User] | None = None
) -> list[list[CalendarDay]]:
    """The month or week grid around ``anchor``, each day with its activities (two queries)."""
    weeks = calendar_days(anchor, span)
    zone = timezone.get_current_timezone()
    start = datetime.combine(weeks[0][0], time.min, tzinfo=zone)
    end = datetime.combine(weeks[-1][-1] + timedelta(days=1), time.min, tzinfo=zone)
    by_day: dict[date, list[CalendarEntry]] = {}
    kinds = {value: str(label) for value, label in Kind.choices}
    outcomes = {value: str(label) for value, label in Outcome.choices}
    rows = list(
        calendar_activities(user, start=start, end=end, people=people).values_list(
            "pk", "starts_at", "kind", "outcome", "objective", "account__name", "owner_id"
        )
    )
    owner_ids = {row[6] for row in rows}
    owners = {u.pk: str(u) for u in User.objects.filter(pk__in=owner_ids)} if owner_ids else {}
    for pk, starts_at, kind, outcome, objective, account_name, owner_id in rows:
        by_day.setdefault(timezone.localdate(starts_at), []).append(
            CalendarEntry(
                pk=pk,
                starts_at=starts_at,
                kind=kinds.get(kind, kind),
                outcome=outcomes.get(outcome, ""),
                objective=objective,
                account_name=account_name,
                owner=owners.get(owner_id, ""),
            )
        )
    return [
        [
            CalendarDay(day, span == WEEK or day.month == anchor.month, by_day.get(day, []))
            for day in week
        ]
        for week in weeks
    ]


# --- the visits behind the red flags (§2.3) ------------------------------------------


def _local_day(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment is not None else None


def visit_facts(opportunity_ids: list[int], contacts: QuerySet[Any]) -> VisitFacts:
    """The visits done and planned of some deals and of the people ``contacts`` (a query
    of contact ids), in four grouped queries: what the minefields need of the visits
    (``kam.stakeholders.red_flags.visit_facts``)."""
    through = Activity.contacts.through
    done = {
        row["opportunity_id"]: (_local_day(row["last"]), row["n"])
        for row in Activity.objects.filter(
            opportunity_id__in=opportunity_ids, status=ActivityStatus.DONE
        )
        .values("opportunity_id")
        .annotate(last=Max("starts_at"), n=Count("*"))
    }
    engaged: dict[int, set[int]] = defaultdict(set)
    for opp_id, contact_id in (
        through.objects.filter(
            activity__opportunity_id__in=opportunity_ids, activity__status=ActivityStatus.DONE
        )
        .values_list("activity__opportunity_id", "contact_id")
        .distinct()
    ):
        engaged[opp_id].add(contact_id)
    last_met = {
        row["contact_id"]: _local_day(row["last"])
        for row in through.objects.filter(
            contact_id__in=contacts, activity__status=ActivityStatus.DONE
        )
        .values("contact_id")
        .annotate(last=Max("activity__starts_at"))
    }
    planned = set(
        through.objects.filter(
            activity__opportunity_id__in=opportunity_ids,
            activity__status=ActivityStatus.PLANNED,
            activity__starts_at__gte=timezone.now() - timedelta(days=1),
        ).values_list("activity__opportunity_id", "contact_id")
    )
    return VisitFacts(done=done, engaged=dict(engaged), last_met=last_met, planned=planned)


def people_met(account_ids: list[int], opportunity_ids: list[int], since: date) -> PeopleMet:
    """The contacts met in completed activities from ``since`` on, per account and per deal
    (``kam.stakeholders.red_flags.people_met``, the 3–5 contacts rule); one query each."""
    through = Activity.contacts.through
    start = timezone.make_aware(datetime.combine(since, time.min))
    done = through.objects.filter(
        activity__status=ActivityStatus.DONE, activity__starts_at__gte=start
    )
    by_account: dict[int, set[int]] = defaultdict(set)
    if account_ids:
        for account_id, contact_id in (
            done.filter(activity__account_id__in=account_ids)
            .values_list("activity__account_id", "contact_id")
            .distinct()
        ):
            by_account[account_id].add(contact_id)
    by_deal: dict[int, set[int]] = defaultdict(set)
    if opportunity_ids:
        for opp_id, contact_id in (
            done.filter(activity__opportunity_id__in=opportunity_ids)
            .values_list("activity__opportunity_id", "contact_id")
            .distinct()
        ):
            by_deal[opp_id].add(contact_id)
    return PeopleMet(by_account=dict(by_account), by_deal=dict(by_deal))
