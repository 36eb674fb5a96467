"""Tasks: who may give whom a task about what, what each one sees, done / undone audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kam.activities.models import Task, TaskSource
from kam.activities.todos import selectors, services
from kam.core.concurrency import ConflictError
from kam.core.models import AuditEvent, Interface
from tests.factories import AccountFactory, ContactFactory
from tests.pipeline.factories import new_opportunity
from tests.receivables.factories import contract_for, invoice_for

pytestmark = pytest.mark.django_db


def audit_rows(task: Task) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type="activities.task", object_id=str(task.pk)).order_by(
            "at", "pk"
        )
    )


def test_a_funnel_review_decision_becomes_a_task_for_the_deals_owner(org):
    account = AccountFactory(owner=org.rep)
    deal = new_opportunity(account)
    task = services.create_task(
        title="两周内约到技术负责人",
        owner=deal.owner,
        by=org.east_manager,
        via=Interface.WEB,
        opportunity=deal,
        due_on=timezone.localdate() + timedelta(days=14),
        source=TaskSource.FUNNEL_REVIEW,
    )
    assert task.account == account and task.owner == org.rep
    assert task.created_by == org.east_manager
    assert list(selectors.tasks_about(org.rep, opportunity=deal.pk).open) == [task]
    [created] = audit_rows(task)
    assert created.action == AuditEvent.Action.CREATE
    assert created.actor == org.east_manager
    assert created.changes["title"] == "两周内约到技术负责人"
    assert created.changes["source"] == "funnel_review"


def test_a_rule_creates_a_task_as_kam_itself(org):
    account = AccountFactory(owner=org.rep)
    task = services.create_task(
        title="催收逾期发票", owner=org.rep, by=None, account=account, source=TaskSource.RULE
    )
    assert task.created_by is None and task.source == "rule"
    assert audit_rows(task)[0].actor is None


def test_the_owner_must_be_a_colleague_whose_work_one_sees(org):
    account = AccountFactory(owner=org.rep)
    with pytest.raises(ValidationError) as refused:
        services.create_task(title="跟进", owner=org.north_rep, by=org.rep, account=account)
    assert refused.value.message_dict["owner"] == ["Choose a colleague whose work you see."]


def test_the_owner_must_see_the_account(org):
    account = AccountFactory(owner=org.rep)
    with pytest.raises(ValidationError) as refused:
        services.create_task(title="跟进", owner=org.rep2, by=org.east_manager, account=account)
    assert refused.value.message_dict["owner"] == [f"{org.rep2} does not see this account."]


def test_everything_a_task_is_about_is_of_one_account(org):
    account = AccountFactory(owner=org.rep)
    other = AccountFactory(owner=org.rep)
    with pytest.raises(ValidationError) as refused:
        services.create_task(
            title="跟进",
            owner=org.rep,
            by=org.rep,
            account=account,
            person=ContactFactory(account=other),
        )
    assert "person" in refused.value.message_dict


def test_an_empty_title_is_refused(org):
    with pytest.raises(ValidationError) as refused:
        services.create_task(title="   ", owner=org.rep, by=org.rep)
    assert refused.value.message_dict["title"] == ["Say what is to be done."]


def test_a_contract_or_invoice_task_takes_their_account(org):
    account = AccountFactory(owner=org.rep)
    contract = contract_for(account, org.rep)
    invoice = invoice_for(contract, org.finance)
    task = services.create_task(title="确认发票已签收", owner=org.rep, by=org.rep, linked=invoice)
    assert task.account == account and task.linked == invoice
    assert task.linked_record is not None and task.linked_record.kind == "invoice"
    assert list(selectors.tasks_about(org.rep, linked=("invoice", invoice.pk)).open) == [task]
    assert selectors.tasks_about(org.rep, linked=("contract", contract.pk)).open == []


def test_who_sees_which_task(org):
    mine = AccountFactory(owner=org.rep)
    task = services.create_task(title="准备报价", owner=org.rep, by=org.rep, account=mine)
    personal = services.create_task(title="整理周报", owner=org.rep, by=org.rep)
    for user in (org.rep, org.east_manager, org.director, org.finance):
        assert set(selectors.visible_tasks(user)) == {task, personal}, user
    for user in (org.rep2, org.north_rep, org.north_manager):
        assert list(selectors.visible_tasks(user)) == [], user


def test_a_task_about_an_account_one_no_longer_sees_is_hidden(org):
    account = AccountFactory(owner=org.rep)
    task = services.create_task(title="准备报价", owner=org.rep, by=org.rep, account=account)
    account.owner = org.north_rep
    account.save()
    assert task not in selectors.visible_tasks(org.rep)
    # The account's new team sees the account, not a task of someone outside it.
    assert task not in selectors.visible_tasks(org.north_manager)


def test_done_and_undone_are_audited_with_who_and_when(org):
    task = services.create_task(title="寄样品", owner=org.rep, by=org.rep)
    services.mark_done(task, by=org.rep, expected_version=task.version)
    task.refresh_from_db()
    assert task.done_by == org.rep and task.done_at is not None
    services.mark_done(task, by=org.rep)  # again: nothing changes, nothing recorded
    services.mark_undone(task, by=org.east_manager, via=Interface.API)
    task.refresh_from_db()
    assert task.done_at is None and task.done_by is None
    _created, done, undone = audit_rows(task)
    assert done.changes["done_by_id"] == [None, org.rep.pk]
    assert done.changes["done_at"][0] is None and done.changes["done_at"][1]
    assert undone.actor == org.east_manager and undone.interface == Interface.API
    assert undone.changes["done_by_id"] == [org.rep.pk, None]


def test_a_stale_change_is_refused(org):
    task = services.create_task(title="寄样品", owner=org.rep, by=org.rep)
    services.update_task(task, by=org.rep, expected_version=1, title="寄两套样品")
    stale = Task.objects.get(pk=task.pk)
    stale.version = 1
    with pytest.raises(ConflictError):
        services.update_task(stale, by=org.rep, expected_version=1, title="寄三套")
    assert Task.objects.get(pk=task.pk).title == "寄两套样品"
    assert audit_rows(task)[-1].changes == {"title": ["寄样品", "寄两套样品"]}


def test_reassigning_checks_the_new_owner(org):
    task = services.create_task(title="寄样品", owner=org.rep, by=org.rep)
    with pytest.raises(ValidationError):
        services.update_task(task, by=org.rep, expected_version=1, owner=org.rep2)
    services.update_task(task, by=org.east_manager, expected_version=1, owner=org.rep2)
    assert Task.objects.get(pk=task.pk).owner == org.rep2


def test_tabs_and_due_soon(org):
    today = timezone.localdate()
    for days, title in ((-2, "逾期"), (0, "今天"), (3, "下周前"), (30, "下月")):
        services.create_task(title=title, owner=org.rep, by=org.rep, due_on=today + timedelta(days))
    done = services.create_task(title="已完成", owner=org.rep, by=org.rep, due_on=today)
    services.mark_done(done, by=org.rep)
    counts = selectors.tab_counts(selectors.visible_tasks(org.rep), today)
    assert counts == {"open": 4, "overdue": 1, "today": 1, "upcoming": 2, "done": 1}
    soon = selectors.due_soon(org.rep, today)
    assert (soon.overdue, soon.today) == (1, 1)
    assert [t.title for t in soon.tasks] == ["逾期", "今天", "下周前"]
