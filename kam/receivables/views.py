"""Receivables pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.accounts.models import Account
from kam.core.concurrency import ConflictError
from kam.core.models import User
from kam.core.params import query_int
from kam.forecasting.exports import respond
from kam.forecasting.scopes import resolve_scope, scope_choices
from kam.pipeline.models import Opportunity
from kam.receivables import calculations, charts, forms, permissions, selectors, services
from kam.receivables.models import (
    AccountCredit,
    Contract,
    CreditNote,
    Excuse,
    Invoice,
    Payment,
    WriteOff,
)
from kam.stakeholders.selectors import payment_approval_chain
from kam.ui import spreadsheets
from kam.ui.exports import add_sheet
from kam.ui.listing import Listing, paginate

OVERDUE_SORTS = {
    "weight": "weight",
    "amount": "open_amount",
    "days": "due_day",
    "account": "account__name",
    "due": "due_date",
}
INVOICE_SORTS = {"due": "due_date", "amount": "open_amount", "account": "account__name"}
CONTRACT_SORTS = {"signed": "signed_on", "amount": "amount", "account": "account__name"}
CHART_ROWS = 15
AGING_ROWS = 50


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _group(request: HttpRequest) -> str:
    group = request.GET.get("group", "account")
    return group if group in selectors.GROUPINGS else "account"


def _drill_url(group: str, key: Any, bucket: str) -> str:
    query = {"group": group, "bucket": bucket}
    if key not in (None, "all"):
        query["key"] = str(key)
    return f"{reverse('receivables:aging_invoices')}?{urlencode(query)}"


def aging_chart(report: selectors.AgingReport | selectors.AgingPage) -> dict[str, Any]:
    """A stacked bar per row (the heaviest first), one series per bucket; bars drill down."""
    labels = selectors.bucket_labels()
    group, rows = report.group, report.rows[:CHART_ROWS]
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 16, "bottom": 8, "top": 40, "containLabel": True},
        "xAxis": {"type": "category", "data": [r.label for r in rows]},
        "yAxis": {"type": "value"},
        "series": [
            {
                "name": labels[key],
                "type": "bar",
                "stack": "aging",
                "data": [
                    {
                        "value": float(getattr(r, key)),
                        "url": _drill_url(group, r.key, key),
                    }
                    for r in rows
                ],
            }
            for key in selectors.BUCKET_KEYS
        ],
    }


@dataclass(frozen=True)
class AgingCell:
    amount: Decimal
    url: str


def _aging_table(
    group: str, rows: list[selectors.AgingRow], totals: selectors.AgingRow
) -> list[tuple[selectors.AgingRow, list[AgingCell]]]:
    return [
        (row, [AgingCell(amount, _drill_url(group, row.key, key)) for key, amount in row.buckets])
        for row in [*rows, totals]
    ]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Who owes what since when: aging, DSO, broken promises and the deals read as cash (§6).

    The aging table shows one page of rows (the heaviest first, cut in the database)
    and the totals of all of them; the export has every row.
    """
    user = _user(request)
    group = _group(request)
    report = selectors.aging_page(user, group, request.GET.get("page"), AGING_ROWS)
    rows = report.rows
    # The chart shows the heaviest rows whichever page the table is on.
    charted = report
    if report.page.number > 1:
        charted = selectors.aging_page(user, group, 1, CHART_ROWS, report.today)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "receivables/index.html",
        {
            "report": report,
            "listing": Listing(page=report.page, sort="", querystring=params.urlencode()),
            "table": _aging_table(report.group, rows, report.totals),
            "bucket_labels": selectors.bucket_labels().values(),
            "chart": aging_chart(charted),
            "groups": [
                ("account", _("Account")),
                ("rep", _("Rep")),
                ("team", _("Team")),
                ("company", _("Company")),
            ],
            "dso": selectors.dso(user, report.today),
            "dso_days": selectors.DSO_DAYS,
            "side_panels": SIDE_PANELS,
        },
    )


# The aging page's side panels, each its own request (htmx, on load): the page's table
# comes first, and no one panel's reading holds up the others.
PANEL_CONTEXT: dict[str, Callable[[User], dict[str, Any]]] = {
    "alerts": lambda user: {"alerts": selectors.open_alerts(user)[:20]},
    "overdue": lambda user: {"overdue": selectors.overdue_invoices(user)[:10]},
    "to_contract": lambda user: {
        "to_contract": selectors.won_opportunities_without_contract(user)[:10]
    },
    "complete_sales": lambda user: {"by_rep": selectors.complete_sales_by_rep(user)},
}
SIDE_PANELS = {"left": ["alerts", "overdue", "to_contract"], "right": ["complete_sales"]}


