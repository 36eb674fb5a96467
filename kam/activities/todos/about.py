"""What a task is about, read from a query string (``?opportunity=12``, ``?contract=3``)
and checked against what the user sees: an unseen record is a 404."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.http import Http404
from django.urls import reverse

from kam.accounts.models import Account
from kam.accounts.visibility import scope_to_visible_accounts, visible_accounts
from kam.activities.todos import links
from kam.core.models import User
from kam.core.params import query_int
from kam.pipeline.models import Opportunity
from kam.pipeline.selectors import visible_opportunities
from kam.stakeholders.models import Contact


@dataclass(frozen=True)
class About:
    """The record a new task is about (at most one of them), as the service takes it."""

    account: Account | None = None
    person: Contact | None = None
    opportunity: Opportunity | None = None
    linked: models.Model | None = None

    @property
    def empty(self) -> bool:
        return not (self.account or self.person or self.opportunity or self.linked)

    def service_fields(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "person": self.person,
            "opportunity": self.opportunity,
            "linked": self.linked,
        }

    def query(self) -> str:
        """The query string that names it again (the form posts to the same address)."""
        if self.linked is not None:
            described = links.describe(self.linked)
            assert described is not None
            return f"{described.kind}={self.linked.pk}"
        for name in ("opportunity", "person", "account"):
            record = getattr(self, name)
            if record is not None:
                return f"{name}={record.pk}"
        return ""

    def page(self) -> str:
        """The record's own page (where the form returns to)."""
        if self.linked is not None:
            described = links.describe(self.linked)
            return described.url if described else ""
        if self.opportunity is not None:
            return reverse("pipeline:detail", args=[self.opportunity.pk])
        if self.person is not None:
            return reverse("stakeholders:detail", args=[self.person.pk])
        if self.account is not None:
            return reverse("accounts:detail", args=[self.account.pk])
        return ""

    def label(self) -> str:
        record = self.linked or self.opportunity or self.person or self.account
        return "" if record is None else str(record)


def _one(queryset: models.QuerySet[Any], pk: int) -> Any:
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def about_from(user: User, params: Any) -> About:
    """The record named in ``params`` (the first of linked kinds, deal, person, account)."""
    for key, kind in links.kinds().items():
        pk = query_int(params, key)
        if pk:
            return About(
                linked=_one(scope_to_visible_accounts(kind.model._default_manager.all(), user), pk)
            )
    pk = query_int(params, "opportunity")
    if pk:
        return About(opportunity=_one(visible_opportunities(user).select_related("account"), pk))
    pk = query_int(params, "person")
    if pk:
        return About(person=_one(scope_to_visible_accounts(Contact.objects.all(), user), pk))
    pk = query_int(params, "account")
    if pk:
        return About(account=_one(visible_accounts(user), pk))
    return About()
