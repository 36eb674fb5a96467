"""A payment spread over the account's invoices by hand (finance)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from kam.core.concurrency import ConflictError
from kam.core.forms import apply_errors
from kam.core.http import AuthenticatedHttpRequest
from kam.receivables import forms, permissions, selectors, services
from kam.receivables.models import Invoice, Payment
from kam.receivables.views.contracts import posted_version


def _payment(request: AuthenticatedHttpRequest, pk: int) -> Payment:
    return get_object_or_404(selectors.visible_payments(request.user), pk=pk)


@login_required
def allocate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Spread a payment over the account's invoices by hand (finance)."""
    user = request.user
    payment = _payment(request, pk)
    if not permissions.handles_money(user):
        raise PermissionDenied
    invoices = (
        Invoice.objects.filter(
            Q(open_amount__gt=0) | Q(allocations__payment=payment), account_id=payment.account_id
        )
        .distinct()
        .order_by("due_date", "pk")
    )
    form = forms.AllocationForm(request.POST or None, payment=payment, invoices=invoices)
    version = payment.version
    if request.method == "POST" and form.is_valid():
        try:
            services.reallocate_payment(
                payment, form.lines(), by=user, expected_version=posted_version(request)
            )
        except (ValidationError, ConflictError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Allocation saved."))
            return redirect("receivables:allocate", payment.pk)
        version = posted_version(request) or payment.version
    return render(
        request,
        "receivables/allocate.html",
        {"payment": payment, "form": form, "version": version},
    )
