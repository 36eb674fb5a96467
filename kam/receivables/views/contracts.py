"""The contract list, a won deal becoming a contract, and the contract's page with
everything owed, paid, promised and said about it (DOMAIN.md §6)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core.forms import apply_errors
from kam.core.http import AuthenticatedHttpRequest
from kam.pipeline.models import Opportunity
from kam.receivables import calculations, forms, permissions, selectors, services
from kam.receivables.models import (
    AccountCredit,
    Contract,
    CreditNote,
    CreditStatus,
    Payment,
    WriteOff,
)
from kam.receivables.selectors import playbook
from kam.stakeholders.selectors import payment_approval_chain
from kam.ui.listing import paginate

CONTRACT_SORTS = {"signed": "signed_on", "amount": "amount", "account": "account__name"}


@login_required
def contract_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    listing = paginate(
        request,
        selectors.contract_page(request.user),
        sorts=CONTRACT_SORTS,
        default_sort="-signed",
    )
    collected = selectors.collected_by_contract([c.pk for c in listing.rows])
    for contract in listing.rows:
        contract.collected = collected[contract.pk]
    return render(request, "receivables/contracts.html", {"listing": listing})


@login_required
def contract_create(request: AuthenticatedHttpRequest, opportunity_pk: int) -> HttpResponse:
    """A won opportunity becomes a contract; the credit check may hold it for finance."""
    user = request.user
    try:
        opportunity: Opportunity = selectors.won_opportunities_without_contract(user).get(
            pk=opportunity_pk
        )
    except Opportunity.DoesNotExist:
        raise Http404 from None
    if not permissions.can_create_contract(user, opportunity.account):
        raise PermissionDenied
    form = forms.ContractForm(
        request.POST or None,
        initial={"name": opportunity.name, "amount": opportunity.amount},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            contract = services.create_contract(
                account=opportunity.account,
                opportunity=opportunity,
                name=data["name"],
                number=data["number"],
                amount=data["amount"],
                gross_margin_pct=data["gross_margin_pct"],
                signed_on=data["signed_on"],
                payment_terms_days=data["payment_terms_days"],
                reminder_days=data["reminder_days"],
                by=user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if contract.credit_note:
                messages.warning(request, contract.credit_note)
            messages.success(request, _("Contract created."))
            return redirect("receivables:contract", contract.pk)
    check = services.credit_check(opportunity.account, opportunity.amount)
    return render(
        request,
        "receivables/contract_form.html",
        {"form": form, "opportunity": opportunity, "check": check},
    )


def contract_or_404(request: AuthenticatedHttpRequest, pk: int) -> Contract:
    """The contract of the address, if the user may see it (404 otherwise)."""
    try:
        return selectors.contract_detail(request.user, pk)
    except Contract.DoesNotExist:
        raise Http404 from None


def posted_version(request: AuthenticatedHttpRequest) -> int | None:
    """The version of the record the form was filled in on (none: whatever is current)."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _blank_forms(contract: Contract, credit: AccountCredit | None) -> dict[str, Any]:
    return {
        "installment": forms.InstallmentForm(),
        "invoice": forms.InvoiceForm(contract=contract),
        "payment": forms.PaymentForm(),
        "credit_note": forms.CreditNoteForm(contract=contract),
        "write_off": forms.WriteOffForm(contract=contract),
        "promise": forms.PromiseForm(contract=contract),
        "collection": forms.CollectionContactForm(contract=contract),
        "credit": forms.CreditForm(
            initial={
                "credit_limit": credit.credit_limit if credit else None,
                "on_hold": credit.on_hold if credit else False,
                "hold_reason": credit.hold_reason if credit else "",
            }
        ),
        "debtor_type": forms.DebtorTypeForm(
            initial={"debtor_type": credit.debtor_type if credit else ""}
        ),
    }


def contract_page(
    request: AuthenticatedHttpRequest, contract: Contract, bound: dict[str, Any] | None = None
) -> HttpResponse:
    """The contract and everything owed, paid, promised and said about it (§6)."""
    user = request.user
    account = contract.account
    credit = AccountCredit.objects.filter(account=account).first()
    page_forms = _blank_forms(contract, credit) | (bound or {})
    invoices = contract.invoices.order_by("due_date", "pk")
    payments = (
        Payment.objects.filter(account=account)
        .filter(Q(allocations__invoice__contract=contract) | Q(unapplied_amount__gt=0))
        .distinct()
        .prefetch_related("allocations__invoice")
        .select_related("possible_duplicate_of")
    )
    today = timezone.localdate()
    rate = playbook.financing_rate_pct()
    # Each write-off with what it costs: the extra sales to replace it, the delay so far.
    write_offs = [
        (
            write_off,
            calculations.cost_of_debt(
                write_off.amount,
                contract.gross_margin_pct,
                rate,
                (today - write_off.invoice.due_date).days,
            ),
        )
        for write_off in WriteOff.objects.filter(invoice__contract=contract)
        .select_related("invoice", "requested_by", "decided_by")
        .order_by("-requested_at")
    ]
    return render(
        request,
        "receivables/contract.html",
        {
            "contract": contract,
            "account": account,
            "sale": selectors.complete_sale_for(contract),
            "installments": contract.installments.all(),
            "invoices": invoices,
            "payments": payments,
            "write_offs": write_offs,
            "credit_notes": CreditNote.objects.filter(invoice__contract=contract).select_related(
                "invoice"
            ),
            "promises": selectors.visible_promises(user)
            .filter(account=account)
            .select_related("contact", "invoice"),
            "contacts": selectors.collection_contacts(account),
            "alerts": selectors.open_alerts(user).filter(account=account),
            "approval_chain": payment_approval_chain(user, account),
            "credit": credit,
            "credit_check": services.credit_check(account),
            "debtor": selectors.debtor_types([account.pk])[account.pk],
            "forms": page_forms,
            "can_money": permissions.handles_money(user),
            "can_plan": permissions.can_create_contract(user, account),
            "can_collect": permissions.can_work_collections(user, account),
            "can_approve": permissions.approves_write_offs(user),
            "today": today,
            "credit_guidance_open": contract.credit_status == CreditStatus.HELD
            and permissions.handles_money(user),
        },
    )


@login_required
def contract_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return contract_page(request, contract_or_404(request, pk))
