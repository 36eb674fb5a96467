"""Tasks in notifications: one given by a colleague is announced to its owner, and any task
is announced once when it falls due, only to whoever sees it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from kam.activities.models import TaskSource
from kam.activities.todos import services as tasks
from kam.notifications import services
from kam.notifications.models import Event, Notification
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def events_of(user, event: str) -> list[Notification]:  # type: ignore[no-untyped-def]
    return list(Notification.objects.filter(recipient=user, event=event))


def test_a_task_given_by_a_manager_is_announced_to_its_owner_once(org):
    account = AccountFactory(owner=org.rep, name="上海移动")
    task = tasks.create_task(
        title="约技术负责人",
        owner=org.rep,
        by=org.east_manager,
        account=account,
        source=TaskSource.FUNNEL_REVIEW,
        due_on=timezone.localdate() + timedelta(days=7),
    )
    tasks.create_task(title="我自己的", owner=org.rep, by=org.rep)
    tasks.create_task(title="规则给的", owner=org.rep, by=None)
    services.scan(users=[org.rep, org.east_manager])
    services.scan(users=[org.rep, org.east_manager])
    [given] = events_of(org.rep, Event.TASK_ASSIGNED)
    assert given.title == f"{org.east_manager} gave you a task: 约技术负责人"
    assert "上海移动" in given.body
    assert given.url == f"/tasks/{task.pk}/edit/"
    assert given.account_id == account.pk
    with translation.override("zh-hans"):
        assert given.title == f"{org.east_manager} 给了您一项待办：约技术负责人"
    assert not events_of(org.east_manager, Event.TASK_ASSIGNED)


def test_a_task_is_announced_when_it_falls_due(org):
    today = timezone.localdate()
    tasks.create_task(title="今天打电话", owner=org.rep, by=org.rep, due_on=today)
    tasks.create_task(title="昨天该做的", owner=org.rep, by=org.rep, due_on=today - timedelta(1))
    tasks.create_task(title="明天的", owner=org.rep, by=org.rep, due_on=today + timedelta(1))
    done = tasks.create_task(title="做完了", owner=org.rep, by=org.rep, due_on=today)
    tasks.mark_done(done, by=org.rep)
    services.scan(users=[org.rep, org.east_manager])
    titles = sorted(n.title for n in events_of(org.rep, Event.TASK_DUE))
    assert titles[0] == "Task due today: 今天打电话"
    assert titles[1].startswith("Task overdue since ") and titles[1].endswith(": 昨天该做的")
    assert not events_of(org.east_manager, Event.TASK_DUE)  # the owner's, not the manager's
    services.scan(users=[org.rep])
    assert len(events_of(org.rep, Event.TASK_DUE)) == 2


def test_a_task_about_an_account_one_no_longer_sees_is_not_announced(org):
    account = AccountFactory(owner=org.rep)
    tasks.create_task(
        title="跟进", owner=org.rep, by=org.rep, account=account, due_on=timezone.localdate()
    )
    account.owner = org.north_rep
    account.save()
    services.scan(users=[org.rep])
    assert not events_of(org.rep, Event.TASK_DUE)