@login_required
def panel(request: HttpRequest, name: str) -> HttpResponse:
    """One side panel of the aging page, for what the user may see."""
    build = PANEL_CONTEXT.get(name)
    if build is None:
        raise Http404
    return render(request, f"receivables/panels/{name}.html", build(_user(request)))


@login_required
def account_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx panel on the account 360 page: what the account owes, since when, its credit."""
    user = _user(request)
    try:
        account = selectors.visible_account(user, pk)
    except Account.DoesNotExist:
        raise Http404 from None
    panel = selectors.account_receivables(user, account)
    return render(
        request,
        "receivables/_account_panel.html",
        {
            "account": account,
            "panel": panel,
            "cells": [
                (label, amount, _drill_url("account", account.pk, key))
                for (key, amount), label in zip(
                    panel.aging.buckets, selectors.bucket_labels().values(), strict=True
                )
            ],
        },
    )


@login_required
def aging_invoices(request: HttpRequest) -> HttpResponse:
    """Drill-down: the invoices behind one cell of the aging table or chart."""
    group = _group(request)
    bucket = request.GET.get("bucket", "")
    invoices = selectors.aging_invoices(
        _user(request), bucket=bucket, group=group, key=request.GET.get("key")
    )
    listing = paginate(request, invoices, sorts=INVOICE_SORTS, default_sort="due")
    return render(
        request,
        "receivables/invoices.html",
        {"listing": listing, "bucket": selectors.bucket_labels().get(bucket, _("All buckets"))},
    )


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    """Overdue invoices, heaviest (amount × days overdue) first, with each debtor's type."""
    listing = paginate(
        request,
        selectors.overdue_invoices(_user(request)),
        sorts=OVERDUE_SORTS,
        default_sort="-weight",
    )
    types = selectors.debtor_types([i.account_id for i in listing.rows])
    for invoice in listing.rows:
        invoice.debtor = types[invoice.account_id]
    return render(request, "receivables/overdue.html", {"listing": listing})


@login_required
def contract_list(request: HttpRequest) -> HttpResponse:
    listing = paginate(
        request,
        selectors.contract_page(_user(request)),
        sorts=CONTRACT_SORTS,
        default_sort="-signed",
    )
    collected = selectors.collected_by_contract([c.pk for c in listing.rows])
    for contract in listing.rows:
        contract.collected = collected[contract.pk]
    return render(request, "receivables/contracts.html", {"listing": listing})


@login_required
def contract_create(request: HttpRequest, opportunity_pk: int) -> HttpResponse:
    """A won opportunity becomes a contract; the credit check may hold it for finance."""
    user = _user(request)
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
            _apply_errors(form, error)
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


def _apply_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _contract(request: HttpRequest, pk: int) -> Contract:
    try:
        return selectors.contract_detail(_user(request), pk)
    except Contract.DoesNotExist:
        raise Http404 from None


def _version(request: HttpRequest) -> int | None:
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


def _contract_page(
    request: HttpRequest, contract: Contract, bound: dict[str, Any] | None = None
) -> HttpResponse:
    """The contract and everything owed, paid, promised and said about it (§6)."""
    user = _user(request)
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
    write_offs = (
        WriteOff.objects.filter(invoice__contract=contract)
        .select_related("invoice", "requested_by", "decided_by")
        .order_by("-requested_at")
    )
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
            "today": timezone.localdate(),
        },
    )


@login_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _contract_page(request, _contract(request, pk))


def _add_installment(request: HttpRequest, contract: Contract, data: dict[str, Any]) -> str:
    services.add_installment(contract, by=_user(request), **data)
    return _("Installment added to the payment plan.")


def _issue_invoice(request: HttpRequest, contract: Contract, data: dict[str, Any]) -> str:
    invoice = services.issue_invoice(contract, by=_user(request), **data)
    return _("Invoice %(number)s issued.") % {"number": invoice.number}


def _record_payment(request: HttpRequest, contract: Contract, data: dict[str, Any]) -> str:
    payment = services.record_payment(account=contract.account, by=_user(request), **data)
    if payment.unapplied_amount > 0:
        return _(
            "Payment recorded; %(amount)s is more than was owed and is kept as unapplied credit."
        ) % {"amount": f"{payment.unapplied_amount:,.2f}"}
    return _("Payment recorded.")


