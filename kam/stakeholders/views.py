"""Decision-chain pages: people, their personal information, buying circles, maps, flags."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.accounts.models import Account
from kam.accounts.visibility import can_edit_account
from kam.core.concurrency import ConflictError
from kam.core.params import query_int
from kam.core.visibility import visible_users
from kam.pipeline.models import Opportunity, Status
from kam.stakeholders import influence_map, selectors, services
from kam.stakeholders.export import personal_data_xlsx
from kam.stakeholders.forms import (
    AccountChoiceForm,
    AssessmentForm,
    ContactForm,
    InfluenceLineForm,
    PaymentChainForm,
    PersonalInfoForm,
    RedFlagSettingsForm,
    RoleForm,
    StakeholderForm,
)
from kam.stakeholders.models import Contact, InfluenceLine, RedFlagSettings, Stakeholder
from kam.stakeholders.red_flags import red_flags_for
from kam.ui.listing import Listing, paginate

SORTS = {"name": "name", "account": "account__name", "level": "level", "title": "title"}


def apply_errors(form: Any, error: ValidationError | ConflictError) -> None:
    """Show a service's refusal on the form, field by field where it can."""
    if isinstance(error, ConflictError):
        form.add_error(None, str(error))
    elif hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _contact_or_404(request: HttpRequest, pk: int) -> Contact:
    try:
        return selectors.contact_detail(request.user, pk)  # type: ignore[arg-type]
    except Contact.DoesNotExist:
        raise Http404 from None


