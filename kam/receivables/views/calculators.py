"""The collection calculators (DOMAIN.md §6): bad debt in extra sales, the cost of late
payment, a sale read as cash (the Zhang Yi case). The API answers the same
(:mod:`kam.receivables.calculators_api`)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from kam.core.http import AuthenticatedHttpRequest
from kam.receivables import calculations, forms

EXTRA_SALES_LOSSES = [Decimal(500), Decimal(600), Decimal(1000), Decimal(2500), Decimal(5000)]
EXTRA_SALES_MARGINS = [Decimal(m) for m in (2, 3, 4, 5, 6)]


@login_required
def calculators(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Bad debt → extra sales needed, and the financing cost of late payment (§6)."""
    extra_form = forms.ExtraSalesForm(request.GET if "loss" in request.GET else None)
    extra = None
    if extra_form.is_bound and extra_form.is_valid():
        extra = calculations.extra_sales_needed(
            extra_form.cleaned_data["loss"], extra_form.cleaned_data["net_margin_pct"]
        )
    cost_form = forms.FinancingCostForm(request.GET if "days_late" in request.GET else None)
    cost = profit_left = None
    if cost_form.is_bound and cost_form.is_valid():
        data = cost_form.cleaned_data
        cost = calculations.financing_cost(
            data["amount"], data["annual_rate_pct"], data["days_late"]
        )
        if data["net_profit"] is not None:
            profit_left = data["net_profit"] - cost
    sale_form = forms.CashPositionForm(request.GET if "collected" in request.GET else None)
    sale = None
    if sale_form.is_bound and sale_form.is_valid():
        data = sale_form.cleaned_data
        sale = calculations.complete_sale(
            data["amount"], data["gross_margin_pct"], data["collected"]
        )
    table = [
        (loss, [calculations.extra_sales_needed(loss, m) for m in EXTRA_SALES_MARGINS])
        for loss in EXTRA_SALES_LOSSES
    ]
    return render(
        request,
        "receivables/calculators.html",
        {
            "extra_form": extra_form,
            "extra": extra,
            "cost_form": cost_form,
            "cost": cost,
            "profit_left": profit_left,
            "sale_form": sale_form,
            "sale": sale,
            "margins": EXTRA_SALES_MARGINS,
            "table": table,
        },
    )
