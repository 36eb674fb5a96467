"""Reads of people at customers; all start from account visibility."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kam.accounts.visibility import scope_to_visible_accounts
from kam.core.models import User
from kam.stakeholders.models import Contact


def contact_list(user: User, q: str = "") -> QuerySet[Contact]:
    contacts = scope_to_visible_accounts(Contact.objects.all(), user).select_related("account")
    if q:
        contacts = contacts.filter(
            Q(name__icontains=q) | Q(title__icontains=q) | Q(account__name__icontains=q)
        )
    return contacts
