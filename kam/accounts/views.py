"""Account pages: the list, the account 360 page, its edits, the pyramid and the matrix."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.accounts import charts, selectors, services
from kam.accounts import forms as account_forms
from kam.accounts.models import (
    Account,
    AccountMember,
    AccountPlan,
    ActionStatus,
    GrowthLever,
    Industry,
    InformationSource,
    LatentNeed,
    NeedQuadrant,
    PlanAction,
    PlanObjective,
    Scale,
    Strategy,
    SwotFactor,
    SwotKind,
    Tier,
)
from kam.accounts.visibility import can_edit_account
from kam.core.concurrency import ConflictError
from kam.core.params import check_year, query_int
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


def _apply_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _flash_errors(request: HttpRequest, error: ValidationError | Any) -> None:
    if isinstance(error, ValidationError):
        for message in error.messages:
            messages.error(request, message)
    else:
        for field_errors in error.errors.values():
            for message in field_errors:
                messages.error(request, message)


def _account(request: HttpRequest, pk: int) -> Account:
    try:
        return selectors.editable_account(request.user, pk)  # type: ignore[arg-type]
    except Account.DoesNotExist:
        raise Http404 from None


def editing(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A POST that changes an account: 404 if unseen, 403 if read-only (finance)."""

    @wraps(view)
    @login_required
    @require_POST
    def wrapper(request: HttpRequest, pk: int, *args: Any, **kwargs: Any) -> HttpResponse:
        account = _account(request, pk)
        if not can_edit_account(request.user, account):  # type: ignore[arg-type]
            raise PermissionDenied
        return view(request, account, *args, **kwargs)

    return wrapper


def _back(account: Account, anchor: str = "") -> HttpResponse:
    url = reverse("accounts:detail", args=[account.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.AccountFilters.from_params(request.GET)
    accounts = selectors.account_list(request.user, filters)  # type: ignore[arg-type]
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
            "industries": Industry.choices,
            "owners": visible_users(request.user).order_by("username"),  # type: ignore[arg-type]
            "teams": visible_teams(request.user),  # type: ignore[arg-type]
            "can_create": request.user.role != "finance",  # type: ignore[union-attr]
        },
    )


@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        account = selectors.account_detail(request.user, pk)  # type: ignore[arg-type]
    except Account.DoesNotExist:
        raise Http404 from None
    can_edit = can_edit_account(request.user, account)  # type: ignore[arg-type]
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
            "tree": selectors.group_tree(account),
            "value_rows": selectors.value_rows(account),
            "swot": [(k, label, swot[k]) for k, label in SwotKind.choices],
            "needs": [(k, label, needs[k]) for k, label in NeedQuadrant.choices],
            "plans": selectors.plans_for(account),
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
def account_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create an account or change its profile (§1.1)."""
    instance = _account(request, pk) if pk else None
    user = request.user
    if instance is not None and not can_edit_account(user, instance):  # type: ignore[arg-type]
        raise PermissionDenied
    if instance is None and user.role == "finance":  # type: ignore[union-attr]
        raise PermissionDenied
    initial = {"owner": user} if instance is None else None
    form = account_forms.AccountForm(
        request.POST or None,
        instance=instance,
        initial=initial,
        user=user,  # type: ignore[arg-type]
    )
    duplicate = None
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in services.PROFILE_FIELDS if f in form.cleaned_data}
        try:
            if instance is None:
                name, owner = data.pop("name"), data.pop("owner")
                account = services.create_account(name=name, owner=owner, by=user, **data)  # type: ignore[arg-type]
            else:
                fresh = Account.objects.get(pk=instance.pk)
                account = services.update_account(
                    fresh,
                    by=user,  # type: ignore[arg-type]
                    expected_version=form.cleaned_data.get("version"),
                    **data,
                )
        except services.DuplicateAccountError as error:
            _apply_errors(form, error)
            duplicate = error.existing if error.existing_visible else None
        except ValidationError as error:
            _apply_errors(form, error)
        except ConflictError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Saved."))
            return _back(account)
    return render(
        request,
        "accounts/form.html",
        {"form": form, "instance": instance, "duplicate": duplicate},
    )


# --- the account team ---------------------------------------------------------


@login_required
def member_form(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the "add a colleague" form, loaded when opened (its list of colleagues is long)."""
    account = _account(request, pk)
    if not can_edit_account(request.user, account):  # type: ignore[arg-type]
        raise PermissionDenied
    return render(
        request,
        "accounts/_member_form.html",
        {"account": account, "member_form": account_forms.MemberForm()},
    )