def _issue_credit_note(request: HttpRequest, contract: Contract, data: dict[str, Any]) -> str:
    note = services.issue_credit_note(data.pop("invoice"), by=_user(request), **data)
    return _("Credit note %(number)s issued.") % {"number": note.number}


def _request_write_off(request: HttpRequest, contract: Contract, data: dict[str, Any]) -> str:
    services.request_write_off(data.pop("invoice"), by=_user(request), **data)
    return _("Write-off requested: it counts once finance approves it.")


def _record_promise(request: HttpRequest, contract: Contract, data: dict[str, Any]) -> str:
    promise = services.record_promise(contract.account, by=_user(request), **data)
    if promise.status == promise.Status.KEPT:
        return _("Promise recorded; the payments received already keep it.")
    return _("Promise to pay recorded.")


def _record_collection(request: HttpRequest, contract: Contract, data: dict[str, Any]) -> str:
    amount, due_on = data.pop("promise_amount"), data.pop("promise_due_on")
    promise = services.PromiseInput(amount=amount, due_on=due_on) if amount else None
    services.record_collection_contact(contract.account, by=_user(request), promise=promise, **data)
    return _("Collection contact recorded.")


def _set_credit(request: HttpRequest, contract: Contract, data: dict[str, Any]) -> str:
    credit = AccountCredit.objects.filter(account=contract.account).first()
    services.set_credit(
        contract.account,
        by=_user(request),
        expected_version=_version(request) if credit else None,
        **data,
    )
    return _("Credit settings saved.")


def _set_debtor_type(request: HttpRequest, contract: Contract, data: dict[str, Any]) -> str:
    services.set_debtor_type(contract.account, data["debtor_type"], by=_user(request))
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
def contract_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Every form of the contract page posts here; errors come back on the page, translated."""
    if action not in ACTIONS:
        raise Http404
    contract = _contract(request, pk)
    form_class, allowed, handler, anchor = ACTIONS[action]
    if not allowed(_user(request), contract):
        raise PermissionDenied
    kwargs = {"contract": contract} if action in CONTRACT_FORMS else {}
    form = form_class(request.POST, **kwargs)
    if form.is_valid():
        try:
            message = handler(request, contract, dict(form.cleaned_data))
        except services.ProbableDuplicate as error:
            _apply_errors(form, error)
            form.duplicate = error.existing
        except ValidationError as error:
            _apply_errors(form, error)
        except ConflictError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, message)
            return redirect(f"{reverse('receivables:contract', args=[contract.pk])}#{anchor}")
    return _contract_page(request, contract, {action: form})


@login_required
@require_POST
def release_hold(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    if not permissions.handles_money(_user(request)):
        raise PermissionDenied
    try:
        services.release_credit_hold(contract, by=_user(request))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Credit hold released: the contract can be invoiced."))
    return redirect("receivables:contract", contract.pk)


@login_required
@require_POST
def decide_write_off(request: HttpRequest, pk: int) -> HttpResponse:
    """Finance or a director approves or rejects; nobody approves their own request."""
    user = _user(request)
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


@login_required
@require_POST
def resolve_alert(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(selectors.open_alerts(_user(request)), pk=pk)
    services.resolve_alert(alert, by=_user(request))
    messages.success(request, _("Alert dealt with."))
    return redirect(request.POST.get("next") or reverse("receivables:index"))


def _payment(request: HttpRequest, pk: int) -> Payment:
    return get_object_or_404(selectors.visible_payments(_user(request)), pk=pk)


@login_required
def allocate(request: HttpRequest, pk: int) -> HttpResponse:
    """Spread a payment over the account's invoices by hand (finance)."""
    user = _user(request)
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
                payment, form.lines(), by=user, expected_version=_version(request)
            )
        except ValidationError as error:
            _apply_errors(form, error)
        except ConflictError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Allocation saved."))
            return redirect("receivables:allocate", payment.pk)
        version = _version(request) or payment.version
    return render(
        request,
        "receivables/allocate.html",
        {"payment": payment, "form": form, "version": version},
    )


@login_required
def excuse_response(request: HttpRequest) -> HttpResponse:
    """The recommended response to the excuse just picked (htmx partial)."""
    excuse_pk = query_int(request.GET, "excuse")
    excuse = Excuse.objects.filter(pk=excuse_pk).first() if excuse_pk is not None else None
    return render(request, "receivables/_excuse_response.html", {"excuse": excuse})


