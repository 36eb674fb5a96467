"""A person's personal information: read, recorded, exported and erased on request (§2.2, §7).

Every read and export is logged; the values themselves never enter the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from kam.core import audit
from kam.core.concurrency import ConflictError, save_versioned
from kam.core.models import AuditEvent, Interface, User
from kam.stakeholders.models import Contact, PersonalInfo, Stakeholder
from kam.stakeholders.services.access import require_personal
from kam.stakeholders.services.people import CONTACT_PERSONAL_FIELDS


@transaction.atomic
def read_personal_info(contact: Contact, *, by: User, via: str = Interface.WEB) -> PersonalInfo:
    """The person's sensitive information; every read is logged, who and when (§7)."""
    require_personal(by, contact)
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
    require_personal(by, contact)
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
    # Recorded on the person, beside every read, export and erasure of their information
    # (§7), naming the fields saved and never their values.
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
    require_personal(by, contact)
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
    require_personal(by, contact)
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
