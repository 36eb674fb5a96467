"""An opportunity's buying circle: its members, their roles and dated assessments (§2.1, §2.2)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam.accounts.visibility import require_edit
from kam.core import changes
from kam.core.concurrency import save_versioned
from kam.core.models import Interface, User
from kam.stakeholders.models import (
    Assessment,
    BuyingRole,
    Contact,
    Influence,
    InnovationAttitude,
    PurchaseRole,
    Relationship,
    Stakeholder,
    Style,
    Support,
)
from kam.stakeholders.services.access import NOT_YOUR_CHAIN

# What a person wins or loses privately, and the entrenched interests a change threatens,
# are personal: that they changed is kept in the trail, not what they say.
PERSONAL_WIN = ("personal_win", "threatened_interests")


def _clean_roles(roles: Iterable[str]) -> set[str]:
    roles = set(roles)
    bad = roles - set(BuyingRole.values)
    if bad:
        raise ValidationError(
            {"roles": _("Unknown buying role: %(role)s.") % {"role": ", ".join(sorted(bad))}}
        )
    return roles


def _check_choice(field: str, value: str, choices: Sequence[str], label: str) -> None:
    if value and value not in choices:
        raise ValidationError(
            {
                field: _("“%(value)s” is not on the %(scale)s scale.")
                % {"value": value, "scale": label}
            }
        )


@transaction.atomic
def add_stakeholder(
    opportunity: Any,
    *,
    by: User | None,
    via: str = Interface.WEB,
    contact: Contact | None = None,
    staff: User | None = None,
    outside_name: str = "",
    roles: Iterable[str] = (),
    purchase_role: str = "",
    personal_win: str = "",
    business_result: str = "",
    threatened_interests: str = "",
    added_on: date | None = None,
) -> Stakeholder:
    """Put a person into an opportunity's buying circle with their roles (§2.1)."""
    require_edit(by, opportunity.account, str(NOT_YOUR_CHAIN))
    role_set = _clean_roles(roles)
    outside_name = outside_name.strip()
    if sum(bool(x) for x in (contact, staff, outside_name)) != 1:
        raise ValidationError(
            _("Choose one person: someone at the customer, a colleague, or a named third party.")
        )
    if contact is not None:
        if contact.account_id != opportunity.account_id:
            raise ValidationError(
                {"contact": _("This person works at another customer than the opportunity's.")}
            )
        if Stakeholder.objects.filter(opportunity=opportunity, contact=contact).exists():
            raise ValidationError({"contact": _("This person is already in the buying circle.")})
    else:
        if role_set - {BuyingRole.COACH}:
            raise ValidationError({"roles": _("Someone outside the customer can only be a coach.")})
        role_set = {BuyingRole.COACH}
        if (
            staff is not None
            and Stakeholder.objects.filter(opportunity=opportunity, staff=staff).exists()
        ):
            raise ValidationError({"staff": _("This colleague is already in the buying circle.")})
    _check_choice("purchase_role", purchase_role, PurchaseRole.values, _("purchase role"))
    stakeholder = Stakeholder(
        opportunity=opportunity,
        contact=contact,
        staff=staff,
        outside_name=outside_name,
        purchase_role=purchase_role,
        personal_win=personal_win,
        business_result=business_result,
        threatened_interests=threatened_interests.strip(),
        added_on=added_on or timezone.localdate(),
        **{field: role in role_set for role, field in Stakeholder.ROLE_FIELDS.items()},
    )
    return changes.create(stakeholder, by=by, via=via, clean=None, redacted=PERSONAL_WIN)


