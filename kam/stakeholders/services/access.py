"""Who may change the decision chain and who may see a person's private side (§7)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam.accounts.models import Account
from kam.accounts.visibility import visible_accounts
from kam.core.models import Role, User
from kam.stakeholders.models import Contact

#: The refusal of a change to an account's decision chain by someone who may not edit it.
NOT_YOUR_CHAIN = gettext_lazy("You may not change this account's decision chain.")


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


def require_personal(by: User, contact: Contact) -> None:
    """Refuse unless ``by`` may see ``contact``'s personal information."""
    if not can_see_personal_info(by, contact.account):
        raise PermissionDenied(
            _("Only the account team and their managers see personal information.")
        )
