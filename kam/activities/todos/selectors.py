"""Reads of tasks; all start from :func:`visible_tasks`.

A user sees the tasks they own or created and those of the colleagues whose work they
see (:func:`kam.core.visibility.visible_users`), and of those only the ones about an
account they see (or about no account at all).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from kam.accounts.visibility import visible_accounts
from kam.activities.models import Task
from kam.activities.todos import links
from kam.core.models import User
from kam.core.params import query_date, query_int
from kam.core.visibility import sees_all_accounts, visible_users

OPEN = "open"
OVERDUE = "overdue"
TODAY = "today"
UPCOMING = "upcoming"
DONE = "done"
#: The list's tabs, in order; "open" is every task not done.
WHEN = (OPEN, OVERDUE, TODAY, UPCOMING, DONE)
#: The owner filter's value for every colleague the user sees.
EVERYONE = "all"


def visible_tasks(user: User) -> QuerySet[Task]:
    """The tasks ``user`` may see."""
    if not user.is_authenticated or not user.is_active:
        return Task.objects.none()
    tasks = Task.objects.all()
    if sees_all_accounts(user):
        return tasks
    return tasks.filter(
        Q(owner_id__in=visible_users(user).values("pk")) | Q(created_by_id=user.pk)
    ).filter(Q(account__isnull=True) | Q(account_id__in=visible_accounts(user).values("pk")))


def visible_task(user: User, pk: int) -> Task:
    """One task the user may see, with what its row shows; 404 otherwise."""
    try:
        return with_related(visible_tasks(user)).get(pk=pk)
    except Task.DoesNotExist:
        raise Http404 from None


def with_related(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """What a row of tasks shows, read with it (the linked contract or invoice too)."""
    return tasks.select_related(
        "owner", "created_by", "done_by", "account", "person", "opportunity"
    ).prefetch_related("linked")


def when_filter(tasks: QuerySet[Task], when: str, today: date) -> QuerySet[Task]:
    """Narrow to one tab: open, overdue (open, due before today), due today, upcoming
    (open, due later or without a date) or done."""
    if when == DONE:
        return tasks.filter(done_at__isnull=False)
    tasks = tasks.filter(done_at__isnull=True)
    if when == OVERDUE:
        return tasks.filter(due_on__lt=today)
    if when == TODAY:
        return tasks.filter(due_on=today)
    if when == UPCOMING:
        return tasks.filter(Q(due_on__gt=today) | Q(due_on__isnull=True))
    return tasks


@dataclass(frozen=True)
class TaskFilters:
    """The list's and the API's filters, parsed leniently from the query string.

    ``owner`` is a colleague's id; ``everyone`` asks for every owner the user sees. The
    page shows the user's own tasks when neither is given; the API every visible one.
    """

    when: str = ""
    owner: int | None = None
    everyone: bool = False
    account: int | None = None
    opportunity: int | None = None
    person: int | None = None
    done: bool | None = None
    due_from: date | None = None
    due_to: date | None = None
    q: str = ""

    @classmethod
    def from_params(cls, params: Any) -> TaskFilters:
        when = str(params.get("when", "") or params.get("due", "") or "")
        done = str(params.get("done", "") or "").lower()
        owner = str(params.get("owner", "") or "")
        return cls(
            when=when if when in WHEN else "",
            owner=None if owner == EVERYONE else query_int(params, "owner"),
            everyone=owner == EVERYONE,
            account=query_int(params, "account"),
            opportunity=query_int(params, "opportunity"),
            person=query_int(params, "person"),
            done={"true": True, "1": True, "false": False, "0": False}.get(done),
            due_from=query_date(params, "due_from"),
            due_to=query_date(params, "due_to"),
            q=str(params.get("q", "") or "").strip(),
        )


def filtered_tasks(user: User, filters: TaskFilters, *, today: date) -> QuerySet[Task]:
    """The tasks the user sees, narrowed by everything but the tab."""
    tasks = visible_tasks(user)
    if filters.owner:
        tasks = tasks.filter(owner_id=filters.owner)
    if filters.account:
        tasks = tasks.filter(account_id=filters.account)
    if filters.opportunity:
        tasks = tasks.filter(opportunity_id=filters.opportunity)
    if filters.person:
        tasks = tasks.filter(person_id=filters.person)
    if filters.done is not None:
        tasks = tasks.filter(done_at__isnull=not filters.done)
    if filters.due_from:
        tasks = tasks.filter(due_on__gte=filters.due_from)
    if filters.due_to:
        tasks = tasks.filter(due_on__lte=filters.due_to)
    if filters.q:
        tasks = tasks.filter(title__icontains=filters.q)
    if filters.when:
        tasks = when_filter(tasks, filters.when, today)
    return tasks


def tab_counts(tasks: QuerySet[Task], today: date) -> dict[str, int]:
    """How many tasks each tab holds, in one query."""
    open_ = Q(done_at__isnull=True)
    counts = tasks.aggregate(
        open=Count("pk", filter=open_),
        overdue=Count("pk", filter=open_ & Q(due_on__lt=today)),
        today=Count("pk", filter=open_ & Q(due_on=today)),
        upcoming=Count("pk", filter=open_ & (Q(due_on__gt=today) | Q(due_on__isnull=True))),
        done=Count("pk", filter=Q(done_at__isnull=False)),
    )
    return {when: counts[when] or 0 for when in WHEN}


def task_owners(user: User) -> QuerySet[User]:
    """The colleagues a user may give a task to, or filter the list by."""
    return visible_users(user).filter(is_active=True).order_by("last_name", "first_name", "pk")


#: How many done tasks a record's panel still shows under its open ones.
RECENTLY_DONE = 5


@dataclass(frozen=True)
class AboutTasks:
    """A record's tasks, for the panel on its page: the open ones, then the latest done."""

    open: list[Task]
    done: list[Task]