def _account_or_404(request: HttpRequest, pk: Any) -> Account:
    try:
        return selectors.visible_account(request.user, int(pk))  # type: ignore[arg-type]
    except (Account.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


@login_required
def contact_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    contacts = selectors.contact_list(request.user, q)  # type: ignore[arg-type]
    listing = paginate(request, contacts, sorts=SORTS, default_sort="account")
    return render(request, "stakeholders/list.html", {"listing": listing, "q": q})


@login_required
def contact_create(request: HttpRequest) -> HttpResponse:
    if not request.GET.get("account"):
        pick = AccountChoiceForm(user=request.user)
        return render(request, "stakeholders/pick_account.html", {"form": pick})
    account = _account_or_404(request, request.GET.get("account"))
    if not can_edit_account(request.user, account):  # type: ignore[arg-type]
        raise PermissionDenied
    form = ContactForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.create_contact(account=account, by=request.user, **form.values())  # type: ignore[arg-type]
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("stakeholders:detail", contact.pk)
    return render(request, "stakeholders/contact_form.html", {"form": form, "account": account})


@login_required
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact_or_404(request, pk)
    if not can_edit_account(request.user, contact.account):  # type: ignore[arg-type]
        raise PermissionDenied
    form = ContactForm(request.POST or None, account=contact.account, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_contact(
                contact,
                by=request.user,  # type: ignore[arg-type]
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
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact_or_404(request, pk)
    user = request.user
    return render(
        request,
        "stakeholders/detail.html",
        {
            "contact": contact,
            "can_edit": can_edit_account(user, contact.account),  # type: ignore[arg-type]
            "can_see_personal": services.can_see_personal_info(user, contact.account),  # type: ignore[arg-type]
        },
    )


@login_required
def personal_info(request: HttpRequest, pk: int) -> HttpResponse:
    """The sensitive part, loaded on request; each view is logged (§7)."""
    contact = _contact_or_404(request, pk)
    if not services.can_see_personal_info(request.user, contact.account):  # type: ignore[arg-type]
        raise Http404
    info = services.read_personal_info(contact, by=request.user)  # type: ignore[arg-type]
    editing = request.method == "POST" or request.GET.get("edit") == "1"
    form = PersonalInfoForm(request.POST or None, instance=info)
    if request.method == "POST" and form.is_valid():
        try:
            info = services.save_personal_info(
                contact,
                by=request.user,  # type: ignore[arg-type]
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
def personal_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in ("json", "xlsx"):
        raise Http404
    contact = _contact_or_404(request, pk)
    if not services.can_see_personal_info(request.user, contact.account):  # type: ignore[arg-type]
        raise Http404
    data = services.export_personal_data(contact, by=request.user, fmt=fmt)  # type: ignore[arg-type]
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
def personal_erase(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact_or_404(request, pk)
    if not services.can_see_personal_info(request.user, contact.account):  # type: ignore[arg-type]
        raise Http404
    services.erase_personal_data(contact, by=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Personal information erased; business records kept."))
    return redirect("stakeholders:detail", contact.pk)


# ---------------------------------------------------------------- buying circle and map


def _opportunity_or_404(request: HttpRequest, pk: int) -> Opportunity:
    try:
        return selectors.visible_opportunity(request.user, pk)  # type: ignore[arg-type]
    except Opportunity.DoesNotExist:
        raise Http404 from None


def _require_edit(request: HttpRequest, account: Account) -> None:
    if not can_edit_account(request.user, account):  # type: ignore[arg-type]
        raise PermissionDenied


def _map_context(
    request: HttpRequest,
    account: Account,
    opportunity: Opportunity | None,
    *,
    line_form: InfluenceLineForm | None = None,
    role_form: RoleForm | None = None,
    error: str = "",
) -> dict[str, Any]:
    if opportunity is not None:
        nodes, edges = influence_map.opportunity_map(opportunity)
        members = [s for s in selectors.buying_circle(opportunity) if s.contact_id]
        people = Contact.objects.filter(pk__in=[s.contact_id for s in members]).order_by("name")
    else:
        nodes, edges = influence_map.account_map(account)
        members = []
        people = Contact.objects.filter(account=account).order_by("name")
    can_edit = can_edit_account(request.user, account)  # type: ignore[arg-type]
    return {
        "account": account,
        "opportunity": opportunity,
        "map_option": influence_map.map_option(nodes, edges),
        "map_empty": not nodes,
        "can_edit": can_edit,
        "line_form": line_form or InfluenceLineForm(people=people),
        "role_form": role_form or RoleForm(members=members),
        "lines": selectors.influence_lines(account, people_ids=[p.pk for p in people]),
        "error": error,
    }


@login_required
def opportunity_chain(request: HttpRequest, pk: int) -> HttpResponse:
    """The decision chain of one opportunity: circle, assessments, map, red flags."""
    opportunity = _opportunity_or_404(request, pk)
    circle = selectors.buying_circle(opportunity)
    can_edit = can_edit_account(request.user, opportunity.account)  # type: ignore[arg-type]
    add_form = StakeholderForm(
        opportunity=opportunity,
        staff=visible_users(request.user).filter(is_active=True),  # type: ignore[arg-type]
    )
    return render(
        request,
        "stakeholders/opportunity.html",
        {
            "opportunity": opportunity,
            "circle": [(s, AssessmentForm(initial=_assessment_initial(s))) for s in circle],
            "flags": red_flags_for(opportunity) if opportunity.status == Status.OPEN else [],
            "add_form": add_form,
            "can_edit": can_edit,
            **_map_context(request, opportunity.account, opportunity),
        },
    )


def _assessment_initial(s: Stakeholder) -> dict[str, Any]:
    latest = s.assessments.all()
    last = list(latest)[-1] if latest else None
    initial: dict[str, Any] = {"version": s.version}
    if last is not None:
        initial.update({f: getattr(last, f) for f in AssessmentForm.SCALES})
    return initial


@login_required
def opportunity_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx panel on the opportunity page: who decides, who supports, who was never met."""
    opportunity = _opportunity_or_404(request, pk)
    return render(
        request,
        "stakeholders/_opportunity_panel.html",
        {
            "opportunity": opportunity,
            "circle": selectors.buying_circle(opportunity),
            "flags": red_flags_for(opportunity) if opportunity.status == Status.OPEN else [],
        },
    )


@login_required
@require_POST
def stakeholder_add(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _opportunity_or_404(request, pk)
    _require_edit(request, opportunity.account)
    form = StakeholderForm(
        request.POST,
        opportunity=opportunity,
        staff=visible_users(request.user).filter(is_active=True),  # type: ignore[arg-type]
    )
    if form.is_valid():
        try:
            services.add_stakeholder(opportunity, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Added to the buying circle."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("stakeholders:opportunity", opportunity.pk)


def _member_or_404(request: HttpRequest, pk: int) -> Stakeholder:
    try:
        return (
            selectors.visible_stakeholders(request.user)  # type: ignore[arg-type]
            .select_related("opportunity__account", "contact", "staff")
            .get(pk=pk)
        )
    except Stakeholder.DoesNotExist:
        raise Http404 from None


@login_required
@require_POST
def stakeholder_assess(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_or_404(request, pk)
    _require_edit(request, member.opportunity.account)
    form = AssessmentForm(request.POST)
    if form.is_valid():
        try:
            services.assess(
                member,
                by=request.user,  # type: ignore[arg-type]
                expected_version=form.cleaned_data["version"],
                assessed_on=form.cleaned_data["assessed_on"],
                note=form.cleaned_data["note"],
                **form.values(),
            )
        except (ValidationError, ConflictError) as error:
            text = str(error) if isinstance(error, ConflictError) else " ".join(error.messages)
            messages.error(request, text)
        else:
            messages.success(request, _("Assessment recorded."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("stakeholders:opportunity", member.opportunity_id)


@login_required
@require_POST
def stakeholder_remove(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_or_404(request, pk)
    _require_edit(request, member.opportunity.account)
    services.remove_stakeholder(member, by=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Removed from the buying circle."))
    return redirect("stakeholders:opportunity", member.opportunity_id)


def _render_map(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, "stakeholders/_map.html", context, status=status)


@login_required
def account_map_partial(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_or_404(request, pk)
    opportunity = None
    if request.GET.get("opportunity"):
        opportunity_pk = query_int(request.GET, "opportunity")
        if opportunity_pk is None:
            raise Http404
        opportunity = _opportunity_or_404(request, opportunity_pk)
        if opportunity.account_id != account.pk:
            raise Http404
    return _render_map(request, _map_context(request, account, opportunity))


@login_required
@require_POST
def map_add_line(request: HttpRequest, pk: int) -> HttpResponse:
    """Draw an influence line from the map page; answers the refreshed map (htmx)."""
    account = _account_or_404(request, pk)
    _require_edit(request, account)
    opportunity = None
    if request.POST.get("opportunity"):
        opportunity = _opportunity_or_404(request, int(request.POST["opportunity"]))
    people = Contact.objects.filter(account=account)
    form = InfluenceLineForm(request.POST, people=people)
    if form.is_valid():
        try:
            services.add_influence_line(account, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            return _render_map(
                request,
                _map_context(request, account, opportunity, error=" ".join(error.messages)),
                status=422,
            )
        return _render_map(request, _map_context(request, account, opportunity))
    return _render_map(
        request, _map_context(request, account, opportunity, line_form=form), status=422
    )


@login_required
@require_POST
def map_remove_line(request: HttpRequest, pk: int, line: int) -> HttpResponse:
    account = _account_or_404(request, pk)
    _require_edit(request, account)
    opportunity = None
    if request.POST.get("opportunity"):
        opportunity = _opportunity_or_404(request, int(request.POST["opportunity"]))
    found = InfluenceLine.objects.filter(account=account, pk=line).first()
    if found is None:
        return _render_map(
            request,
            _map_context(
                request,
                account,
                opportunity,
                error=_("That line is no longer on the map (perhaps a colleague removed it)."),
            ),
            status=409,
        )
    services.remove_influence_line(found, by=request.user)  # type: ignore[arg-type]
    return _render_map(request, _map_context(request, account, opportunity))


@login_required
@require_POST
def map_set_role(request: HttpRequest, pk: int) -> HttpResponse:
    """Give or take a buying role from the opportunity's map (htmx)."""
    opportunity = _opportunity_or_404(request, pk)
    _require_edit(request, opportunity.account)
    members = [s for s in selectors.buying_circle(opportunity) if s.contact_id]
    form = RoleForm(request.POST, members=members)
    if not form.is_valid():
        return _render_map(
            request,
            _map_context(request, opportunity.account, opportunity, role_form=form),
            status=422,
        )
    member_pk, version = form.member_and_version()
    member = next(s for s in members if s.pk == member_pk)
    try:
        services.set_role(
            member,
            form.cleaned_data["role"],
            form.cleaned_data["held"],
            by=request.user,  # type: ignore[arg-type]
            expected_version=version,
        )
    except (ValidationError, ConflictError) as error:
        text = str(error) if isinstance(error, ConflictError) else " ".join(error.messages)
        return _render_map(
            request,
            _map_context(request, opportunity.account, opportunity, error=text),
            status=409 if isinstance(error, ConflictError) else 422,
        )
    return _render_map(request, _map_context(request, opportunity.account, opportunity))


# ---------------------------------------------------------------- account


@login_required
def account_chain(request: HttpRequest, pk: int) -> HttpResponse:
    """An account's people, influence map, payment approval chain and deals' red flags."""
    account = _account_or_404(request, pk)
    return render(
        request,
        "stakeholders/account.html",
        {
            **_map_context(request, account, None),
            "people": Contact.objects.filter(account=account).select_related("reports_to"),
            **_chain_context(request, account),
            "policies": account.policy_watches.select_related("opportunity").order_by(
                "resolved", "review_on"
            ),
            "deal_flags": selectors.flagged_deals(
                account.opportunities.filter(status=Status.OPEN).select_related("stage")
            ),
        },
    )


def _chain_context(
    request: HttpRequest, account: Account, form: PaymentChainForm | None = None, error: str = ""
) -> dict[str, Any]:
    chain = selectors.payment_approval_chain(request.user, account)  # type: ignore[arg-type]
    people = Contact.objects.filter(account=account).order_by("has_left", "name")
    return {
        "account": account,
        "approval_chain": chain,
        "chain_form": form or PaymentChainForm(people=people, current=chain),
        "chain_error": error,
        "can_edit": can_edit_account(request.user, account),  # type: ignore[arg-type]
    }


@login_required
@require_POST
def payment_chain_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the customer's payment approval chain from the account page (htmx, §6)."""
    account = _account_or_404(request, pk)
    _require_edit(request, account)
    people = Contact.objects.filter(account=account).order_by("has_left", "name")
    form = PaymentChainForm(request.POST, people=people)
    error, status = "", 422
    if form.is_valid():
        try:
            services.set_payment_approval_chain(
                account,
                form.steps(),
                by=request.user,  # type: ignore[arg-type]
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
    chain = selectors.payment_approval_chain(request.user, account)  # type: ignore[arg-type]
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
def account_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx panel on the account 360 page: people, map link, red flags of open deals."""
    account = _account_or_404(request, pk)
    return render(
        request,
        "stakeholders/_account_panel.html",
        {
            "account": account,
            "people": Contact.objects.filter(account=account).order_by("has_left", "name"),
            "deal_flags": selectors.flagged_deals(
                account.opportunities.filter(status=Status.OPEN).select_related("stage")
            ),
            "can_edit": can_edit_account(request.user, account),  # type: ignore[arg-type]
        },
    )


FLAGS_PER_PAGE = 50


@login_required
def pipeline_flags(request: HttpRequest) -> HttpResponse:
    """Red flags of the open deals the user owns (a rep) or may see (a manager)."""
    mine = request.GET.get("scope", "mine") != "all"
    deals = selectors.open_deals(request.user, mine=mine)  # type: ignore[arg-type]
    template = (
        "stakeholders/_flags_panel.html"
        if request.headers.get("HX-Request")
        else "stakeholders/red_flags.html"
    )
    # Every deal's flags are computed (the most flagged come first); a page of them is shown.
    page = Paginator(selectors.flagged_deals(deals), FLAGS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    params = request.GET.copy()
    params.pop("page", None)
    listing = Listing(page=page, sort="", querystring=params.urlencode())
    return render(
        request, template, {"deal_flags": page.object_list, "listing": listing, "mine": mine}
    )


@login_required
def red_flag_settings(request: HttpRequest) -> HttpResponse:
    if not request.user.is_kam_admin:  # type: ignore[union-attr]
        raise PermissionDenied
    current = RedFlagSettings.current()
    form = RedFlagSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_red_flag_settings(by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("stakeholders:settings")
    return render(request, "stakeholders/settings.html", {"form": form})
