"""Writes of the decision chain (DOMAIN.md §2): people, their moves, the buying circle.

Every function validates, writes in one transaction, records the audit trail
and returns the instance. Callers pass ``by`` (None only for ``kam demo`` and
other internal jobs) and ``via`` (the interface).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam.accounts.models import Account
from kam.accounts.visibility import can_edit_account, visible_accounts
from kam.core import audit
from kam.core.concurrency import ConflictError, save_versioned
from kam.core.models import AuditEvent, Interface, Role, User
from kam.stakeholders.models import (
    Assessment,
    BuyingRole,
    Contact,
    ContactChange,
    Influence,
    InfluenceLine,
    InnovationAttitude,
    Level,
    PaymentApprovalStep,
    PersonalInfo,
    PolicyWatch,
    PurchaseRole,
    RedFlagSettings,
    Relationship,
    Stakeholder,
    Style,
    Support,
)

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


def _require_edit(by: User | None, account: Account) -> None:
    if by is not None and not can_edit_account(by, account):
        raise PermissionDenied(_("You may not change this account's decision chain."))


def can_see_personal_info(user: User, account: Account) -> bool:
    """The account team and their managers, up to the sales director (§7).

    Finance and administrators read accounts but do not need to know about a
    customer's family or birthday, so they do not see it.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role == Role.DIRECTOR:
        return True
    if user.role in (Role.FINANCE, Role.ADMIN) or user.is_superuser:
        return False
    # For everyone else the visible accounts are exactly those of their team and below.
    return visible_accounts(user).filter(pk=account.pk).exists()


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
    _require_edit(by, account)
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise ValueError(f"not a field of a person: {sorted(unknown)}")
    contact = Contact(account=account, **fields)
    _clean_contact(contact)
    _check_reports_to(contact, contact.reports_to, account)
    contact.save()
    audit.record(
        AuditEvent.Action.CREATE,
        contact,
        by=by,
        via=via,
        changes=audit.snapshot(contact, ["name", "title", "department", "level", "reports_to_id"]),
    )
    return contact


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
    _require_edit(by, contact.account)
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise ValueError(f"not a field of a person: {sorted(unknown)}")
    if contact.erased_at is not None and any(
        fields.get(f) for f in ("phone", "email", "wechat", "personality")
    ):
        contact.erased_at = None
    before = {f: getattr(contact, f) for f in fields}
    snapshot_before = audit.snapshot(contact)
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
    audit.record(
        AuditEvent.Action.UPDATE,
        contact,
        by=by,
        via=via,
        changes=audit.redact(
            audit.diff(snapshot_before, audit.snapshot(contact)), CONTACT_PERSONAL_FIELDS
        ),
    )
    return contact


@transaction.atomic
def delete_contact(contact: Contact, *, by: User | None, via: str = Interface.WEB) -> None:
    """Delete a person recorded by mistake; someone with a history is marked as left instead."""
    _require_edit(by, contact.account)
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
    audit.record(AuditEvent.Action.DELETE, contact, by=by, via=via, changes={})
    contact.delete()


# ---------------------------------------------------------------- personal information


def _require_personal(by: User, contact: Contact) -> None:
    if not can_see_personal_info(by, contact.account):
        raise PermissionDenied(
            _("Only the account team and their managers see personal information.")
        )


@transaction.atomic
def read_personal_info(contact: Contact, *, by: User, via: str = Interface.WEB) -> PersonalInfo:
    """The person's sensitive information; every read is logged, who and when (§7)."""
    _require_personal(by, contact)
    info = PersonalInfo.objects.filter(contact=contact).first() or PersonalInfo(contact=contact)
    audit.record(AuditEvent.Action.VIEW_SENSITIVE, contact, by=by, via=via)
    return info


PERSONAL_FIELDS = (*PersonalInfo.TEXT_FIELDS, "birthday")


