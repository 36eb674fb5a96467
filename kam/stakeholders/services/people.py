"""People at the customer and their moves (DOMAIN.md §2.2, §2.3 #4)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.models import Account
from kam.accounts.visibility import require_edit
from kam.core import changes
from kam.core.concurrency import save_versioned
from kam.core.models import Interface, User
from kam.stakeholders.models import Contact, ContactChange, Level
from kam.stakeholders.services.access import NOT_YOUR_CHAIN

CONTACT_FIELDS = (
    "name",
    "title",
    "department",
    "level",
    "reports_to",
    "phone",
    "email",
    "wechat",
    "has_left",
    "scope",
    "personality",
)
#: Changes of these are a person moving (§2.3 #4): kept as dated history.
MOVE_FIELDS = ("title", "department", "level", "reports_to", "has_left")
# Contact details of the person (PIPL): erased on request, never copied into the audit trail.
CONTACT_PERSONAL_FIELDS = ("phone", "email", "wechat", "personality")


def _check_reports_to(contact: Contact, reports_to: Contact | None, account: Account) -> None:
    if reports_to is None:
        return
    if reports_to.account_id != account.pk:
        raise ValidationError(
            {"reports_to": _("A person can only report to someone at the same customer.")}
        )
    if contact.pk is None:
        return
    if reports_to.pk == contact.pk:
        raise ValidationError({"reports_to": _("A person cannot report to themselves.")})
    # One query for the whole line of the account, then walk it upwards.
    boss_of = dict(Contact.objects.filter(account=account).values_list("pk", "reports_to_id"))
    seen: set[int] = set()
    current: int | None = reports_to.pk
    while current is not None and current not in seen:
        if current == contact.pk:
            raise ValidationError(
                {
                    "reports_to": _(
                        "%(boss)s already reports, directly or not, to %(person)s: "
                        "this line would make a circle."
                    )
                    % {"boss": reports_to.name, "person": contact.name}
                }
            )
        seen.add(current)
        current = boss_of.get(current)


def _clean_contact(contact: Contact) -> None:
    contact.name = (contact.name or "").strip()
    if not contact.name:
        raise ValidationError({"name": _("A person needs a name.")})
    if contact.level not in Level.values:
        raise ValidationError({"level": _("Choose a level from the list.")})
    try:
        contact.full_clean(exclude=["account", "reports_to", "version"], validate_unique=False)
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None


@transaction.atomic
def create_contact(
    *, account: Account, by: User | None, via: str = Interface.WEB, **fields: Any
) -> Contact:
    """Add a person at the customer (§2.2)."""
    require_edit(by, account, str(NOT_YOUR_CHAIN))
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise ValueError(f"not a field of a person: {sorted(unknown)}")
    contact = Contact(account=account, **fields)
    _clean_contact(contact)
    _check_reports_to(contact, contact.reports_to, account)
    # The first record names the person and their place; their contact details are hidden.
    return changes.create(contact, by=by, via=via, clean=None, redacted=CONTACT_PERSONAL_FIELDS)


def _key(value: Any) -> Any:
    return value.pk if isinstance(value, Contact) else value


def _shown(field: str, value: Any) -> str:
    if field == "reports_to":
        return value.name if value is not None else ""
    if field == "has_left":
        return "1" if value else ""
    return str(value or "")


@transaction.atomic
def update_contact(
    contact: Contact,
    *,
    by: User | None,
    expected_version: int | None,
    via: str = Interface.WEB,
    effective_on: date | None = None,
    **fields: Any,
) -> Contact:
    """Change a person; a move (title, department, level, line, leaving) is kept as history."""
    require_edit(by, contact.account, str(NOT_YOUR_CHAIN))
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise ValueError(f"not a field of a person: {sorted(unknown)}")
    if contact.erased_at is not None and any(fields.get(f) for f in CONTACT_PERSONAL_FIELDS):
        contact.erased_at = None
    before = {f: getattr(contact, f) for f in fields}
    with changes.tracked(contact, by=by, via=via, redacted=CONTACT_PERSONAL_FIELDS, always=True):
        for name, value in fields.items():
            setattr(contact, name, value)
        _clean_contact(contact)
        if "reports_to" in fields:
            _check_reports_to(contact, contact.reports_to, contact.account)
        when = effective_on or timezone.localdate()
        moves = [
            ContactChange(
                contact=contact,
                field=name,
                old_value=_shown(name, before[name])[:200],
                new_value=_shown(name, getattr(contact, name))[:200],
                effective_on=when,
                recorded_by=by if by is not None and by.pk else None,
            )
            for name in MOVE_FIELDS
            if name in fields and _key(before[name]) != _key(getattr(contact, name))
        ]
        names = [("reports_to_id" if f == "reports_to" else f) for f in fields] + ["erased_at"]
        save_versioned(contact, expected_version, names)
        ContactChange.objects.bulk_create(moves)
    return contact


@transaction.atomic
def delete_contact(contact: Contact, *, by: User | None, via: str = Interface.WEB) -> None:
    """Delete a person recorded by mistake; someone with a history is marked as left instead."""
    require_edit(by, contact.account, str(NOT_YOUR_CHAIN))
    if (
        contact.stakes.exists()
        or contact.activities.exists()
        or contact.payment_approval_steps.exists()
    ):
        raise ValidationError(
            _(
                "%(person)s is part of deals, activities or the payment approval chain; "
                "mark them as having left instead, so the history stays."
            )
            % {"person": contact.name}
        )
    # Their contact details must not outlive them in the trail: hidden, as on every change.
    changes.delete(contact, by=by, via=via, redacted=CONTACT_PERSONAL_FIELDS)
