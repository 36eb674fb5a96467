"""Pages of the people at the customers and of their personal information (§2.2, §7)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.accounts.visibility import can_edit_account, require_edit
from kam.core.concurrency import ConflictError
from kam.core.forms import apply_errors
from kam.core.http import AuthenticatedHttpRequest
from kam.stakeholders import selectors, services
from kam.stakeholders.export import personal_data_xlsx
from kam.stakeholders.forms import AccountChoiceForm, ContactForm, PersonalInfoForm
from kam.stakeholders.views.lookups import account_or_404, contact_or_404
from kam.ui.listing import paginate

SORTS = {"name": "name", "account": "account__name", "level": "level", "title": "title"}


@login_required
def contact_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    contacts = selectors.contact_list(request.user, q)
    listing = paginate(request, contacts, sorts=SORTS, default_sort="account")
    return render(request, "stakeholders/list.html", {"listing": listing, "q": q})


@login_required
def contact_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.GET.get("account"):
        pick = AccountChoiceForm(user=request.user)
        return render(request, "stakeholders/pick_account.html", {"form": pick})
    account = account_or_404(request, request.GET.get("account"))
    require_edit(request.user, account)
    form = ContactForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.create_contact(account=account, by=request.user, **form.values())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("stakeholders:detail", contact.pk)
    return render(request, "stakeholders/contact_form.html", {"form": form, "account": account})


@login_required
def contact_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contact = contact_or_404(request, pk)
    require_edit(request.user, contact.account)
    form = ContactForm(request.POST or None, account=contact.account, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_contact(
                contact,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                effective_on=form.cleaned_data.get("effective_on"),
                **form.values(),
            )
        except (ValidationError, ConflictError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("stakeholders:detail", contact.pk)
    return render(
        request,
        "stakeholders/contact_form.html",
        {"form": form, "account": contact.account, "contact": contact},
    )


@login_required
def contact_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contact = contact_or_404(request, pk)
    user = request.user
    return render(
        request,
        "stakeholders/detail.html",
        {
            "contact": contact,
            "can_edit": can_edit_account(user, contact.account),
            "can_see_personal": services.can_see_personal_info(user, contact.account),
        },
    )


@login_required
def personal_info(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The sensitive part, loaded on request; each view is logged (§7)."""
    contact = contact_or_404(request, pk)
    if not services.can_see_personal_info(request.user, contact.account):
        raise Http404
    info = services.read_personal_info(contact, by=request.user)
    editing = request.method == "POST" or request.GET.get("edit") == "1"
    form = PersonalInfoForm(request.POST or None, instance=info)
    if request.method == "POST" and form.is_valid():
        try:
            info = services.save_personal_info(
                contact,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                **form.values(),
            )
        except (ValidationError, ConflictError) as error:
            apply_errors(form, error)
        else:
            editing = False
            form = PersonalInfoForm(instance=info)
    return render(
        request,
        "stakeholders/_personal_info.html",
        {"contact": contact, "info": info, "form": form, "editing": editing},
    )


@login_required
def personal_export(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in ("json", "xlsx"):
        raise Http404
    contact = contact_or_404(request, pk)
    if not services.can_see_personal_info(request.user, contact.account):
        raise Http404
    data = services.export_personal_data(contact, by=request.user, fmt=fmt)
    filename = f"person-{contact.pk}"
    if fmt == "xlsx":
        response = HttpResponse(
            personal_data_xlsx(data),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.json"'
    return response


@login_required
@require_POST
def personal_erase(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contact = contact_or_404(request, pk)
    if not services.can_see_personal_info(request.user, contact.account):
        raise Http404
    services.erase_personal_data(contact, by=request.user)
    messages.success(request, _("Personal information erased; business records kept."))
    return redirect("stakeholders:detail", contact.pk)