@transaction.atomic
def save_personal_info(
    contact: Contact,
    *,
    by: User,
    expected_version: int | None,
    via: str = Interface.WEB,
    **fields: Any,
) -> PersonalInfo:
    """Record sensitive personal information (§2.2); the values are not copied to the audit."""
    _require_personal(by, contact)
    unknown = set(fields) - set(PERSONAL_FIELDS)
    if unknown:
        raise ValueError(f"not personal information: {sorted(unknown)}")
    info = PersonalInfo.objects.filter(contact=contact).first()
    if info is None:
        if expected_version not in (None, 0):
            # Somebody erased it while this edit was open.
            raise ConflictError(PersonalInfo(contact=contact))
        info = PersonalInfo(contact=contact, **fields)
        info.full_clean(exclude=["contact"])
        info.save()
    else:
        for name, value in fields.items():
            setattr(info, name, value)
        info.full_clean(exclude=["contact"])
        save_versioned(info, expected_version, list(fields))
    if contact.erased_at is not None:
        Contact.objects.filter(pk=contact.pk).update(erased_at=None)
        contact.erased_at = None
    audit.record(
        AuditEvent.Action.UPDATE, contact, by=by, via=via, changes={"personal_info": sorted(fields)}
    )
    return info


def personal_data(contact: Contact) -> dict[str, Any]:
    """Everything KAM holds about one person, as plain values (for an export)."""
    info = PersonalInfo.objects.filter(contact=contact).first()
    stakes = Stakeholder.objects.filter(contact=contact).select_related("opportunity")
    return {
        "person": {
            "name": contact.name,
            "account": contact.account.name,
            "title": contact.title,
            "department": contact.department,
            "level": contact.level,
            "reports_to": contact.reports_to.name if contact.reports_to else "",
            "phone": contact.phone,
            "email": contact.email,
            "wechat": contact.wechat,
            "has_left": contact.has_left,
            "scope": contact.scope,
            "personality": contact.personality,
        },
        "personal_info": {
            name: (str(getattr(info, name) or "") if info else "") for name in PERSONAL_FIELDS
        },
        "history": [
            {
                "field": c.field,
                "before": c.old_value,
                "after": c.new_value,
                "effective_on": c.effective_on.isoformat(),
            }
            for c in contact.changes.all()
        ],
        "buying_roles": [
            {
                "opportunity": s.opportunity.name,
                "roles": s.roles,
                "purchase_role": s.purchase_role,
                "personal_win": s.personal_win,
                "business_result": s.business_result,
            }
            for s in stakes
        ],
    }


@transaction.atomic
def export_personal_data(
    contact: Contact, *, by: User, via: str = Interface.WEB, fmt: str = "json"
) -> dict[str, Any]:
    """Export one person's data on request (§7); the export is logged."""
    _require_personal(by, contact)
    data = personal_data(contact)
    audit.record(AuditEvent.Action.EXPORT, contact, by=by, via=via, changes={"format": fmt})
    return data


@transaction.atomic
def erase_personal_data(contact: Contact, *, by: User, via: str = Interface.WEB) -> Contact:
    """Erase one person's personal data on request (§7).

    Business records stay (name, title, department, line, roles in deals,
    activities); contact details, personality notes and all sensitive
    information are blanked. The erasure itself is logged, without the values.
    """
    _require_personal(by, contact)
    erased = [f for f in CONTACT_PERSONAL_FIELDS if getattr(contact, f)]
    deleted, _counts = PersonalInfo.objects.filter(contact=contact).delete()
    if deleted:
        erased.append("personal_info")
    Stakeholder.objects.filter(contact=contact).update(personal_win="")
    contact.phone = contact.email = contact.wechat = contact.personality = ""
    contact.erased_at = timezone.now()
    save_versioned(contact, None, ["phone", "email", "wechat", "personality", "erased_at"])
    audit.record(AuditEvent.Action.ERASE, contact, by=by, via=via, changes={"erased": erased})
    return contact


