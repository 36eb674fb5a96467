"""The value pyramid, the attack / defend matrix and the company's qualification rules
(DOMAIN.md §1.2-§1.4)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts import charts, selectors, services
from kam.accounts import forms as account_forms
from kam.accounts.models import Strategy, Tier
from kam.core.forms import apply_errors
from kam.core.http import AuthenticatedHttpRequest
from kam.core.models import Role
from kam.core.params import check_year, query_int


@login_required
def pyramid(request: AuthenticatedHttpRequest) -> HttpResponse:
    tier = request.GET.get("tier", "")
    result = selectors.value_pyramid(request.user, tier=tier)
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
def matrix(request: AuthenticatedHttpRequest) -> HttpResponse:
    year = check_year(query_int(request.GET, "year") or timezone.localdate().year, "year")
    user = request.user
    can_plan = user.sees_everything or user.role == Role.MANAGER
    form = account_forms.AllocationForm(request.POST or None)
    if request.method == "POST":
        if not can_plan:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.save_allocation(year=year, by=user, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect(f"{reverse('accounts:matrix')}?year={year}")
    points, unplaced, allocation = selectors.attack_defend_matrix(user, year=year)
    rules = selectors.current_policy()
    colours = {
        "acquire": "#1565c0",
        "retain": "#2e7d32",
        "maintain": "#6d8f3a",
        "intrude": "#c0392b",
        "let_go": "#8a8f98",
    }
    # Each point opens its account: the address made once, not reversed per point (a
    # director's matrix has a point for every account).
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
def qualification_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
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
        if not user.is_kam_admin:
            raise PermissionDenied
        form = criteria_form if request.POST.get("part") == "criteria" else policy_form
        if form.is_valid():
            try:
                if form is criteria_form:
                    services.update_criteria(criteria_form.values(), by=user)
                else:
                    data = {k: v for k, v in policy_form.cleaned_data.items()}
                    services.update_policy(by=user, **data)
            except ValidationError as error:
                apply_errors(form, error)
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
            "can_edit": user.is_kam_admin,
        },
    )
