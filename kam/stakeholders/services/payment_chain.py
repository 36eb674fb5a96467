"""The customer's payment approval chain: who signs a payment off, in order (§6)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kam.accounts.models import Account
from kam.accounts.visibility import require_edit
from kam.core import audit
from kam.core.concurrency import ConflictError
from kam.core.models import AuditEvent, Interface, User
from kam.stakeholders.models import Contact, PaymentApprovalStep
from kam.stakeholders.services.access import NOT_YOUR_CHAIN


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
    require_edit(by, account, str(NOT_YOUR_CHAIN))
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
    # Not a change of one record: the steps are replaced as a whole, so the account's
    # event keeps the path before and after (person ids, first approver first).
    audit.record(
        AuditEvent.Action.UPDATE,
        account,
        by=by,
        via=via,
        changes={"payment_approval_chain": [before, [c.pk for c, _n in steps]]},
    )
    return created
