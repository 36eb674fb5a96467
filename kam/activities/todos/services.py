"""Every change to a task goes through here: create, change, done and undone, each audited
(:mod:`kam.core.changes`).

The funnel review (a manager's weekly look at the deals, DOMAIN.md §5) records a decision
about a deal as a task for the deal's owner: ``create_task(title=..., owner=deal.owner,
by=manager, via=..., opportunity=deal, source=TaskSource.FUNNEL_REVIEW)``; the task then
shows on the deal's page, the owner's list, dashboard and calendar, and the owner is told.
A rule creates one with ``by=None`` (KAM itself) and ``source=TaskSource.RULE``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.models import Account
from kam.accounts.visibility import visible_accounts
from kam.activities.models import Task, TaskSource
from kam.activities.todos import links
from kam.core import changes
from kam.core.models import Interface, User
from kam.core.visibility import visible_users
from kam.pipeline.models import Opportunity
from kam.stakeholders.models import Contact

#: The fields a change may set (what the record is about is set when it is created).
EDITABLE = ("title", "notes", "due_on", "owner")


def _about(
    *,
    account: Account | None,
    person: Contact | None,
    opportunity: Opportunity | None,
    linked: models.Model | None,
) -> Account | None:
    """The one account everything the task is about belongs to (refused when they differ)."""
    accounts: dict[str, int | None] = {}
    if account is not None:
        accounts["account"] = account.pk
    if person is not None:
        accounts["person"] = person.account_id
    if opportunity is not None:
        accounts["opportunity"] = opportunity.account_id
    if linked is not None:
        if links.describe(linked) is None:
            raise ValidationError({"linked": [_("A task cannot be about this kind of record.")]})
        accounts["linked"] = getattr(linked, "account_id", None)
    ids = set(accounts.values())
    if len(ids) > 1:
        field = next(name for name in ("person", "opportunity", "linked") if name in accounts)
        raise ValidationError({field: [_("Everything a task is about must be of one account.")]})
    account_id = next(iter(ids), None)
    if account_id is None:
        return None
    if account is not None and account.pk == account_id:
        return account
    return Account.objects.get(pk=account_id)


def _check_people(owner: User, account: Account | None, by: User | None) -> None:
    """``by`` may give the task to ``owner``, about ``account``: both see the account."""
    if by is not None:
        if not owner.is_active or not visible_users(by).filter(pk=owner.pk).exists():
            raise ValidationError({"owner": [_("Choose a colleague whose work you see.")]})
        if account is not None and not visible_accounts(by).filter(pk=account.pk).exists():
            raise ValidationError({"account": [_("You do not see this account.")]})
    if account is not None and not visible_accounts(owner).filter(pk=account.pk).exists():
        raise ValidationError(
            {"owner": [_("%(person)s does not see this account.") % {"person": owner}]}
        )


def _clean(task: models.Model) -> None:
    assert isinstance(task, Task)
    task.title = " ".join((task.title or "").split())
    task.notes = (task.notes or "").strip()
    if not task.title:
        raise ValidationError({"title": [_("Say what is to be done.")]})
    changes.full_clean(task)


@transaction.atomic
def create_task(
    *,
    title: str,
    owner: User,
    by: User | None,
    via: str = Interface.WEB,
    due_on: date | None = None,
    account: Account | None = None,
    person: Contact | None = None,
    opportunity: Opportunity | None = None,
    linked: models.Model | None = None,
    source: str = TaskSource.MANUAL,
    notes: str = "",
) -> Task:
    """Put a task on ``owner``'s list; ``by`` is who gives it (None: KAM's rules).

    The task is about at most one account: the one of the person, the deal or the linked
    contract or invoice, taken from them. ``by`` must see ``owner``'s work and the
    account, and ``owner`` the account, or the task is refused.
    """
    if source not in TaskSource.values:
        raise ValidationError({"source": [_("Unknown task source.")]})
    the_account = _about(account=account, person=person, opportunity=opportunity, linked=linked)
    _check_people(owner, the_account, by)
    task = Task(
        title=title,
        notes=notes,
        due_on=due_on,
        owner=owner,
        created_by=by,
        source=source,
        account=the_account,
        person=person,
        opportunity=opportunity,
    )
    if linked is not None:
        task.linked_type = ContentType.objects.get_for_model(linked)
        task.linked_id = linked.pk
    return changes.create(task, by=by, via=via, clean=_clean)


@transaction.atomic
def update_task(
    task: Task,
    *,
    by: User | None,
    expected_version: int | None,
    via: str = Interface.WEB,
    **values: Any,
) -> Task:
    """Change a task's title, notes, due date or owner; a stale version is refused."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown task fields: {sorted(unknown)}")
    owner = values.get("owner")
    if owner is not None and owner.pk != task.owner_id:
        _check_people(owner, task.account, by)
    changes.update(task, values, by=by, via=via, expected_version=expected_version, clean=_clean)
    return task


@transaction.atomic
def mark_done(
    task: Task, *, by: User | None, expected_version: int | None = None, via: str = Interface.WEB
) -> Task:
    """Tick a task off (who and when are kept); ticking a done task again changes nothing."""
    if task.done_at is not None:
        return task
    changes.update(
        task,
        {"done_at": timezone.now(), "done_by": by},
        by=by,
        via=via,
        expected_version=expected_version,
        clean=None,
    )
    return task


@transaction.atomic
def mark_undone(
    task: Task, *, by: User | None, expected_version: int | None = None, via: str = Interface.WEB
) -> Task:
    """Put a done task back on the list."""
    if task.done_at is None:
        return task
    changes.update(
        task,
        {"done_at": None, "done_by": None},
        by=by,
        via=via,
        expected_version=expected_version,
        clean=None,
    )
    return task
