"""The account list, the account 360 page and its edits: the profile, the account team,
the items recorded about it, the tier and the latent needs (DOMAIN.md §1.1-§1.6)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts import forms as account_forms
from kam.accounts import selectors, services
from kam.accounts.models import (
    Account,
    AccountMember,
    Attitude,
    CreditStanding,
    Industry,
    InformationSource,
    LatentNeed,
    NeedQuadrant,
    ProductUsage,
    Scale,
    Strategy,
    SwotFactor,
    SwotKind,
    Tier,
)
from kam.accounts.views.editing import account_or_404, back_to, editing, flash_errors
from kam.accounts.visibility import can_edit_account, require_edit
from kam.core.concurrency import ConflictError
from kam.core.forms import apply_errors
from kam.core.http import AuthenticatedHttpRequest
from kam.core.models import Role
from kam.core.params import query_int
from kam.core.visibility import visible_teams, visible_users
from kam.ui.listing import paginate

SORTS = {
    "name": "name",
    "tier": "tier",
    "segment": "segment",
    "score": "qualification_score",
    "industry": "industry",
    "owner": "owner__username",
    "amount": "open_amount_sort",
    "updated": "updated_at",
}


@login_required
def account_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = selectors.AccountFilters.from_params(request.GET)
    accounts = selectors.account_list(request.user, filters)
    listing = paginate(request, accounts, sorts=SORTS, default_sort="name")
    return render(
        request,
        "accounts/list.html",
        {
            "listing": listing,
            "filters": filters,
            "tiers": Tier.choices,
            "segments": Strategy.choices,
            "scales": Scale.choices,
            "attitudes": Attitude.choices,
            "usages": ProductUsage.choices,
            "industries": Industry.choices,
            "owners": visible_users(request.user).order_by("username"),
            "teams": visible_teams(request.user),
            "can_create": request.user.role != Role.FINANCE,
        },
    )


@login_required
def account_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        account = selectors.account_detail(request.user, pk)
    except Account.DoesNotExist:
        raise Http404 from None
    can_edit = can_edit_account(request.user, account)
    assessment = selectors.assessment_for(account)
    swot: dict[str, list[Any]] = {k: [] for k in SwotKind.values}
    for item in account.swot_items.all():
        swot[item.kind].append(item)
    needs: dict[str, list[Any]] = {k: [] for k in NeedQuadrant.values}
    for need in account.latent_needs.all():
        needs[need.quadrant].append(need)
    return render(
        request,
        "accounts/detail.html",
        {
            "account": account,
            "can_edit": can_edit,
            "assessment": assessment,
            "credit_standings": CreditStanding.choices,
            "tree": selectors.group_tree(account),
            "value_rows": selectors.value_rows(account),
            "swot": [(k, label, swot[k]) for k, label in SwotKind.choices],
            "needs": [(k, label, needs[k]) for k, label in NeedQuadrant.choices],
            "plans": selectors.plans_for(account),
            "plan_warning": selectors.plan_warning_for(account),
            "override_form": account_forms.TierOverrideForm(
                initial={"tier": account.tier, "version": account.version}
            ),
            "opportunity_form": account_forms.NeedToOpportunityForm(),
            "plan_form": account_forms.PlanForm(initial={"year": timezone.localdate().year}),
            "roles": AccountMember.TeamRole.choices,
            "internal_factors": SwotFactor.choices[:16],
            "external_factors": SwotFactor.choices[16:],
            "sources": InformationSource.choices,
        },
    )


@login_required
def account_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    """Create an account or change its profile (§1.1)."""
    instance = account_or_404(request, pk) if pk else None
    user = request.user
    if instance is not None:
        require_edit(user, instance)
    if instance is None and user.role == Role.FINANCE:
        raise PermissionDenied
    initial = {"owner": user} if instance is None else None
    form = account_forms.AccountForm(
        request.POST or None,
        instance=instance,
        initial=initial,
        user=user,
    )
    duplicate = None
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in services.PROFILE_FIELDS if f in form.cleaned_data}
        try:
            if instance is None:
                name, owner = data.pop("name"), data.pop("owner")
                account = services.create_account(name=name, owner=owner, by=user, **data)
            else:
                fresh = Account.objects.get(pk=instance.pk)
                account = services.update_account(
                    fresh,
                    by=user,
                    expected_version=form.cleaned_data.get("version"),
                    **data,
                )
        except services.DuplicateAccountError as error:
            apply_errors(form, error)
            duplicate = error.existing if error.existing_visible else None
        except (ValidationError, ConflictError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return back_to(account)
    return render(
        request,
        "accounts/form.html",
        {"form": form, "instance": instance, "duplicate": duplicate},
    )


# --- the account team ---------------------------------------------------------


@login_required
def member_form(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """htmx: the "add a colleague" form, loaded when opened (its list of colleagues is long)."""
    account = account_or_404(request, pk)
    require_edit(request.user, account)
    return render(
        request,
        "accounts/_member_form.html",
        {"account": account, "member_form": account_forms.MemberForm()},
    )


@editing
def member_add(request: AuthenticatedHttpRequest, account: Account) -> HttpResponse:
    form = account_forms.MemberForm(request.POST)
    if form.is_valid():
        try:
            services.add_member(account, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            flash_errors(request, error)
        else:
            messages.success(request, _("Added to the account team."))
    else:
        flash_errors(request, form)
    return back_to(account, "team")


@editing
def member_change(
    request: AuthenticatedHttpRequest, account: Account, member_pk: int
) -> HttpResponse:
    member = get_object_or_404(AccountMember, pk=member_pk, account=account)
    if request.POST.get("remove"):
        services.remove_member(member, by=request.user)
        messages.success(request, _("Removed from the account team."))
        return back_to(account, "team")
    form = account_forms.MemberRoleForm(request.POST)
    if form.is_valid():
        services.change_member_role(member, role=form.cleaned_data["role"], by=request.user)
        messages.success(request, _("Saved."))
    else:
        flash_errors(request, form)
    return back_to(account, "team")


# --- items recorded about the account -------------------------------------------


@login_required
def item_form(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    """htmx: the empty form for adding one kind of item, loaded when its panel opens."""
    if kind not in account_forms.ITEM_KINDS:
        raise Http404
    account = account_or_404(request, pk)
    require_edit(request.user, account)
    form = account_forms.ITEM_KINDS[kind][1]()
    if kind == "note":
        form.initial = {"observed_on": timezone.localdate()}
    return render(
        request, "accounts/_item_form.html", {"account": account, "kind": kind, "form": form}
    )


@editing
def item_add(request: AuthenticatedHttpRequest, account: Account, kind: str) -> HttpResponse:
    if kind not in account_forms.ITEM_KINDS:
        raise Http404
    model, form_class = account_forms.ITEM_KINDS[kind]
    form = form_class(request.POST)
    if form.is_valid():
        try:
            services.add_item(account, model, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            flash_errors(request, error)
        else:
            messages.success(request, _("Saved."))
    else:
        flash_errors(request, form)
    return back_to(account, kind)


@editing
def item_remove(
    request: AuthenticatedHttpRequest, account: Account, kind: str, item_pk: int
) -> HttpResponse:
    if kind not in account_forms.ITEM_KINDS:
        raise Http404
    model, _form = account_forms.ITEM_KINDS[kind]
    item: Any = get_object_or_404(model, pk=item_pk, account=account)
    services.remove_item(item, by=request.user)
    messages.success(request, _("Removed."))
    return back_to(account, kind)


# --- qualification and tier -------------------------------------------------------


@editing
def reassess(request: AuthenticatedHttpRequest, account: Account) -> HttpResponse:
    services.assess_account(account, by=request.user)
    messages.success(request, _("Score, tier and segment recomputed from the current data."))
    return back_to(account, "qualification")


@editing
def tier_override(request: AuthenticatedHttpRequest, account: Account) -> HttpResponse:
    if request.POST.get("clear"):
        try:
            services.clear_tier_override(
                account,
                by=request.user,
                expected_version=query_int(request.POST, "version"),
            )
        except ConflictError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The score sets the tier again."))
        return back_to(account, "qualification")
    form = account_forms.TierOverrideForm(request.POST)
    if form.is_valid():
        try:
            services.override_tier(
                account,
                tier=form.cleaned_data["tier"],
                reason=form.cleaned_data["reason"],
                by=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            flash_errors(request, error)
        except ConflictError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Tier set by hand."))
    else:
        flash_errors(request, form)
    return back_to(account, "qualification")


# --- latent needs --------------------------------------------------------------


@editing
def need_to_opportunity(
    request: AuthenticatedHttpRequest, account: Account, need_pk: int
) -> HttpResponse:
    need = get_object_or_404(LatentNeed, pk=need_pk, account=account)
    form = account_forms.NeedToOpportunityForm(request.POST)
    if form.is_valid():
        try:
            opportunity = services.turn_need_into_opportunity(
                need,
                by=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            flash_errors(request, error)
        else:
            messages.success(
                request, _("Opportunity %(name)s opened.") % {"name": opportunity.name}
            )
    else:
        flash_errors(request, form)
    return back_to(account, "needs")
