"""The informal influence map of one account: who sways whom (§2.2)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kam.accounts.models import Account
from kam.accounts.visibility import require_edit
from kam.core import changes
from kam.core.models import Interface, User
from kam.stakeholders.models import Contact, InfluenceLine
from kam.stakeholders.services.access import NOT_YOUR_CHAIN


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
    require_edit(by, account, str(NOT_YOUR_CHAIN))
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
    line = InfluenceLine(
        account=account,
        source=source,
        target=target,
        strength=strength,
        note=note,
        created_by=by if by is not None and by.pk else None,
    )
    return changes.create(line, by=by, via=via, clean=None)


@transaction.atomic
def remove_influence_line(
    line: InfluenceLine, *, by: User | None, via: str = Interface.WEB
) -> None:
    """Rub a line off the map."""
    require_edit(by, line.account, str(NOT_YOUR_CHAIN))
    changes.delete(line, by=by, via=via)
