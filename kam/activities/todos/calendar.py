"""Tasks in the calendar feed: each open task with a due date is an all-day event on that
day ("待办: …"), so the phone's calendar shows it beside the visits. All-day events
rather than VTODO: the calendar apps that subscribe to a feed (Outlook, iOS, Google) show
events, and most ignore to-dos in a subscription."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from kam.activities.calculations import CalendarEvent
from kam.activities.todos.selectors import feed_tasks
from kam.core.models import User


def task_events(user: User) -> list[CalendarEvent]:
    """The user's open dated tasks as all-day events (in the active language)."""
    today = timezone.localdate()
    events = []
    for task in feed_tasks(user, today):
        assert task.due_on is not None
        day = datetime.combine(task.due_on, time.min)
        about = (
            task.opportunity.name
            if task.opportunity
            else (task.account.name if task.account else "")
        )
        events.append(
            CalendarEvent(
                uid=f"task-{task.pk}@kam",
                starts_at=day,
                ends_at=day + timedelta(days=1),
                stamp=task.updated_at,
                summary=_("Task: %(title)s") % {"title": task.title}
                + (f" · {about}" if about else ""),
                description=task.notes,
                all_day=True,
            )
        )
    return events
