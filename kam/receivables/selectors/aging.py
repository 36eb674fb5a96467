"""Aging and DSO (DOMAIN.md §6): who owes what since when, summed in the database (one
grouped query with a filtered sum per bucket on the days overdue)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, overload

from django.core.paginator import Page, Paginator
from django.db.models import Case, CharField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from kam.accounts.models import Account
from kam.core.models import User
from kam.core.params import parse_int
from kam.receivables import calculations
from kam.receivables.models import ZERO, Invoice
from kam.receivables.selectors.scope import (
    MONEY,
    OverdueAnnotations,
    open_invoices,
    today_or_now,
    visible_invoices,
    with_overdue,
)

if TYPE_CHECKING:  # django-stubs-ext is a development dependency
    from django_stubs_ext import WithAnnotations


BUCKET_KEYS = calculations.BUCKET_KEYS
DSO_DAYS = 90


# grouping → (id field, label fields); "company" is one row.
GROUPINGS: dict[str, tuple[str, tuple[str, ...]]] = {
    "account": ("account_id", ("account__name",)),
    "rep": ("owner_id", ("owner__last_name", "owner__first_name", "owner__username")),
    "team": ("owner__team_id", ("owner__team__name",)),
    "company": ("", ()),
}


def _bucket_q(bucket: str, today: date) -> Q:
    """Invoices in ``bucket``: days overdue = today − due day, compared on the stored ordinal."""
    today_day = today.toordinal()
    for key, low, high in calculations.BUCKETS:
        if key == bucket:
            query = Q(due_day__lte=today_day - low)
            if high is not None:
                query &= Q(due_day__gte=today_day - high)
            return query
    raise ValueError(bucket)


def bucket_sums(today: date) -> dict[str, Any]:
    # SUM(...) FILTER (WHERE ...) rather than SUM(CASE ...): no per-row CASE and casts.
    return {
        key: Coalesce(Sum("open_amount", filter=_bucket_q(key, today)), ZERO, output_field=MONEY)
        for key in BUCKET_KEYS
    }


@dataclass
class AgingRow:
    key: int | str | None
    label: str
    current: Decimal = ZERO
    d1_30: Decimal = ZERO
    d31_60: Decimal = ZERO
    d61_90: Decimal = ZERO
    over_90: Decimal = ZERO

    @property
    def buckets(self) -> list[tuple[str, Decimal]]:
        return [(key, getattr(self, key)) for key in BUCKET_KEYS]

    @property
    def total(self) -> Decimal:
        return sum((amount for _key, amount in self.buckets), ZERO)

    @property
    def overdue(self) -> Decimal:
        return self.total - self.current


@dataclass
class AgingReport:
    group: str
    today: date
    rows: list[AgingRow]
    totals: AgingRow = field(default_factory=lambda: AgingRow(None, ""))


def bucket_labels() -> dict[str, str]:
    return {
        "current": _("Current"),
        "d1_30": _("1–30 days"),
        "d31_60": _("31–60 days"),
        "d61_90": _("61–90 days"),
        "over_90": _("Over 90 days"),
    }


def group_label(group: str, values: Mapping[str, Any]) -> str:
    if group == "rep":
        name = f"{values['owner__last_name'] or ''}{values['owner__first_name'] or ''}"
        return name or values["owner__username"] or _("No owner")
    if group == "team":
        return values["owner__team__name"] or _("No team")
    if group == "account":
        return values["account__name"]
    return _("Company")


def _aging_totals(invoices: QuerySet[Invoice], today: date) -> AgingRow:
    return AgingRow("all", _("Total"), **invoices.aggregate(**bucket_sums(today)))


def aging_groups(user: User, group: str, today: date | None = None) -> QuerySet[Any]:
    """One row of bucket sums per account, rep or team, ordered in the database: most
    overdue first, then the largest total, then the name (a page is a LIMIT, not a sort
    of every row in Python). Read each row with :func:`aging_row`."""
    today = today_or_now(today)
    key_field, label_fields = GROUPINGS[group]
    overdue = Sum("open_amount", filter=Q(due_day__lt=today.toordinal()))
    sums = {
        **bucket_sums(today),
        "overdue": Coalesce(overdue, ZERO, output_field=MONEY),
        "total": Coalesce(Sum("open_amount"), ZERO, output_field=MONEY),
    }
    # Grouped on the key column alone (for accounts in the index's order), each label
    # read once per row rather than joined to every invoice.
    labels = {
        label: Subquery(
            model.objects.filter(pk=OuterRef(key_field)).order_by().values(column)[:1],
            output_field=CharField(),
        )
        for label, (model, column) in _label_sources(group).items()
    }
    return (
        open_invoices(user)
        .values(key_field)
        .annotate(**sums)
        .annotate(**labels)
        .order_by("-overdue", "-total", *label_fields, key_field)
    )


def _label_sources(group: str) -> dict[str, tuple[Any, str]]:
    from kam.core.models import Team

    sources: dict[str, dict[str, tuple[Any, str]]] = {
        "account": {"account__name": (Account, "name")},
        "rep": {
            "owner__last_name": (User, "last_name"),
            "owner__first_name": (User, "first_name"),
            "owner__username": (User, "username"),
        },
        "team": {"owner__team__name": (Team, "name")},
    }
    return sources[group]


def aging_group_count(user: User, group: str) -> int:
    """How many rows :func:`aging_groups` has (labels follow from the key)."""
    key_field = GROUPINGS[group][0]
    return open_invoices(user).values(key_field).order_by().distinct().count()


def aging_row(group: str, values: Mapping[str, Any]) -> AgingRow:
    key_field = GROUPINGS[group][0]
    amounts = {key: values[key] for key in BUCKET_KEYS}
    return AgingRow(values[key_field], group_label(group, values), **amounts)


def aging(user: User, group: str = "company", today: date | None = None) -> AgingReport:
    """Open receivables by bucket per account, rep or team (every row, heaviest first, as
    the export needs them) or for the company: one query."""
    today = today_or_now(today)
    if group not in GROUPINGS:
        group = "company"
    if group == "company":
        totals = _aging_totals(open_invoices(user), today)
        return AgingReport(group, today, [replace(totals, label=group_label(group, {}))], totals)
    rows = [aging_row(group, values) for values in aging_groups(user, group, today)]
    totals = AgingRow("all", _("Total"))
    for key in BUCKET_KEYS:
        setattr(totals, key, sum((getattr(r, key) for r in rows), ZERO))
    return AgingReport(group=group, today=today, rows=rows, totals=totals)


@dataclass
class AgingPage:
    """One page of the aging table: its rows, how many rows there are, the totals of all."""

    group: str
    today: date
    page: Page[AgingRow]
    totals: AgingRow

    @property
    def rows(self) -> list[AgingRow]:
        return list(self.page.object_list)

    @property
    def count(self) -> int:
        return self.page.paginator.count


class _AgingRows(Sequence[AgingRow]):
    """The grouped rows as the paginator reads them: a count, and slices cut in SQL."""

    def __init__(self, user: User, group: str, rows: QuerySet[Any]) -> None:
        self.user, self.group, self.queryset = user, group, rows

    def count(self) -> int:  # type: ignore[override]
        return aging_group_count(self.user, self.group)

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> AgingRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[AgingRow]: ...
    def __getitem__(self, index: int | slice) -> AgingRow | list[AgingRow]:
        if isinstance(index, slice):
            return [aging_row(self.group, values) for values in self.queryset[index]]
        return aging_row(self.group, self.queryset[index])


AGING_PAGE_ROWS = 50


def aging_page(
    user: User,
    group: str = "account",
    page: int | str | None = 1,
    per_page: int = AGING_PAGE_ROWS,
    today: date | None = None,
) -> AgingPage:
    """The aging page: totals (one aggregate), the row count and one page of rows in the
    database's order, three queries whatever the number of accounts."""
    today = today_or_now(today)
    if group not in GROUPINGS:
        group = "company"
    totals = _aging_totals(open_invoices(user), today)
    rows: Sequence[AgingRow]
    if group == "company":
        rows = [replace(totals, label=group_label(group, {}))]
    else:
        rows = _AgingRows(user, group, aging_groups(user, group, today))
    return AgingPage(
        group=group,
        today=today,
        page=Paginator(rows, per_page).get_page(page),
        totals=totals,
    )


