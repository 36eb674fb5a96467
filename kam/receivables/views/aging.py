"""The aging page and what hangs off it: its side panels, the drill-down, the overdue list,
the account's panel and their spreadsheets (DOMAIN.md §6)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.models import Account
from kam.core.http import AuthenticatedHttpRequest
from kam.core.models import User
from kam.forecasting.exports import respond
from kam.receivables import charts, selectors
from kam.receivables.selectors import playbook
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
AGING_ROWS = 50


def _group(request: AuthenticatedHttpRequest) -> str:
    group = request.GET.get("group", "account")
    return group if group in selectors.GROUPINGS else "account"


@dataclass(frozen=True)
class AgingCell:
    amount: Decimal
    url: str


def _aging_table(
    group: str, rows: list[selectors.AgingRow], totals: selectors.AgingRow
) -> list[tuple[selectors.AgingRow, list[AgingCell]]]:
    return [
        (
            row,
            [
                AgingCell(amount, charts.aging_drill_url(group, row.key, key))
                for key, amount in row.buckets
            ],
        )
        for row in [*rows, totals]
    ]


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Who owes what since when: aging, DSO, broken promises and the deals read as cash (§6).

    The aging table shows one page of rows (the heaviest first, cut in the database)
    and the totals of all of them; the export has every row.
    """
    user = request.user
    group = _group(request)
    report = selectors.aging_page(user, group, request.GET.get("page"), AGING_ROWS)
    rows = report.rows
    # The chart shows the heaviest rows whichever page the table is on.
    charted = report
    if report.page.number > 1:
        charted = selectors.aging_page(user, group, 1, charts.CHART_ROWS, report.today)
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
            "chart": charts.aging(charted),
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
def panel(request: AuthenticatedHttpRequest, name: str) -> HttpResponse:
    """One side panel of the aging page, for what the user may see."""
    build = PANEL_CONTEXT.get(name)
    if build is None:
        raise Http404
    return render(request, f"receivables/panels/{name}.html", build(request.user))


@login_required
def account_panel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """htmx panel on the account 360 page: what the account owes, since when, its credit."""
    user = request.user
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
                (label, amount, charts.aging_drill_url("account", account.pk, key))
                for (key, amount), label in zip(
                    panel.aging.buckets, selectors.bucket_labels().values(), strict=True
                )
            ],
        },
    )


@login_required
def aging_invoices(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Drill-down: the invoices behind one cell of the aging table or chart."""
    group = _group(request)
    bucket = request.GET.get("bucket", "")
    invoices = selectors.aging_invoices(
        request.user, bucket=bucket, group=group, key=request.GET.get("key")
    )
    listing = paginate(request, invoices, sorts=INVOICE_SORTS, default_sort="due")
    return render(
        request,
        "receivables/invoices.html",
        {"listing": listing, "bucket": selectors.bucket_labels().get(bucket, _("All buckets"))},
    )


@login_required
def overdue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Overdue invoices, heaviest (amount × days overdue) first, with each debtor's type."""
    listing = paginate(
        request,
        selectors.overdue_invoices(request.user),
        sorts=OVERDUE_SORTS,
        default_sort="-weight",
    )
    types = selectors.debtor_types([i.account_id for i in listing.rows])
    rate = playbook.financing_rate_pct()
    prefetch_related_objects(listing.rows, "contract")
    for invoice in listing.rows:
        invoice.debtor = types[invoice.account_id]
        invoice.cost = playbook.cost_of_invoice(invoice, invoice.days_overdue, rate)
    return render(request, "receivables/overdue.html", {"listing": listing, "rate": rate})


@login_required
def export_aging(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The aging table of the page, same grouping, same numbers."""
    user = request.user
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
def export_overdue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The whole overdue list, in the page's order."""
    user = request.user
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
