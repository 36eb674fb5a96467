"""Users: created and changed by administrators (and by ``kam demo``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kam.core import audit, changes
from kam.core.models import AuditEvent, Interface, Role, Team, User
from kam.core.services import tokens

EDITABLE_FIELDS = ("first_name", "last_name", "email", "phone", "role", "team", "is_active")
#: The password's hash never enters the trail: that it was set is kept.
HIDDEN = ("password",)


def _clean(user: User) -> None:
    user.full_clean(exclude=["password"])


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str,
    role: str = Role.REP,
    team: Team | None = None,
    by: User | None = None,
    via: str = Interface.WEB,
    check_password: bool = True,
    **fields: Any,
) -> User:
    """Create a user; the password must pass the password policy."""
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This user name is taken.")})
    user = User(username=username, role=role, team=team, **fields)
    if check_password:
        validate_password(password, user)
    user.set_password(password)
    return changes.create(user, by=by, via=via, clean=_clean, redacted=HIDDEN)


@transaction.atomic
def update_user(user: User, *, by: User | None, via: str = Interface.WEB, **fields: Any) -> User:
    """Change a user's profile, role, team or active flag.

    Deactivating a user ends every API token they hold.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if by is not None and by.pk == user.pk and fields.get("is_active") is False:
        raise ValidationError({"is_active": _("You cannot deactivate your own account.")})
    changes.update(user, fields, by=by, via=via, clean=_clean, always=True)
    if not user.is_active:
        tokens.revoke_all_tokens(user, by=by, via=via, reason=tokens.Revocation.DEACTIVATED)
    return user


@transaction.atomic
def set_password(user: User, password: str, *, by: User | None, via: str = Interface.WEB) -> None:
    """Give ``user`` a new password (it must pass the policy); their API tokens end."""
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    # A credential, like an API token: the trail says it was set, in the words sign-in uses.
    audit.record(AuditEvent.Action.UPDATE, user, by=by, via=via, changes={"password": "***"})
    tokens.revoke_all_tokens(user, by=by, via=via, reason=tokens.Revocation.PASSWORD_CHANGED)


def set_language(user: User, language: str) -> None:
    """Remember the user's interface language (it sticks across devices)."""
    from django.conf import settings

    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Unknown language.")})
    user.language = language
    user.save(update_fields=["language"])
