"""Reads of activities; all start from account visibility."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from kam.accounts.visibility import scope_to_visible_accounts
from kam.activities.calculations import WEEK, calendar_days
from kam.activities.models import Activity, ActivityStatus, CalendarFeed, Kind, Outcome
from kam.core.models import User
from kam.core.visibility import visible_users
from kam.pipeline.calculations import stall_verdict
from kam.pipeline.models import Opportunity, PipelineSettings, StageChange, Status


def activity_list(user: User, *, status: str = "") -> QuerySet[Activity]:
    activities = scope_to_visible_accounts(Activity.objects.all(), user).select_related(
        "account", "opportunity", "owner"
    )
    if status:
        activities = activities.filter(status=status)
    return activities


@dataclass(frozen=True)
class ActivityFilters:
    """The list page's filters (issue 5 no. 9), parsed leniently from the query string."""

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

        def as_int(name: str) -> int | None:
            value = str(params.get(name, "") or "")
            return int(value) if value.isdigit() else None

        def as_date(name: str) -> date | None:
            try:
                return date.fromisoformat(str(params.get(name, "") or ""))
            except ValueError:
                return None

        return cls(
            kind=choice("kind", Kind.values),
            status=choice("status", ActivityStatus.values),
            outcome=choice("outcome", Outcome.values),
            owner=as_int("owner"),
            account=as_int("account"),
            q=str(params.get("q", "") or "").strip(),
            date_from=as_date("date_from"),
            date_to=as_date("date_to"),
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


def calendar_activities(
    user: User, *, start: datetime, end: datetime, people: QuerySet[User] | None = None
) -> QuerySet[Activity]:
    """Activities between ``start`` and ``end`` led or attended by ``people`` (default: the
    user), on accounts the user sees; cancelled ones are left out (issue 5 no. 11)."""
    if people is None:
        people = User.objects.filter(pk=user.pk)
    people_ids = people.values("pk")
    return (
        activity_list(user)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(status=ActivityStatus.CANCELLED)
        .filter(
            Q(owner_id__in=people_ids)
            | Q(
                pk__in=Activity.staff.through.objects.filter(user_id__in=people_ids).values(
                    "activity_id"
                )
            )
        )
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


PROGRESS_OUTCOMES = (Outcome.ADVANCE, Outcome.ORDER)


def stalled_opportunities(user: User, *, today: date | None = None) -> list[StalledDeal]:
    """Open deals the user sees that are stalled (issue 5 no. 10): the last two outcomes
    were continuations, or nothing advanced them for the configured number of days.

    One query however many deals: the last two outcomes and the last progress are
    annotated, the rule itself is :func:`kam.pipeline.calculations.stall_verdict`.
    """
    today = today or timezone.localdate()
    stall_days = PipelineSettings.current().stall_days
    outcomes = Activity.objects.filter(
        opportunity_id=OuterRef("pk"), status=ActivityStatus.DONE
    ).exclude(outcome="")
    newest = outcomes.order_by("-starts_at", "-pk").values("outcome")
    last_advance = (
        outcomes.filter(outcome__in=PROGRESS_OUTCOMES)
        .order_by("-starts_at")
        .values("starts_at")[:1]
    )
    last_move = (
        StageChange.objects.filter(opportunity_id=OuterRef("pk"))
        .order_by("-changed_at")
        .values("changed_at")[:1]
    )
    opportunities = (
        scope_to_visible_accounts(Opportunity.objects.filter(status=Status.OPEN), user)
        .select_related("account", "owner", "stage")
        .annotate(
            outcome_1=Subquery(newest[:1]),
            outcome_2=Subquery(newest[1:2]),
            advanced_at=Subquery(last_advance),
            moved_at=Subquery(last_move),
        )
        .order_by("account__name", "name", "pk")
    )
    stalled: list[StalledDeal] = []
    for opportunity in opportunities:
        last_outcomes = tuple(
            o
            for o in (opportunity.outcome_1, opportunity.outcome_2)
            if o  # type: ignore[attr-defined]
        )
        moments = [
            m
            for m in (
                opportunity.advanced_at,  # type: ignore[attr-defined]
                opportunity.moved_at,  # type: ignore[attr-defined]
                opportunity.created_at,
            )
            if m is not None
        ]
        last_progress = timezone.localdate(max(moments)) if moments else None
        verdict = stall_verdict(
            last_outcomes=last_outcomes,
            last_progress=last_progress,
            today=today,
            stall_days=stall_days,
        )
        if verdict.stalled:
            stalled.append(StalledDeal(opportunity, verdict.reason, last_outcomes, last_progress))
    return stalled


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