def aging_invoices(
    user: User,
    *,
    bucket: str,
    group: str = "company",
    key: str | None = None,
    today: date | None = None,
) -> QuerySet[WithAnnotations[Invoice, OverdueAnnotations]]:
    """Drill-down: the open invoices behind one cell of the aging table."""
    today = today_or_now(today)
    invoices = visible_invoices(user).filter(open_amount__gt=0)
    if bucket in BUCKET_KEYS:
        invoices = invoices.filter(_bucket_q(bucket, today))
    key_field = GROUPINGS.get(group, ("", ()))[0]
    if key_field and key not in (None, "", "all"):
        if key == "None":
            invoices = invoices.filter(**{f"{key_field}__isnull": True})
        else:
            # The key is an id: one beyond range is refused, one that is no number
            # names nothing.
            key_id = parse_int(key, "key")
            invoices = (
                invoices.filter(**{key_field: key_id}) if key_id is not None else invoices.none()
            )
    return with_overdue(invoices, today).select_related("account", "owner", "contract")


# --- DSO ----------------------------------------------------------------------


def _dso_sums(today: date, days: int) -> dict[str, Any]:
    since = today - timedelta(days=days)
    return {
        "open": Coalesce(Sum("open_amount"), ZERO, output_field=MONEY),
        "sales": Coalesce(
            Sum(Case(When(issued_on__gt=since, then=F("amount")), default=Value(ZERO))),
            ZERO,
            output_field=MONEY,
        ),
    }


def dso(user: User, today: date | None = None, days: int = DSO_DAYS) -> Decimal | None:
    """Overall days sales outstanding over the last ``days`` days of invoicing."""
    today = today_or_now(today)
    # Two aggregates, each over an index holding what it reads (the open invoices;
    # the invoices issued since), rather than one over every invoice ever issued.
    open_sum = open_invoices(user).aggregate(
        s=Coalesce(Sum("open_amount"), ZERO, output_field=MONEY)
    )["s"]
    since = today - timedelta(days=days)
    sales = (
        visible_invoices(user)
        .filter(issued_on__gt=since)
        .aggregate(s=Coalesce(Sum("amount"), ZERO, output_field=MONEY))["s"]
    )
    return calculations.days_sales_outstanding(open_sum, sales, days)


def dso_by_account(
    user: User,
    account_ids: list[int] | None = None,
    today: date | None = None,
    days: int = DSO_DAYS,
) -> dict[int, Decimal | None]:
    today = today_or_now(today)
    invoices = visible_invoices(user)
    if account_ids is not None:
        invoices = invoices.filter(account_id__in=account_ids)
    sums = _dso_sums(today, days)
    rows = invoices.values("account_id").annotate(open=sums["open"], sales=sums["sales"]).order_by()
    return {
        r["account_id"]: calculations.days_sales_outstanding(r["open"], r["sales"], days)
        for r in rows
    }
