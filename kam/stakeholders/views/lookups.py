"""The records a decision-chain page is about, found within what the user may see (else 404)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from kam.accounts.models import Account
from kam.core.http import AuthenticatedHttpRequest
from kam.pipeline.models import Opportunity
from kam.stakeholders import selectors
from kam.stakeholders.models import Contact, Stakeholder


def contact_or_404(request: AuthenticatedHttpRequest, pk: int) -> Contact:
    try:
        return selectors.contact_detail(request.user, pk)
    except Contact.DoesNotExist:
        raise Http404 from None


def account_or_404(request: AuthenticatedHttpRequest, pk: Any) -> Account:
    try:
        return selectors.visible_account(request.user, int(pk))
    except (Account.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def opportunity_or_404(request: AuthenticatedHttpRequest, pk: int) -> Opportunity:
    try:
        return selectors.visible_opportunity(request.user, pk)
    except Opportunity.DoesNotExist:
        raise Http404 from None


def member_or_404(request: AuthenticatedHttpRequest, pk: int) -> Stakeholder:
    try:
        return (
            selectors.visible_stakeholders(request.user)
            .select_related("opportunity__account", "contact", "staff")
            .get(pk=pk)
        )
    except Stakeholder.DoesNotExist:
        raise Http404 from None