@editing
def member_add(request: HttpRequest, account: Account) -> HttpResponse:
    form = account_forms.MemberForm(request.POST)
    if form.is_valid():
        try:
            services.add_member(account, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            _flash_errors(request, error)
        else:
            messages.success(request, _("Added to the account team."))
    else:
        _flash_errors(request, form)
    return _back(account, "team")


@editing
def member_change(request: HttpRequest, account: Account, member_pk: int) -> HttpResponse:
    member = get_object_or_404(AccountMember, pk=member_pk, account=account)
    if request.POST.get("remove"):
        services.remove_member(member, by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Removed from the account team."))
        return _back(account, "team")
    form = account_forms.MemberRoleForm(request.POST)
    if form.is_valid():
        services.change_member_role(member, role=form.cleaned_data["role"], by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Saved."))
    else:
        _flash_errors(request, form)
    return _back(account, "team")


# --- items recorded about the account -------------------------------------------


@login_required
def item_form(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """htmx: the empty form for adding one kind of item, loaded when its panel opens."""
    if kind not in account_forms.ITEM_KINDS:
        raise Http404
    account = _account(request, pk)
    if not can_edit_account(request.user, account):  # type: ignore[arg-type]
        raise PermissionDenied
    form = account_forms.ITEM_KINDS[kind][1]()
    if kind == "note":
        form.initial = {"observed_on": timezone.localdate()}
    return render(
        request, "accounts/_item_form.html", {"account": account, "kind": kind, "form": form}
    )


@editing
def item_add(request: HttpRequest, account: Account, kind: str) -> HttpResponse:
    if kind not in account_forms.ITEM_KINDS:
        raise Http404
    model, form_class = account_forms.ITEM_KINDS[kind]
    form = form_class(request.POST)
    if form.is_valid():
        try:
            services.add_item(account, model, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            _flash_errors(request, error)
        else:
            messages.success(request, _("Saved."))
    else:
        _flash_errors(request, form)
    return _back(account, kind)


@editing
def item_remove(request: HttpRequest, account: Account, kind: str, item_pk: int) -> HttpResponse:
    if kind not in account_forms.ITEM_KINDS:
        raise Http404
    model, _form = account_forms.ITEM_KINDS[kind]
    item: Any = get_object_or_404(model, pk=item_pk, account=account)
    services.remove_item(item, by=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Removed."))
    return _back(account, kind)


# --- qualification and tier -------------------------------------------------------


@editing
def reassess(request: HttpRequest, account: Account) -> HttpResponse:
    services.assess_account(account, by=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Score, tier and segment recomputed from the current data."))
    return _back(account, "qualification")


@editing
def tier_override(request: HttpRequest, account: Account) -> HttpResponse:
    if request.POST.get("clear"):
        try:
            services.clear_tier_override(
                account,
                by=request.user,  # type: ignore[arg-type]
                expected_version=query_int(request.POST, "version"),
            )
        except ConflictError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The score sets the tier again."))
        return _back(account, "qualification")
    form = account_forms.TierOverrideForm(request.POST)
    if form.is_valid():
        try:
            services.override_tier(
                account,
                tier=form.cleaned_data["tier"],
                reason=form.cleaned_data["reason"],
                by=request.user,  # type: ignore[arg-type]
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            _flash_errors(request, error)
        except ConflictError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Tier set by hand."))
    else:
        _flash_errors(request, form)
    return _back(account, "qualification")


# --- latent needs --------------------------------------------------------------


@editing
def need_to_opportunity(request: HttpRequest, account: Account, need_pk: int) -> HttpResponse:
    need = get_object_or_404(LatentNeed, pk=need_pk, account=account)
    form = account_forms.NeedToOpportunityForm(request.POST)
    if form.is_valid():
        try:
            opportunity = services.turn_need_into_opportunity(
                need,
                by=request.user,  # type: ignore[arg-type]
                **form.cleaned_data,
            )
        except ValidationError as error:
            _flash_errors(request, error)
        else:
            messages.success(
                request, _("Opportunity %(name)s opened.") % {"name": opportunity.name}
            )
    else:
        _flash_errors(request, form)
    return _back(account, "needs")


# --- account plans ---------------------------------------------------------------


@editing
def plan_create(request: HttpRequest, account: Account) -> HttpResponse:
    form = account_forms.PlanForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        try:
            plan = services.create_plan(account, by=request.user, **data)  # type: ignore[arg-type]
        except ValidationError as error:
            _flash_errors(request, error)
        else:
            return redirect("accounts:plan", pk=account.pk, plan_pk=plan.pk)
    else:
        _flash_errors(request, form)
    return _back(account, "plans")


@login_required
def plan_detail(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    account = _account(request, pk)
    plan = get_object_or_404(AccountPlan, pk=plan_pk, account=account)
    can_edit = can_edit_account(request.user, account)  # type: ignore[arg-type]
    form = account_forms.PlanForm(request.POST or None, instance=plan)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version", None)
            data.pop("year", None)
            try:
                fresh = AccountPlan.objects.select_related("account").get(pk=plan.pk)
                services.update_plan(fresh, by=request.user, expected_version=version, **data)  # type: ignore[arg-type]
            except ValidationError as error:
                _apply_errors(form, error)
            except ConflictError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Saved."))
                return redirect("accounts:plan", pk=account.pk, plan_pk=plan.pk)
    view = selectors.plan_view(plan)
    return render(
        request,
        "accounts/plan.html",
        {
            "account": account,
            "plan": plan,
            "view": view,
            "form": form,
            "can_edit": can_edit,
            "lever_form": account_forms.LeverForm(),
            "objective_form": account_forms.ObjectiveForm(),
            "action_form": account_forms.ActionForm(plan=plan, initial={"owner": request.user}),
            "whitespace_form": account_forms.WhitespaceForm(),
            "priority_chart": _priority_chart(view),
            "statuses": ActionStatus.choices,
        },
    )


PLAN_ITEMS: dict[str, tuple[type, Callable[[], type]]] = {
    "lever": (GrowthLever, lambda: account_forms.LeverForm),
    "objective": (PlanObjective, lambda: account_forms.ObjectiveForm),
}


@editing
def plan_item(request: HttpRequest, account: Account, plan_pk: int, kind: str) -> HttpResponse:
    """Add or remove a growth lever, an objective, an action or a whitespace cell."""
    plan = get_object_or_404(AccountPlan, pk=plan_pk, account=account)
    back = redirect(reverse("accounts:plan", args=[account.pk, plan.pk]) + f"#{kind}")
    user = request.user
    try:
        if kind in PLAN_ITEMS:
            model, form_class = PLAN_ITEMS[kind]
            if request.POST.get("remove"):
                item: Any = get_object_or_404(
                    model, pk=query_int(request.POST, "remove"), plan=plan
                )
                services.remove_plan_item(item, by=user)  # type: ignore[arg-type]
                return back
            form = form_class()(request.POST)
            if not form.is_valid():
                _flash_errors(request, form)
                return back
            services.add_plan_item(plan, model, by=user, **form.cleaned_data)  # type: ignore[arg-type]
        elif kind == "action":
            if request.POST.get("status"):
                action = get_object_or_404(
                    PlanAction, pk=query_int(request.POST, "action"), objective__plan=plan
                )
                services.set_action_status(action, status=request.POST["status"], by=user)  # type: ignore[arg-type]
                return back
            form = account_forms.ActionForm(request.POST, plan=plan)
            if not form.is_valid():
                _flash_errors(request, form)
                return back
            data = dict(form.cleaned_data)
            objective = data.pop("objective")
            services.add_action(objective, by=user, **data)  # type: ignore[arg-type]
        elif kind == "whitespace":
            form = account_forms.WhitespaceForm(request.POST)
            if not form.is_valid():
                _flash_errors(request, form)
                return back
            services.set_whitespace(plan, by=user, **form.cleaned_data)  # type: ignore[arg-type]
        else:
            raise Http404
    except ValidationError as error:
        _flash_errors(request, error)
        return back
    messages.success(request, _("Saved."))
    return back


def _priority_chart(view: selectors.PlanView) -> dict[str, Any]:
    colours = {"act_now": "#2e7d32", "wait": "#b35c00", "drop": "#8a8f98"}
    return {
        "grid": {"left": 50, "right": 20, "top": 20, "bottom": 45},
        "xAxis": {
            "name": _("Probability of success"),
            "nameLocation": "middle",
            "nameGap": 28,
            "min": 0,
            "max": 6,
            "interval": 1,
        },
        "yAxis": {
            "name": _("Attractiveness"),
            "nameLocation": "middle",
            "nameGap": 30,
            "min": 0,
            "max": 6,
            "interval": 1,
        },
        "tooltip": {"trigger": "item"},
        "series": [
            {
                "type": "scatter",
                "symbolSize": 18,
                "markLine": {
                    "silent": True,
                    "symbol": "none",
                    "lineStyle": {"type": "dashed", "color": "#aab"},
                    "data": [{"xAxis": 2.5}, {"yAxis": 2.5}],
                },
                "data": [
                    {
                        "value": [lever.probability, lever.attractiveness],
                        "name": lever.description[:40],
                        "itemStyle": {"color": colours[priority]},
                    }
                    for lever, priority in view.levers
                ],
            }
        ],
    }


# --- the value pyramid and the attack / defend matrix ------------------------------


@login_required
def pyramid(request: HttpRequest) -> HttpResponse:
    tier = request.GET.get("tier", "")
    result = selectors.value_pyramid(request.user, tier=tier)  # type: ignore[arg-type]
    url = reverse("accounts:pyramid")
    # The shares have a chart of their own beside it.
    chart = charts.pyramid(result, with_revenue_share=False)
    shares = {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 50, "right": 20, "top": 20, "bottom": 50},
        "xAxis": {"type": "category", "data": [row.label for row in result.rows]},
        "yAxis": {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "series": [
            {
                "name": name,
                "type": "bar",
                "data": [
                    {"value": float(getattr(row, attr) or 0), "url": f"{url}?tier={row.tier}"}
                    for row in result.rows
                ],
            }
            for name, attr in (
                (_("Share of accounts"), "account_share"),
                (_("Share of revenue"), "revenue_share"),
                (_("Share of profit"), "profit_share"),
            )
        ],
    }
    return render(
        request,
        "accounts/pyramid.html",
        {
            "pyramid": result,
            "tier": tier,
            "tier_label": dict(Tier.choices).get(tier, ""),
            "chart": chart,
            "shares": shares,
        },
    )


@login_required
def matrix(request: HttpRequest) -> HttpResponse:
    year = check_year(query_int(request.GET, "year") or timezone.localdate().year, "year")
    user = request.user
    can_plan = user.sees_everything or user.role == "manager"  # type: ignore[union-attr]
    form = account_forms.AllocationForm(request.POST or None)
    if request.method == "POST":
        if not can_plan:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.save_allocation(year=year, by=user, **form.cleaned_data)  # type: ignore[arg-type]
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect(f"{reverse('accounts:matrix')}?year={year}")
    points, unplaced, allocation = selectors.attack_defend_matrix(user, year=year)  # type: ignore[arg-type]
    rules = selectors.current_policy()
    colours = {
        "acquire": "#1565c0",
        "retain": "#2e7d32",
        "maintain": "#6d8f3a",
        "intrude": "#c0392b",
        "let_go": "#8a8f98",
    }
    # Each point opens its account: the address made once, not reversed per point (20,000
    # accounts for a director: 0.7 s of reverse()).
    detail_head, detail_tail = reverse("accounts:detail", args=[0]).rsplit("0", 1)
    chart = {
        "tooltip": {"trigger": "item", "formatter": "{b}"},
        "legend": {"bottom": 0},
        # Room for potentials of a billion and more, the axis's name beside them, and the
        # threshold's label at the right end of its line.
        "grid": {"left": 110, "right": 70, "top": 20, "bottom": 70},
        "xAxis": {
            "type": "value",
            "name": _("Share of wallet (%)"),
            "nameLocation": "middle",
            "nameGap": 28,
            "min": 0,
            "max": 100,
        },
        "yAxis": {
            "type": "log",
            "name": _("Purchase potential"),
            "nameLocation": "middle",
            "nameGap": 92,
        },
        "series": [
            {
                "name": str(label),
                "type": "scatter",
                "symbolSize": 10,
                "itemStyle": {"color": colours[value]},
                "data": [
                    {
                        "name": p.account.name,
                        "value": [float(p.share_pct), float(max(p.potential, Decimal(1)))],
                        "url": f"{detail_head}{p.account.pk}{detail_tail}",
                    }
                    for p in points
                    if p.strategy == value
                ],
                **(
                    {
                        "markLine": {
                            "silent": True,
                            "symbol": "none",
                            "lineStyle": {"type": "dashed", "color": "#99a"},
                            "data": [
                                {"xAxis": float(rules.high_share_from_pct)},
                                {"xAxis": float(rules.intrude_below_pct)},
                                {
                                    "yAxis": float(max(rules.high_potential_from, Decimal(1))),
                                    # The chart would print the raw number, 3000000.
                                    "label": {
                                        "formatter": intcomma(f"{rules.high_potential_from:.0f}")
                                    },
                                },
                            ],
                        }
                    }
                    if value == "acquire"
                    else {}
                ),
            }
            for value, label in Strategy.choices
        ],
    }
    return render(
        request,
        "accounts/matrix.html",
        {
            "chart": chart,
            "points": len(points),
            "unplaced": unplaced,
            "allocation": allocation,
            "year": year,
            "form": form,
            "can_plan": can_plan,
            "rules": rules,
        },
    )


@login_required
def qualification_settings(request: HttpRequest) -> HttpResponse:
    """The company's criteria weights and thresholds (admins edit, everyone reads)."""
    user = request.user
    criteria = selectors.criteria()
    criteria_form = account_forms.CriteriaForm(
        request.POST if request.POST.get("part") == "criteria" else None, criteria=criteria
    )
    policy_form = account_forms.PolicyForm(
        request.POST if request.POST.get("part") == "policy" else None,
        instance=selectors.current_policy(),
    )
    if request.method == "POST":
        if not user.is_kam_admin:  # type: ignore[union-attr]
            raise PermissionDenied
        form = criteria_form if request.POST.get("part") == "criteria" else policy_form
        if form.is_valid():
            try:
                if form is criteria_form:
                    services.update_criteria(criteria_form.values(), by=user)  # type: ignore[arg-type]
                else:
                    data = {k: v for k, v in policy_form.cleaned_data.items()}
                    services.update_policy(by=user, **data)  # type: ignore[arg-type]
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Saved. Scores change when an account is next assessed."),
                )
                return redirect("accounts:qualification_settings")
    return render(
        request,
        "accounts/qualification_settings.html",
        {
            "criteria_form": criteria_form,
            "policy_form": policy_form,
            "can_edit": user.is_kam_admin,  # type: ignore[union-attr]
        },
    )
