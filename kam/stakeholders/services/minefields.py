"""What the minefields watch (§2.3): policies to follow up and the red flags' thresholds."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kam.accounts.visibility import require_edit
from kam.core import changes
from kam.core.concurrency import save_versioned
from kam.core.models import Interface, Role, User
from kam.stakeholders.models import PolicyWatch, RedFlagSettings
from kam.stakeholders.services.access import NOT_YOUR_CHAIN


def _check_title(watch: PolicyWatch) -> None:
    if not (watch.title or "").strip():
        raise ValidationError({"title": _("Name the policy to watch.")})


@transaction.atomic
def save_policy_watch(
    watch: PolicyWatch,
    *,
    by: User | None,
    expected_version: int | None = None,
    via: str = Interface.WEB,
    **fields: Any,
) -> PolicyWatch:
    """Create or change a policy-watch note (§2.3 #7)."""
    account = fields.get("account") or watch.account
    require_edit(by, account, str(NOT_YOUR_CHAIN))
    opportunity = fields.get("opportunity", watch.opportunity if watch.pk else None)
    if opportunity is not None and opportunity.account_id != account.pk:
        raise ValidationError({"opportunity": _("The opportunity belongs to another customer.")})
    if watch.pk is None:
        for name, value in fields.items():
            setattr(watch, name, value)
        _check_title(watch)
        return changes.create(watch, by=by, via=via, clean=None)
    with changes.tracked(watch, by=by, via=via, always=True):
        for name, value in fields.items():
            setattr(watch, name, value)
        _check_title(watch)
        names = [
            ("account_id" if f == "account" else "opportunity_id" if f == "opportunity" else f)
            for f in fields
        ]
        save_versioned(watch, expected_version, names)
    return watch


@transaction.atomic
def update_red_flag_settings(
    *, by: User, via: str = Interface.WEB, **fields: Any
) -> RedFlagSettings:
    """Administrators change the red-flag thresholds."""
    if not (by.is_kam_admin or by.role == Role.ADMIN):
        raise PermissionDenied(_("Only administrators change the red-flag thresholds."))
    current = RedFlagSettings.current()
    if current.pk is None:
        # Never saved before: the first save records every threshold as set.
        for name, value in fields.items():
            setattr(current, name, value)
        return changes.create(current, by=by, via=via, clean=changes.full_check)
    changes.update(current, fields, by=by, via=via, clean=changes.full_check, always=True)
    return current