EXTRA_SALES_LOSSES = [Decimal(500), Decimal(1000), Decimal(2500), Decimal(5000)]
EXTRA_SALES_MARGINS = [Decimal(m) for m in (2, 3, 4, 5, 6)]


@login_required
def calculators(request: HttpRequest) -> HttpResponse:
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
            "margins": EXTRA_SALES_MARGINS,
            "table": table,
        },
    )


# --- Excel -------------------------------------------------------------------


@login_required
def export_aging(request: HttpRequest) -> HttpResponse:
    """The aging table of the page, same grouping, same numbers."""
    user = _user(request)
    report = selectors.aging(user, _group(request))
    book = spreadsheets.new_workbook()
    header = [_("Name"), *selectors.bucket_labels().values(), _("Total"), _("Overdue")]
    add_sheet(
        book,
        _("Aging"),
        header,
        [
            [row.label, *(amount for _key, amount in row.buckets), row.total, row.overdue]
            for row in [*report.rows, report.totals]
        ],
        money=range(2, len(header) + 1),
    )
    filename = f"aging-{report.group}-{report.today.isoformat()}.xlsx"
    return respond(book, filename, user=user, what=user)


@login_required
def export_overdue(request: HttpRequest) -> HttpResponse:
    """The whole overdue list, in the page's order."""
    user = _user(request)
    today = timezone.localdate()
    # Every row: joined in one query rather than prefetched by a list of every account.
    invoices = list(
        selectors.overdue_invoices(user, today)
        .prefetch_related(None)
        .select_related("account", "owner")
    )
    types = selectors.debtor_types([i.account_id for i in invoices], today)
    book = spreadsheets.new_workbook()
    add_sheet(
        book,
        _("Overdue"),
        [
            _("Invoice"),
            _("Account"),
            _("Owner"),
            _("Due date"),
            _("Days overdue"),
            _("Open"),
            _("Amount × days"),
            _("Debtor type"),
        ],
        [
            [
                i.number,
                i.account.name,
                str(i.owner or ""),
                i.due_date,
                i.days_overdue,
                i.open_amount,
                i.weight,
                types[i.account_id].label,
            ]
            for i in invoices
        ],
        money=[6, 7],
    )
    return respond(book, f"overdue-{today.isoformat()}.xlsx", user=user, what=user)


# --- cash forecast --------------------------------------------------------------------


def _cash_forecast(request: HttpRequest) -> tuple[selectors.CashForecast, str]:
    user = _user(request)
    error = ""
    try:
        scope = resolve_scope(user, request.GET.get("scope"))
    except ValidationError as exc:
        scope, error = resolve_scope(user, None), " ".join(exc.messages)
    granularity = request.GET.get("by", "month")
    return selectors.cash_forecast(user, scope, granularity), error


@login_required
def cash_forecast(request: HttpRequest) -> HttpResponse:
    """Expected collections per week or month, against the collection targets (§6)."""
    forecast, error = _cash_forecast(request)
    return render(
        request,
        "receivables/cash.html",
        {
            "forecast": forecast,
            "error": error,
            "chart": charts.cash(forecast),
            "scope_choices": scope_choices(_user(request)),
            "granularities": [("week", _("By week")), ("month", _("By month"))],
        },
    )


@login_required
def export_cash_forecast(request: HttpRequest) -> HttpResponse:
    """The cash forecast of the page, same scope, same buckets, same numbers."""
    user = _user(request)
    forecast, _error = _cash_forecast(request)
    book = spreadsheets.new_workbook()
    rows: list[list[Any]] = [
        [
            b.start,
            b.end,
            b.invoices,
            b.installments,
            b.pipeline,
            b.total,
            b.target,
        ]
        for b in [*forecast.buckets, forecast.totals]
    ]
    rows[-1][0:2] = [_("Total"), ""]
    add_sheet(
        book,
        _("Cash forecast"),
        [
            _("From"),
            _("To"),
            *(label for _key, label in charts.cash_source_labels()),
            _("Expected cash"),
            _("Collection target"),
        ],
        rows,
        money=range(3, 8),
    )
    filename = f"cash-forecast-{forecast.granularity}-{forecast.today.isoformat()}.xlsx"
    return respond(book, filename, user=user, what=user)