def tasks_about(user: User, **about: Any) -> AboutTasks:
    """The visible tasks about one record: ``account=``, ``opportunity=``, ``person=`` (ids)
    or ``linked=(kind key, id)`` for a contract or an invoice."""
    tasks = visible_tasks(user)
    linked = about.pop("linked", None)
    if linked is not None:
        kind = links.kind_of(linked[0])
        if kind is None:
            return AboutTasks([], [])
        tasks = tasks.filter(
            linked_type=ContentType.objects.get_for_model(kind.model), linked_id=linked[1]
        )
    tasks = with_related(tasks.filter(**{f"{name}_id": pk for name, pk in about.items()}))
    return AboutTasks(
        open=list(tasks.filter(done_at__isnull=True).order_by("due_on", "pk")),
        done=list(tasks.filter(done_at__isnull=False).order_by("-done_at", "-pk")[:RECENTLY_DONE]),
    )


#: How far ahead the dashboard's panel looks for tasks falling due.
DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class DueTasks:
    """The dashboard's panel: one's own open tasks overdue or due within a week."""

    overdue: int
    today: int
    tasks: list[Task]


def due_soon(user: User, today: date, limit: int = 10) -> DueTasks:
    mine = visible_tasks(user).filter(owner_id=user.pk, done_at__isnull=True)
    horizon = today + timedelta(days=DUE_SOON_DAYS)
    counts = mine.aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)), today=Count("pk", filter=Q(due_on=today))
    )
    rows = with_related(mine.filter(due_on__lte=horizon)).order_by("due_on", "pk")[:limit]
    return DueTasks(overdue=counts["overdue"] or 0, today=counts["today"] or 0, tasks=list(rows))


def feed_tasks(user: User, today: date) -> QuerySet[Task]:
    """What the calendar feed shows: one's open tasks with a date, a month back on."""
    return (
        visible_tasks(user)
        .filter(owner_id=user.pk, done_at__isnull=True, due_on__gte=today - timedelta(days=31))
        .select_related("account", "opportunity")
        .order_by("due_on", "pk")
    )


def falling_due(user: User, today: date) -> QuerySet[Task]:
    """One's own open tasks due today or before (the notification of a task falling due)."""
    return (
        visible_tasks(user)
        .filter(owner_id=user.pk, done_at__isnull=True, due_on__lte=today)
        .select_related("account")
        .order_by("due_on", "pk")
    )


#: A task given by someone else is announced if it is this recent when the scan finds it.
ASSIGNED_WINDOW = timedelta(days=7)


def assigned_by_others(user: User, now: datetime) -> QuerySet[Task]:
    """Open tasks a colleague (not KAM's rules, not oneself) gave ``user`` lately."""
    return (
        visible_tasks(user)
        .filter(owner_id=user.pk, done_at__isnull=True, created_at__gte=now - ASSIGNED_WINDOW)
        .exclude(created_by__isnull=True)
        .exclude(created_by_id=user.pk)
        .select_related("account", "created_by")
        .order_by("pk")
    )
