"""The contract page's forms: each posts here, and errors come back on the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.core.concurrency import ConflictError
from kam.core.forms import apply_errors
from kam.core.http import AuthenticatedHttpRequest
from kam.core.models import User
from kam.receivables import forms, permissions, selectors, services
from kam.receivables.models import AccountCredit, Contract
from kam.receivables.views.contracts import contract_or_404, contract_page, posted_version


def _add_installment(
    request: AuthenticatedHttpRequest, contract: Contract, data: dict[str, Any]
) -> str:
    services.add_installment(contract, by=request.user, **data)
    return _("Installment added to the payment plan.")


def _issue_invoice(
    request: AuthenticatedHttpRequest, contract: Contract, data: dict[str, Any]
) -> str:
    invoice = services.issue_invoice(contract, by=request.user, **data)
    return _("Invoice %(number)s issued.") % {"number": invoice.number}


def _record_payment(
    request: AuthenticatedHttpRequest, contract: Contract, data: dict[str, Any]
) -> str:
    payment = services.record_payment(account=contract.account, by=request.user, **data)
    if payment.unapplied_amount > 0:
        return _(
            "Payment recorded; %(amount)s is more than was owed and is kept as unapplied credit."
        ) % {"amount": f"{payment.unapplied_amount:,.2f}"}
    return _("Payment recorded.")


def _issue_credit_note(
    request: AuthenticatedHttpRequest, contract: Contract, data: dict[str, Any]
) -> str:
    note = services.issue_credit_note(data.pop("invoice"), by=request.user, **data)
    return _("Credit note %(number)s issued.") % {"number": note.number}


def _request_write_off(
    request: AuthenticatedHttpRequest, contract: Contract, data: dict[str, Any]
) -> str:
    services.request_write_off(data.pop("invoice"), by=request.user, **data)
    return _("Write-off requested: it counts once finance approves it.")


def _record_promise(
    request: AuthenticatedHttpRequest, contract: Contract, data: dict[str, Any]
) -> str:
    promise = services.record_promise(contract.account, by=request.user, **data)
    if promise.status == promise.Status.KEPT:
        return _("Promise recorded; the payments received already keep it.")
    return _("Promise to pay recorded.")


def _record_collection(
    request: AuthenticatedHttpRequest, contract: Contract, data: dict[str, Any]
) -> str:
    amount, due_on = data.pop("promise_amount"), data.pop("promise_due_on")
    promise = services.PromiseInput(amount=amount, due_on=due_on) if amount else None
    services.record_collection_contact(contract.account, by=request.user, promise=promise, **data)
    return _("Collection contact recorded.")


def _set_credit(request: AuthenticatedHttpRequest, contract: Contract, data: dict[str, Any]) -> str:
    credit = AccountCredit.objects.filter(account=contract.account).first()
    services.set_credit(
        contract.account,
        by=request.user,
        expected_version=posted_version(request) if credit else None,
        **data,
    )
    return _("Credit settings saved.")


def _set_debtor_type(
    request: AuthenticatedHttpRequest, contract: Contract, data: dict[str, Any]
) -> str:
    services.set_debtor_type(contract.account, data["debtor_type"], by=request.user)
    return _("Debtor type saved.")


# form key → (form class, may the user use it, what it does, anchor on the page)
ACTIONS: dict[str, tuple[Any, Callable[[User, Contract], bool], Callable[..., str], str]] = {
    "installment": (
        forms.InstallmentForm,
        lambda u, c: permissions.can_create_contract(u, c.account),
        _add_installment,
        "plan",
    ),
    "invoice": (
        forms.InvoiceForm,
        lambda u, c: permissions.handles_money(u),
        _issue_invoice,
        "invoices",
    ),
    "payment": (
        forms.PaymentForm,
        lambda u, c: permissions.handles_money(u),
        _record_payment,
        "payments",
    ),
    "credit_note": (
        forms.CreditNoteForm,
        lambda u, c: permissions.handles_money(u),
        _issue_credit_note,
        "invoices",
    ),
    "write_off": (
        forms.WriteOffForm,
        lambda u, c: permissions.can_work_collections(u, c.account),
        _request_write_off,
        "write-offs",
    ),
    "promise": (
        forms.PromiseForm,
        lambda u, c: permissions.can_work_collections(u, c.account),
        _record_promise,
        "promises",
    ),
    "collection": (
        forms.CollectionContactForm,
        lambda u, c: permissions.can_work_collections(u, c.account),
        _record_collection,
        "collections",
    ),
    "credit": (
        forms.CreditForm,
        lambda u, c: permissions.handles_money(u),
        _set_credit,
        "credit",
    ),
    "debtor_type": (
        forms.DebtorTypeForm,
        lambda u, c: permissions.can_work_collections(u, c.account),
        _set_debtor_type,
        "credit",
    ),
}
CONTRACT_FORMS = {"invoice", "credit_note", "write_off", "promise", "collection"}


@login_required
@require_POST
def contract_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """Every form of the contract page posts here; errors come back on the page, translated."""
    if action not in ACTIONS:
        raise Http404
    contract = contract_or_404(request, pk)
    form_class, allowed, handler, anchor = ACTIONS[action]
    if not allowed(request.user, contract):
        raise PermissionDenied
    kwargs = {"contract": contract} if action in CONTRACT_FORMS else {}
    form = form_class(request.POST, **kwargs)
    if form.is_valid():
        try:
            message = handler(request, contract, dict(form.cleaned_data))
        except services.ProbableDuplicate as error:
            apply_errors(form, error)
            form.duplicate = error.existing
        except (ValidationError, ConflictError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, message)
            return redirect(f"{reverse('receivables:contract', args=[contract.pk])}#{anchor}")
    return contract_page(request, contract, {action: form})


@login_required
@require_POST
def release_hold(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contract = contract_or_404(request, pk)
    if not permissions.handles_money(request.user):
        raise PermissionDenied
    try:
        services.release_credit_hold(contract, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Credit hold released: the contract can be invoiced."))
    return redirect("receivables:contract", contract.pk)


@login_required
@require_POST
def decide_write_off(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Finance or a director approves or rejects; nobody approves their own request."""
    user = request.user
    write_off = get_object_or_404(
        selectors.visible_write_offs(user).select_related("invoice"), pk=pk
    )
    if not permissions.approves_write_offs(user):
        raise PermissionDenied
    approve = request.POST.get("decision") == "approve"
    try:
        services.decide_write_off(write_off, approve=approve, by=user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Write-off approved.") if approve else _("Write-off rejected."))
    return redirect(
        f"{reverse('receivables:contract', args=[write_off.invoice.contract_id])}#write-offs"
    )