@transaction.atomic
def update_stakeholder(
    stakeholder: Stakeholder,
    *,
    by: User | None,
    expected_version: int | None,
    via: str = Interface.WEB,
    roles: Iterable[str] | None = None,
    **fields: Any,
) -> Stakeholder:
    """Change a circle member's roles, purchase role, personal win, business result or the
    entrenched interests our winning threatens (根深蒂固的利益受威胁者)."""
    require_edit(by, stakeholder.opportunity.account, str(NOT_YOUR_CHAIN))
    allowed = {"purchase_role", "personal_win", "business_result", "threatened_interests"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    with changes.tracked(stakeholder, by=by, via=via, redacted=PERSONAL_WIN, always=True):
        names = list(fields)
        if roles is not None:
            role_set = _clean_roles(roles)
            if stakeholder.is_outside and role_set - {BuyingRole.COACH}:
                raise ValidationError(
                    {"roles": _("Someone outside the customer can only be a coach.")}
                )
            for role, field in Stakeholder.ROLE_FIELDS.items():
                setattr(stakeholder, field, role in role_set)
            names += list(Stakeholder.ROLE_FIELDS.values())
        _check_choice(
            "purchase_role",
            fields.get("purchase_role", ""),
            PurchaseRole.values,
            _("purchase role"),
        )
        for name, value in fields.items():
            setattr(stakeholder, name, value.strip() if name == "threatened_interests" else value)
        save_versioned(stakeholder, expected_version, names)
    return stakeholder


def set_role(
    stakeholder: Stakeholder,
    role: str,
    held: bool,
    *,
    by: User | None,
    expected_version: int | None,
    via: str = Interface.WEB,
) -> Stakeholder:
    """Give or take one buying role (from the influence map)."""
    roles = set(stakeholder.roles)
    if held:
        roles.add(role)
    else:
        roles.discard(role)
    return update_stakeholder(
        stakeholder, by=by, expected_version=expected_version, via=via, roles=roles
    )


@transaction.atomic
def remove_stakeholder(
    stakeholder: Stakeholder, *, by: User | None, via: str = Interface.WEB
) -> None:
    """Take a person out of the buying circle (their assessments go with them)."""
    require_edit(by, stakeholder.opportunity.account, str(NOT_YOUR_CHAIN))
    changes.delete(stakeholder, by=by, via=via, redacted=PERSONAL_WIN)


# Labels are lazy: this table is built at import, the message in the user's language.
ASSESSMENT_SCALES = {
    "innovation": (InnovationAttitude, gettext_lazy("innovation attitude")),
    "support": (Support, gettext_lazy("support")),
    "relationship": (Relationship, gettext_lazy("relationship")),
    "relationship_target": (Relationship, gettext_lazy("relationship")),
    "style": (Style, gettext_lazy("interpersonal style")),
    "influence": (Influence, gettext_lazy("influence")),
}
CURRENT_FIELDS = ("support", "influence", "relationship", "relationship_target")


@transaction.atomic
def assess(
    stakeholder: Stakeholder,
    *,
    by: User | None,
    expected_version: int | None,
    via: str = Interface.WEB,
    assessed_on: date | None = None,
    note: str = "",
    **values: str,
) -> Assessment:
    """Record a dated assessment of a person on an opportunity (§2.2); history is kept."""
    require_edit(by, stakeholder.opportunity.account, str(NOT_YOUR_CHAIN))
    unknown = set(values) - set(ASSESSMENT_SCALES)
    if unknown:
        raise ValueError(f"not an assessment scale: {sorted(unknown)}")
    for field, value in values.items():
        scale, label = ASSESSMENT_SCALES[field]
        _check_choice(field, value or "", scale.values, str(label))
    if not any(values.values()):
        raise ValidationError(_("An assessment needs at least one judgement."))
    when = assessed_on or timezone.localdate()
    if when > timezone.localdate():
        raise ValidationError({"assessed_on": _("An assessment cannot be dated in the future.")})
    assessment = changes.create(
        Assessment(
            stakeholder=stakeholder,
            assessed_on=when,
            note=note,
            assessed_by=by if by is not None and by.pk else None,
            **{k: v or "" for k, v in values.items()},
        ),
        by=by,
        via=via,
        clean=None,
    )
    latest = stakeholder.assessments.order_by("-assessed_on", "-pk").first()
    if latest is not None and latest.pk == assessment.pk:
        for field in CURRENT_FIELDS:
            setattr(stakeholder, field, getattr(assessment, field))
    # Bump the version even for a back-dated entry: two people assessing at once conflict.
    save_versioned(stakeholder, expected_version, list(CURRENT_FIELDS))
    return assessment
