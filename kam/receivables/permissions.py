"""Who may do what with receivables (the finance role).

Finance reads every account and, unlike for accounts, writes receivables:
invoices, payments, allocations, credit notes, credit limits and holds. Reps
and managers work the collections of the accounts they see (promises,
collection contacts, write-off requests, debtor type). Write-offs are approved
by finance or a director, never by the person who asked.
"""

from __future__ import annotations

from kam.accounts.models import Account
from kam.accounts.visibility import can_edit_account, visible_accounts
from kam.core.models import Role, User


def _active(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def handles_money(user: User) -> bool:
    """Finance (and administrators) record invoices, payments, allocations and credit."""
    return _active(user) and (user.role in (Role.FINANCE, Role.ADMIN) or user.is_superuser)


def approves_write_offs(user: User) -> bool:
    return _active(user) and (
        user.role in (Role.FINANCE, Role.DIRECTOR, Role.ADMIN) or user.is_superuser
    )


def can_see_account(user: User, account: Account) -> bool:
    return _active(user) and visible_accounts(user).filter(pk=account.pk).exists()


def can_work_collections(user: User, account: Account) -> bool:
    """Record promises and collection contacts, ask for write-offs: anyone who sees the account."""
    return can_see_account(user, account)


def can_create_contract(user: User, account: Account) -> bool:
    return handles_money(user) or can_edit_account(user, account)