# ---------------------------------------------------------------- buying circle


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
    added_on: date | None = None,
) -> Stakeholder:
    """Put a person into an opportunity's buying circle with their roles (§2.1)."""
    _require_edit(by, opportunity.account)
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
        added_on=added_on or timezone.localdate(),
        **{field: role in role_set for role, field in Stakeholder.ROLE_FIELDS.items()},
    )
    stakeholder.save()
    audit.record(
        AuditEvent.Action.CREATE,
        stakeholder,
        by=by,
        via=via,
        changes={
            "opportunity": opportunity.pk,
            "contact": stakeholder.contact_id,
            "roles": sorted(role_set),
        },
    )
    return stakeholder


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
    """Change a circle member's roles, purchase role, personal win or business result."""
    _require_edit(by, stakeholder.opportunity.account)
    allowed = {"purchase_role", "personal_win", "business_result"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    before = audit.snapshot(stakeholder)
    names = list(fields)
    if roles is not None:
        role_set = _clean_roles(roles)
        if stakeholder.is_outside and role_set - {BuyingRole.COACH}:
            raise ValidationError({"roles": _("Someone outside the customer can only be a coach.")})
        for role, field in Stakeholder.ROLE_FIELDS.items():
            setattr(stakeholder, field, role in role_set)
        names += list(Stakeholder.ROLE_FIELDS.values())
    _check_choice(
        "purchase_role", fields.get("purchase_role", ""), PurchaseRole.values, _("purchase role")
    )
    for name, value in fields.items():
        setattr(stakeholder, name, value)
    save_versioned(stakeholder, expected_version, names)
    audit.record(
        AuditEvent.Action.UPDATE,
        stakeholder,
        by=by,
        via=via,
        changes=audit.redact(audit.diff(before, audit.snapshot(stakeholder)), ["personal_win"]),
    )
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
    _require_edit(by, stakeholder.opportunity.account)
    audit.record(AuditEvent.Action.DELETE, stakeholder, by=by, via=via, changes={})
    stakeholder.delete()


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
    _require_edit(by, stakeholder.opportunity.account)
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
    assessment = Assessment.objects.create(
        stakeholder=stakeholder,
        assessed_on=when,
        note=note,
        assessed_by=by if by is not None and by.pk else None,
        **{k: v or "" for k, v in values.items()},
    )
    latest = stakeholder.assessments.order_by("-assessed_on", "-pk").first()
    if latest is not None and latest.pk == assessment.pk:
        for field in CURRENT_FIELDS:
            setattr(stakeholder, field, getattr(assessment, field))
    # Bump the version even for a back-dated entry: two people assessing at once conflict.
    save_versioned(stakeholder, expected_version, list(CURRENT_FIELDS))
    audit.record(
        AuditEvent.Action.CREATE,
        assessment,
        by=by,
        via=via,
        changes=audit.snapshot(assessment, ["assessed_on", *ASSESSMENT_SCALES]),
    )
    return assessment


# ---------------------------------------------------------------- influence map


@transaction.atomic
def add_influence_line(
    account: Account,
    *,
    source: Contact,
    target: Contact,
    by: User | None,
    via: str = Interface.WEB,
    strength: int = InfluenceLine.Strength.MEDIUM,
    note: str = "",
) -> InfluenceLine:
    """Draw an informal "influences" line between two people of one account (§2.2)."""
    _require_edit(by, account)
    if source.account_id != account.pk or target.account_id != account.pk:
        raise ValidationError(_("Both people must work at this customer."))
    if source.pk == target.pk:
        raise ValidationError(_("A person cannot influence themselves on the map."))
    if strength not in InfluenceLine.Strength.values:
        raise ValidationError({"strength": _("Choose a strength from the list.")})
    if InfluenceLine.objects.filter(source=source, target=target).exists():
        raise ValidationError(
            _("%(source)s → %(target)s is already on the map (perhaps just drawn by a colleague).")
            % {"source": source.name, "target": target.name}
        )
    line = InfluenceLine.objects.create(
        account=account,
        source=source,
        target=target,
        strength=strength,
        note=note,
        created_by=by if by is not None and by.pk else None,
    )
    audit.record(
        AuditEvent.Action.CREATE,
        line,
        by=by,
        via=via,
        changes={"source": source.pk, "target": target.pk, "strength": strength},
    )
    return line


@transaction.atomic
def remove_influence_line(
    line: InfluenceLine, *, by: User | None, via: str = Interface.WEB
) -> None:
    _require_edit(by, line.account)
    audit.record(AuditEvent.Action.DELETE, line, by=by, via=via, changes={})
    line.delete()


# ---------------------------------------------------------------- policy watch


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
    _require_edit(by, account)
    opportunity = fields.get("opportunity", watch.opportunity if watch.pk else None)
    if opportunity is not None and opportunity.account_id != account.pk:
        raise ValidationError({"opportunity": _("The opportunity belongs to another customer.")})
    before = audit.snapshot(watch) if watch.pk else None
    for name, value in fields.items():
        setattr(watch, name, value)
    if not (watch.title or "").strip():
        raise ValidationError({"title": _("Name the policy to watch.")})
    if before is None:
        watch.save()
        audit.record(AuditEvent.Action.CREATE, watch, by=by, via=via, changes=audit.snapshot(watch))
    else:
        names = [
            ("account_id" if f == "account" else "opportunity_id" if f == "opportunity" else f)
            for f in fields
        ]
        save_versioned(watch, expected_version, names)
        audit.record(
            AuditEvent.Action.UPDATE,
            watch,
            by=by,
            via=via,
            changes=audit.diff(before, audit.snapshot(watch)),
        )
    return watch


# ---------------------------------------------------------------- payment approval chain


@transaction.atomic
def set_payment_approval_chain(
    account: Account,
    steps: Sequence[tuple[Contact, str]],
    *,
    by: User | None,
    via: str = Interface.WEB,
    expected: Sequence[int] | None = None,
) -> list[PaymentApprovalStep]:
    """Record the customer's payment approval path, first approver first (§6).

    ``expected`` is the path (person ids, in order) the editor saw; if a
    colleague changed it meanwhile the edit is refused instead of overwriting.
    """
    _require_edit(by, account)
    seen: set[int] = set()
    for contact, _note in steps:
        if contact.account_id != account.pk:
            raise ValidationError(_("Every step must be a person at this customer."))
        if contact.pk in seen:
            raise ValidationError(_("A person appears twice in the approval chain."))
        seen.add(contact.pk)
    before = list(
        PaymentApprovalStep.objects.select_for_update()
        .filter(account=account)
        .order_by("position")
        .values_list("contact_id", flat=True)
    )
    if expected is not None and list(expected) != before:
        raise ConflictError(account, {"payment_approval_chain": before})
    PaymentApprovalStep.objects.filter(account=account).delete()
    created = PaymentApprovalStep.objects.bulk_create(
        [
            PaymentApprovalStep(account=account, contact=contact, position=n, note=note[:200])
            for n, (contact, note) in enumerate(steps, start=1)
        ]
    )
    audit.record(
        AuditEvent.Action.UPDATE,
        account,
        by=by,
        via=via,
        changes={"payment_approval_chain": [before, [c.pk for c, _n in steps]]},
    )
    return created


# ---------------------------------------------------------------- settings


@transaction.atomic
def update_red_flag_settings(
    *, by: User, via: str = Interface.WEB, **fields: Any
) -> RedFlagSettings:
    """Administrators change the red-flag thresholds."""
    if not (by.is_kam_admin or by.role == Role.ADMIN):
        raise PermissionDenied(_("Only administrators change the red-flag thresholds."))
    current = RedFlagSettings.current()
    before = audit.snapshot(current) if current.pk else {}
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean()
    current.save()
    audit.record(
        AuditEvent.Action.UPDATE,
        current,
        by=by,
        via=via,
        changes=audit.diff(before, audit.snapshot(current)),
    )
    return current
