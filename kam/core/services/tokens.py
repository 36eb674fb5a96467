"""API tokens: issued at sign-in, revoked by their owner, an administrator, or by KAM.

django-rest-knox keeps each token hashed with an expiry; these functions are the only
way KAM creates or ends one, so each is audited. A token dies with a password change
or a deactivation (:mod:`kam.core.services.users` calls :func:`revoke_all_tokens`):
whoever held the old password may have taken a token with it.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from knox.models import AuthToken

from kam.core import audit
from kam.core.models import ApiToken, AuditEvent, Interface, User

NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length or 100


class Revocation(StrEnum):
    """Why a token ended, as the audit trail says it."""

    REVOKED = "revoked"
    PASSWORD_CHANGED = "password_changed"
    DEACTIVATED = "deactivated"


def can_manage_tokens_of(actor: User, owner: User) -> bool:
    """Owners manage their own tokens; administrators anyone's."""
    return actor.is_authenticated and (actor.pk == owner.pk or actor.is_kam_admin)


@transaction.atomic
def issue_token(user: User, *, name: str = "", via: str = Interface.API) -> tuple[ApiToken, str]:
    """A new token for ``user``, valid ``KAM_API_TOKEN_DAYS`` days; returns it and its key.

    The key exists only in the return value: knox stores its digest, so it can be
    shown once and never again. Every sign-in makes a new token; earlier ones live on
    until they expire or are revoked.
    """
    name = name.strip()
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            {"name": _("A token name has at most %(n)s characters.") % {"n": NAME_MAX_LENGTH}}
        )
    auth_token, key = AuthToken.objects.create(
        user=user, expiry=timedelta(days=settings.KAM_API_TOKEN_DAYS)
    )
    token = ApiToken.objects.create(auth_token=auth_token, name=name)
    audit.record(
        AuditEvent.Action.CREATE,
        token,
        by=user,
        via=via,
        changes={
            "user": user.pk,
            "name": name,
            "token_key": auth_token.token_key,
            "expiry": auth_token.expiry.isoformat() if auth_token.expiry else None,
        },
    )
    return token, key


def _revocation_changes(token: ApiToken, reason: Revocation) -> dict[str, object]:
    return {
        "user": token.auth_token.user_id,
        "name": token.name,
        "token_key": token.auth_token.token_key,
        "reason": reason.value,
    }


@transaction.atomic
def revoke_token(token: ApiToken, *, by: User, via: str = Interface.WEB) -> None:
    """End one token now; the caller has checked :func:`can_manage_tokens_of`."""
    audit.record(
        AuditEvent.Action.DELETE,
        token,
        by=by,
        via=via,
        changes=_revocation_changes(token, Revocation.REVOKED),
    )
    # Deleting knox's row deletes KAM's with it.
    token.auth_token.delete()


@transaction.atomic
def revoke_all_tokens(
    user: User,
    *,
    by: User | None,
    via: str = Interface.WEB,
    reason: Revocation = Revocation.REVOKED,
) -> int:
    """End every token of ``user`` now, each audited; returns how many there were."""
    tokens = list(ApiToken.objects.filter(auth_token__user=user).select_related("auth_token"))
    audit.record_many(
        AuditEvent.Action.DELETE,
        [(token, _revocation_changes(token, reason)) for token in tokens],
        by=by,
        via=via,
    )
    _total, per_model = AuthToken.objects.filter(user=user).delete()
    # Tokens knox made without KAM's row (KAM itself makes none) die too, audited together.
    unnamed = per_model.get(AuthToken._meta.label, 0) - len(tokens)
    if unnamed > 0:
        audit.record(
            AuditEvent.Action.DELETE,
            user,
            by=by,
            via=via,
            changes={"api_tokens": unnamed, "reason": reason.value},
        )
    return len(tokens) + max(unnamed, 0)
