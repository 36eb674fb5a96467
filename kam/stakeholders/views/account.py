"""An account's decision chain: its people, map, payment approval chain and deals' flags."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from kam.accounts.models import Account
from kam.accounts.visibility import can_edit_account, require_edit
from kam.core.concurrency import ConflictError
from kam.core.http import AuthenticatedHttpRequest
from kam.pipeline.models import Status
from kam.stakeholders import selectors, services
from kam.stakeholders.forms import PaymentChainForm
from kam.stakeholders.models import Contact
from kam.stakeholders.red_flags import account_coverage
from kam.stakeholders.views.lookups import account_or_404
from kam.stakeholders.views.maps import map_context


@login_required
def account_chain(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An account's people, influence map, payment approval chain and deals' red flags."""
    account = account_or_404(request, pk)
    return render(
        request,
        "stakeholders/account.html",
        {
            **map_context(request, account, None),
            "people": Contact.objects.filter(account=account).select_related("reports_to"),
            **_chain_context(request, account),
            "policies": account.policy_watches.select_related("opportunity").order_by(
                "resolved", "review_on"
            ),
            "deal_flags": selectors.flagged_deals(
                account.opportunities.filter(status=Status.OPEN).select_related("stage")
            ),
            "coverage_flag": account_coverage([account]).get(account.pk),
        },
    )


def _chain_context(
    request: AuthenticatedHttpRequest,
    account: Account,
    form: PaymentChainForm | None = None,
    error: str = "",
) -> dict[str, Any]:
    chain = selectors.payment_approval_chain(request.user, account)
    people = Contact.objects.filter(account=account).order_by("has_left", "name")
    return {
        "account": account,
        "approval_chain": chain,
        "chain_form": form or PaymentChainForm(people=people, current=chain),
        "chain_error": error,
        "can_edit": can_edit_account(request.user, account),
    }


@login_required
@require_POST
def payment_chain_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record the customer's payment approval chain from the account page (htmx, §6)."""
    account = account_or_404(request, pk)
    require_edit(request.user, account)
    people = Contact.objects.filter(account=account).order_by("has_left", "name")
    form = PaymentChainForm(request.POST, people=people)
    error, status = "", 422
    if form.is_valid():
        try:
            services.set_payment_approval_chain(
                account,
                form.steps(),
                by=request.user,
                expected=form.expected_path(),
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except ConflictError as exc:
            error, status = str(exc), 409
        else:
            return render(
                request, "stakeholders/_payment_chain.html", _chain_context(request, account)
            )
    # Nothing is lost: the entry stays in the form, checked against the chain recorded now.
    chain = selectors.payment_approval_chain(request.user, account)
    data = request.POST.copy()
    data["expected"] = ",".join(str(step.contact_id) for step in chain)
    retry = PaymentChainForm(data, people=people)
    retry.is_valid()
    return render(
        request,
        "stakeholders/_payment_chain.html",
        _chain_context(request, account, retry, error),
        status=status,
    )


@login_required
def account_panel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """htmx panel on the account 360 page: people, map link, red flags of open deals."""
    account = account_or_404(request, pk)
    return render(
        request,
        "stakeholders/_account_panel.html",
        {
            "account": account,
            "people": Contact.objects.filter(account=account).order_by("has_left", "name"),
            "deal_flags": selectors.flagged_deals(
                account.opportunities.filter(status=Status.OPEN).select_related("stage")
            ),
            "can_edit": can_edit_account(request.user, account),
            "coverage_flag": account_coverage([account]).get(account.pk),
        },
    )
