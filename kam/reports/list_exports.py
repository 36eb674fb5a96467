"""What each list page exports: its filters, its selector, its sort whitelist, its columns.

Every entry rebuilds exactly the queryset the list page shows (same filter
parsing, same selector, so the same visibility) and hands it to
:func:`export_list` (same sort, capped, audited). No column reads personal information.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kam.core import audit
from kam.core.http import request_user
from kam.core.models import AuditEvent, Interface, User
from kam.ui import exports
from kam.ui.exports import Column, attr, display
from kam.ui.listing import sort_listing


@dataclass(frozen=True)
class ListExport:
    title: Any
    rows: Callable[[HttpRequest, User], QuerySet[Any]]
    columns: Callable[[], Sequence[Column]]
    sorts: Callable[[], dict[str, str]]
    default_sort: str


def _accounts(request: HttpRequest, user: User) -> QuerySet[Any]:
    from kam.accounts import selectors

    return selectors.account_list(user, selectors.AccountFilters.from_params(request.GET))


def _account_sorts() -> dict[str, str]:
    from kam.accounts.views import SORTS

    return SORTS


def _account_columns() -> list[Column]:
    return [
        Column(_("Account"), attr("name")),
        Column(_("Parent company"), attr("parent.name")),
        Column(_("Tier"), display("tier")),
        Column(_("Score"), attr("qualification_score")),
        Column(_("Segment"), display("segment")),
        Column(_("Industry"), display("industry")),
        Column(_("City"), attr("city")),
        Column(_("Owner"), attr("owner")),
        Column(_("Open deals"), attr("open_opportunities")),
        Column(_("Open amount"), attr("open_amount"), money=True),
    ]


def _people(request: HttpRequest, user: User) -> QuerySet[Any]:
    from kam.stakeholders import selectors

    return selectors.contact_list(user, request.GET.get("q", "").strip())


def _people_sorts() -> dict[str, str]:
    from kam.stakeholders.views import SORTS

    return SORTS


def _people_columns() -> list[Column]:
    # The business card only: personal information (kam.stakeholders.PersonalInfo) never.
    return [
        Column(_("Name"), attr("name")),
        Column(_("Title"), attr("title")),
        Column(_("Department"), attr("department")),
        Column(_("Level"), display("level")),
        Column(_("Reports to"), attr("reports_to.name")),
        Column(_("Account"), attr("account.name")),
        Column(_("Has left the company"), attr("has_left")),
    ]


def _opportunities(request: HttpRequest, user: User) -> QuerySet[Any]:
    from kam.pipeline import selectors

    return selectors.opportunity_list(user, selectors.OpportunityFilters.from_params(request.GET))


def _opportunity_sorts() -> dict[str, str]:
    from kam.pipeline.views import SORTS

    return SORTS


def _opportunity_columns() -> list[Column]:
    return [
        Column(_("Name"), attr("name")),
        Column(_("Account"), attr("account.name")),
        Column(_("Stage"), attr("stage.name")),
        Column(_("Status"), display("status")),
        Column(_("Amount"), attr("amount"), money=True),
        Column(_("Currency"), attr("currency")),
        Column(_("Expected close"), attr("expected_close_date")),
        Column(_("Closed on"), attr("closed_on")),
        Column(_("Owner"), attr("owner")),
    ]


def _activities(request: HttpRequest, user: User) -> QuerySet[Any]:
    from kam.activities import selectors

    return selectors.filtered_activities(user, selectors.ActivityFilters.from_params(request.GET))


def _activity_sorts() -> dict[str, str]:
    from kam.activities.views import SORTS

    return SORTS


def _activity_columns() -> list[Column]:
    return [
        Column(_("When"), attr("starts_at")),
        Column(_("Kind"), display("kind")),
        Column(_("Account"), attr("account.name")),
        Column(_("Opportunity"), attr("opportunity.name")),
        Column(_("Objective"), attr("objective")),
        Column(_("Status"), display("status")),
        Column(_("Outcome"), display("outcome")),
        Column(_("Owner"), attr("owner")),
    ]


def _contracts(request: HttpRequest, user: User) -> QuerySet[Any]:
    from kam.receivables import selectors

    return selectors.contract_list(user)


def _contract_sorts() -> dict[str, str]:
    from kam.receivables.views import CONTRACT_SORTS

    return CONTRACT_SORTS


def _contract_columns() -> list[Column]:
    return [
        Column(_("Contract number"), attr("number")),
        Column(_("Name"), attr("name")),
        Column(_("Account"), attr("account.name")),
        Column(_("Owner"), attr("owner")),
        Column(_("Signed on"), attr("signed_on")),
        Column(_("Amount"), attr("amount"), money=True),
        Column(_("Collected"), attr("collected"), money=True),
        Column(_("Credit status"), display("credit_status")),
    ]


def _invoices(request: HttpRequest, user: User) -> QuerySet[Any]:
    from kam.receivables import selectors

    group = request.GET.get("group", "company")
    if group not in selectors.GROUPINGS:
        group = "company"
    return selectors.aging_invoices(
        user, bucket=request.GET.get("bucket", ""), group=group, key=request.GET.get("key")
    )


def _invoice_sorts() -> dict[str, str]:
    from kam.receivables.views import INVOICE_SORTS

    return INVOICE_SORTS


def _invoice_columns() -> list[Column]:
    return [
        Column(_("Invoice"), attr("number")),
        Column(_("Account"), attr("account.name")),
        Column(_("Contract"), attr("contract.number")),
        Column(_("Owner"), attr("owner")),
        Column(_("Issued on"), attr("issued_on")),
        Column(_("Due date"), attr("due_date")),
        Column(_("Days overdue"), lambda i: max(i.days_overdue, 0)),
        Column(_("Amount"), attr("amount"), money=True),
        Column(_("Open"), attr("open_amount"), money=True),
    ]


EXPORTS: dict[str, ListExport] = {
    "accounts": ListExport(_("Accounts"), _accounts, _account_columns, _account_sorts, "name"),
    "people": ListExport(
        _("People at customers"), _people, _people_columns, _people_sorts, "account"
    ),
    "opportunities": ListExport(
        _("Opportunities"), _opportunities, _opportunity_columns, _opportunity_sorts, "close"
    ),
    "activities": ListExport(
        _("Activities"), _activities, _activity_columns, _activity_sorts, "-when"
    ),
    "contracts": ListExport(
        _("Contracts"), _contracts, _contract_columns, _contract_sorts, "-signed"
    ),
    "invoices": ListExport(_("Open invoices"), _invoices, _invoice_columns, _invoice_sorts, "due"),
}


def export_list(
    request: HttpRequest,
    queryset: QuerySet[Any],
    columns: Sequence[Column],
    *,
    name: str,
    title: str,
    sorts: dict[str, str] | None = None,
    default_sort: str = "",
    max_rows: int | None = None,
) -> HttpResponse:
    """The list's rows (filtered as on screen, sorted by ``?sort=`` as on screen) as .xlsx.

    Every page of them in the page's order, up to :data:`kam.ui.exports.MAX_ROWS` (a note
    says when the list was cut); each export is recorded in the audit trail.
    """
    max_rows = max_rows or exports.MAX_ROWS
    if sorts:
        _sort, queryset = sort_listing(request, queryset, sorts=sorts, default_sort=default_sort)
    rows = queryset[: max_rows + 1].iterator(chunk_size=exports.CHUNK)
    cut = False

    def capped() -> Any:
        nonlocal cut
        for index, row in enumerate(rows):
            if index == max_rows:
                cut = True
                return
            yield row

    def note() -> str:
        if not cut:
            return ""
        return gettext(
            "Only the first %(count)s rows are exported; narrow the filters for the rest."
        ) % {"count": f"{max_rows:,}"}

    content, count = exports.workbook_bytes(title, columns, capped(), note=note)
    user = request_user(request)
    audit.record(
        AuditEvent.Action.EXPORT,
        user,
        by=user,
        via=Interface.WEB,
        changes={"list": name, "rows": count, "query": request.GET.urlencode()[:500]},
    )
    stamp = timezone.localdate().isoformat()
    return exports.xlsx_response(content, f"{name}-{stamp}.xlsx")
