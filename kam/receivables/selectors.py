"""Reads that feed the receivables pages, API and exports (DOMAIN.md §6).

Every function starts from the one visibility rule: finance and directors see
every receivable, managers their subtree's, reps their accounts'. Totals are
computed in the database (aging is one grouped query with a CASE per bucket
on the days overdue), so the number of queries does not grow with rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict, overload

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts import calculations as account_calculations
from kam.accounts.models import Account
from kam.accounts.selectors import ReceivablesFacts
from kam.accounts.visibility import (
    scope_to_visible_accounts,
    sees_all_accounts,
    visible_accounts,
)
from kam.core.models import User
from kam.core.params import parse_int
from kam.pipeline.models import Opportunity, Status
from kam.receivables import calculations, cash
from kam.receivables.models import (
    ZERO,
    AccountCredit,
    CollectionAlert,
    CollectionContact,
    Contract,
    Invoice,
    Payment,
    PaymentHabitsAsOf,
    PaymentPromise,
    WriteOff,
)

if TYPE_CHECKING:  # django-stubs-ext is a development dependency
    from django_stubs_ext import WithAnnotations

    from kam.forecasting.scopes import Scope

MONEY = DecimalField(max_digits=18, decimal_places=2)
BUCKET_KEYS = calculations.BUCKET_KEYS
DSO_DAYS = 90


def _today(today: date | None) -> date:
    return today or timezone.localdate()


# --- what a user may see ------------------------------------------------------


def visible_contracts(user: User) -> QuerySet[Contract]:
    return scope_to_visible_accounts(Contract.objects.all(), user)


def visible_invoices(user: User) -> QuerySet[Invoice]:
    return scope_to_visible_accounts(Invoice.objects.all(), user)


def visible_payments(user: User) -> QuerySet[Payment]:
    return scope_to_visible_accounts(Payment.objects.all(), user)


def visible_promises(user: User) -> QuerySet[PaymentPromise]:
    return scope_to_visible_accounts(PaymentPromise.objects.all(), user)


def visible_write_offs(user: User) -> QuerySet[WriteOff]:
    return scope_to_visible_accounts(WriteOff.objects.all(), user, "invoice__account")


def contract_detail(user: User, pk: int) -> Contract:
    """One contract the user may see (``Contract.DoesNotExist`` otherwise)."""
    return visible_contracts(user).select_related("account", "owner", "opportunity").get(pk=pk)


def _collected() -> Subquery:
    paid = (
        Invoice.objects.filter(contract=OuterRef("pk"))
        .values("contract")
        .annotate(s=Sum("paid_amount"))
        .values("s")
    )
    return Subquery(paid, output_field=MONEY)


def contract_list(user: User) -> QuerySet[Contract]:
    """Every visible contract with what its invoices collected (the export reads them all)."""
    return (
        visible_contracts(user)
        .select_related("account", "owner")
        .annotate(collected=Coalesce(_collected(), ZERO))
    )


def contract_page(user: User) -> QuerySet[Contract]:
    """The contract list as a page reads it: sorted and cut before anything else is read,
    account and owner prefetched for the page's rows; :func:`collected_by_contract` adds
    what was collected."""
    return visible_contracts(user).prefetch_related("account", "owner")


def collected_by_contract(contract_ids: list[int]) -> dict[int, Decimal]:
    """What the invoices of each contract collected, one query."""
    rows = (
        Invoice.objects.filter(contract_id__in=contract_ids)
        .values("contract_id")
        .annotate(s=Sum("paid_amount"))
        .order_by()
        .values_list("contract_id", "s")
    )
    return {pk: ZERO for pk in contract_ids} | {pk: s or ZERO for pk, s in rows}


def won_opportunities_without_contract(user: User) -> QuerySet[Opportunity]:
    """Won deals of visible accounts still waiting to become a contract."""
    return (
        scope_to_visible_accounts(Opportunity.objects.filter(status=Status.WON), user)
        .filter(contract__isnull=True)
        .select_related("account")
        .order_by("-closed_on", "-pk")
    )


# --- aging --------------------------------------------------------------------

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


def _bucket_sums(today: date) -> dict[str, Any]:
    # SUM(...) FILTER (WHERE ...) rather than SUM(CASE ...): no per-row CASE and casts.
    return {
        key: Coalesce(Sum("open_amount", filter=_bucket_q(key, today)), ZERO, output_field=MONEY)
        for key in BUCKET_KEYS
    }


def _open_invoices(user: User) -> QuerySet[Invoice]:
    """Invoices with something left to pay; ``open_amount > 0`` is the condition of the
    partial index ``recv_invoice_open_aging``, which holds every column aging reads."""
    return visible_invoices(user).filter(open_amount__gt=0)


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


def _label(group: str, values: Mapping[str, Any]) -> str:
    if group == "rep":
        name = f"{values['owner__last_name'] or ''}{values['owner__first_name'] or ''}"
        return name or values["owner__username"] or _("No owner")
    if group == "team":
        return values["owner__team__name"] or _("No team")
    if group == "account":
        return values["account__name"]
    return _("Company")


def _aging_totals(invoices: QuerySet[Invoice], today: date) -> AgingRow:
    return AgingRow("all", _("Total"), **invoices.aggregate(**_bucket_sums(today)))


def aging_groups(user: User, group: str, today: date | None = None) -> QuerySet[Any]:
    """One row of bucket sums per account, rep or team, ordered in the database: most
    overdue first, then the largest total, then the name (a page is a LIMIT, not a sort
    of every row in Python). Read each row with :func:`aging_row`."""
    today = _today(today)
    key_field, label_fields = GROUPINGS[group]
    overdue = Sum("open_amount", filter=Q(due_day__lt=today.toordinal()))
    sums = {
        **_bucket_sums(today),
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
        _open_invoices(user)
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
    return _open_invoices(user).values(key_field).order_by().distinct().count()


def aging_row(group: str, values: Mapping[str, Any]) -> AgingRow:
    key_field = GROUPINGS[group][0]
    amounts = {key: values[key] for key in BUCKET_KEYS}
    return AgingRow(values[key_field], _label(group, values), **amounts)


def aging(user: User, group: str = "company", today: date | None = None) -> AgingReport:
    """Open receivables by bucket per account, rep or team (every row, heaviest first, as
    the export needs them) or for the company: one query."""
    today = _today(today)
    if group not in GROUPINGS:
        group = "company"
    if group == "company":
        totals = _aging_totals(_open_invoices(user), today)
        return AgingReport(group, today, [replace(totals, label=_label(group, {}))], totals)
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
    today = _today(today)
    if group not in GROUPINGS:
        group = "company"
    totals = _aging_totals(_open_invoices(user), today)
    rows: Sequence[AgingRow]
    if group == "company":
        rows = [replace(totals, label=_label(group, {}))]
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
) -> QuerySet[WithAnnotations[Invoice, _OverdueAnnotations]]:
    """Drill-down: the open invoices behind one cell of the aging table."""
    today = _today(today)
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
    return _with_overdue(invoices, today).select_related("account", "owner", "contract")


# --- overdue list and debtor types --------------------------------------------


class _OverdueAnnotations(TypedDict):
    days_overdue: int
    weight: Decimal


def _with_overdue(
    invoices: QuerySet[Invoice], today: date
) -> QuerySet[WithAnnotations[Invoice, _OverdueAnnotations]]:
    days = ExpressionWrapper(Value(today.toordinal()) - F("due_day"), output_field=IntegerField())
    return invoices.annotate(
        days_overdue=days,
        weight=ExpressionWrapper(F("open_amount") * days, output_field=MONEY),
    )


def overdue_invoices(
    user: User, today: date | None = None
) -> QuerySet[WithAnnotations[Invoice, _OverdueAnnotations]]:
    """Open invoices past their due date, heaviest (amount × days overdue) first.

    The weight changes every day, so no index holds its order; the rows are few (open
    and overdue) and every column the ordering reads is in the partial index
    ``recv_invoice_open_aging``, so the sort runs over the index alone. Account and
    owner come by prefetch, for the page's rows only, rather than by a join the
    database would make for every overdue invoice before sorting.
    """
    today = _today(today)
    invoices = _open_invoices(user).filter(due_day__lt=today.toordinal())
    return (
        _with_overdue(invoices, today)
        .prefetch_related("account", "owner")
        .order_by("-weight", "pk")
    )


@dataclass(frozen=True)
class DebtorTypeView:
    value: str | None
    suggested: bool

    @property
    def label(self) -> str:
        from kam.receivables.models import DebtorType

        return str(DebtorType(self.value).label) if self.value else ""


def debtor_types(account_ids: list[int], today: date | None = None) -> dict[int, DebtorTypeView]:
    """The debtor type of each account: the one set by a person, else the one its history suggests.

    Four queries whatever the number of accounts (§6, 债务人的种类).
    """
    today = _today(today)
    ids = list(set(account_ids))
    chosen = dict(
        AccountCredit.objects.filter(account_id__in=ids)
        .exclude(debtor_type="")
        .values_list("account_id", "debtor_type")
    )
    missing = [pk for pk in ids if pk not in chosen]
    paid: dict[int, list[int]] = defaultdict(list)
    overdue: dict[int, list[int]] = defaultdict(list)
    for account_id, due_date, paid_on, open_amount in Invoice.objects.filter(
        account_id__in=missing
    ).values_list("account_id", "due_date", "paid_on", "open_amount"):
        if paid_on is not None:
            paid[account_id].append((paid_on - due_date).days)
        elif open_amount > 0:
            overdue[account_id].append((today - due_date).days)
    broken = dict(
        PaymentPromise.objects.filter(account_id__in=missing, status=PaymentPromise.Status.BROKEN)
        .values("account_id")
        .annotate(n=Count("*"))
        .values_list("account_id", "n")
    )
    written_off = set(
        WriteOff.objects.filter(
            invoice__account_id__in=missing, status=WriteOff.Status.APPROVED
        ).values_list("invoice__account_id", flat=True)
    )
    result = {pk: DebtorTypeView(value, False) for pk, value in chosen.items()}
    for pk in missing:
        result[pk] = DebtorTypeView(
            calculations.suggest_debtor_type(
                paid[pk], overdue[pk], broken.get(pk, 0), pk in written_off
            ),
            True,
        )
    return result


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
    today = _today(today)
    # Two aggregates, each over an index holding what it reads (the open invoices;
    # the invoices issued since), rather than one over every invoice ever issued.
    open_sum = _open_invoices(user).aggregate(
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
    today = _today(today)
    invoices = visible_invoices(user)
    if account_ids is not None:
        invoices = invoices.filter(account_id__in=account_ids)
    sums = _dso_sums(today, days)
    rows = invoices.values("account_id").annotate(open=sums["open"], sales=sums["sales"]).order_by()
    return {
        r["account_id"]: calculations.days_sales_outstanding(r["open"], r["sales"], days)
        for r in rows
    }


# --- alerts, collections, complete sale ----------------------------------------


def open_alerts(user: User) -> QuerySet[CollectionAlert]:
    """Broken promises not yet dealt with (POWER: react quickly)."""
    return (
        scope_to_visible_accounts(CollectionAlert.objects.filter(resolved_at__isnull=True), user)
        .select_related("account", "promise", "user")
        .order_by("-raised_on", "-pk")
    )


def collection_contacts(account: Account) -> QuerySet[CollectionContact]:
    return CollectionContact.objects.filter(account=account).select_related(
        "contact", "excuse", "invoice", "promise", "recorded_by"
    )


def complete_sale_for(contract: Contract) -> calculations.CompleteSale:
    """The contract read as cash (§6): collected is what its invoices were paid."""
    collected = Invoice.objects.filter(contract=contract).aggregate(s=Sum("paid_amount"))["s"]
    return calculations.complete_sale(contract.amount, contract.gross_margin_pct, collected or ZERO)


@dataclass(frozen=True)
class RepCompleteSales:
    owner_id: int | None
    name: str
    contracts: int
    amount: Decimal
    cost: Decimal
    collected: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.collected

    @property
    def cash_position(self) -> Decimal:
        return self.collected - self.cost


def complete_sales_by_rep(user: User) -> list[RepCompleteSales]:
    """Per rep: bookings, cost, collected and cash position of their contracts (three queries).

    Grouped on the owner column alone, each over an index holding the columns it sums;
    cost is Σ amount − Σ(amount × margin) ÷ 100, the same figure as Σ of each contract's
    cost. Collected groups invoices by their owner, the contract's (copied at issue).
    """
    contracts = (
        visible_contracts(user)
        .values("owner_id")
        .annotate(
            n=Count("*"),
            amount_sum=Sum("amount"),
            margin_sum=Sum(
                F("amount") * F("gross_margin_pct"),
                output_field=DecimalField(max_digits=24, decimal_places=4),
            ),
        )
        .order_by()
    )
    collected = dict(
        visible_invoices(user)
        .values("owner_id")
        .annotate(s=Sum("paid_amount"))
        .order_by()
        .values_list("owner_id", "s")
    )
    rows = list(contracts)
    names = {
        u["pk"]: u
        for u in User.objects.filter(pk__in=[r["owner_id"] for r in rows if r["owner_id"]]).values(
            "pk",
            owner__last_name=F("last_name"),
            owner__first_name=F("first_name"),
            owner__username=F("username"),
        )
    }
    empty = {"owner__last_name": "", "owner__first_name": "", "owner__username": ""}
    result = []
    for r in rows:
        amount = r["amount_sum"] or ZERO
        cost = amount - (r["margin_sum"] or ZERO) / calculations.HUNDRED
        result.append(
            RepCompleteSales(
                owner_id=r["owner_id"],
                name=_label("rep", names.get(r["owner_id"], empty)),
                contracts=r["n"],
                amount=amount,
                cost=cost.quantize(calculations.CENT),
                collected=collected.get(r["owner_id"]) or ZERO,
            )
        )
    return sorted(result, key=lambda r: (-r.collected, r.name))


def visible_account(user: User, pk: int) -> Account:
    return visible_accounts(user).get(pk=pk)


# --- cash forecast (issue 7, no. 10) ------------------------------------------------

CASH_HORIZON = {"week": 13, "month": 6}
DEFAULT_TERMS_DAYS = 30
DELAY_HISTORY_DAYS = cash.DELAY_HISTORY_DAYS


@dataclass(frozen=True)
class CashForecast:
    scope: Scope
    granularity: str
    today: date
    buckets: list[calculations.CashBucket]
    later: Decimal

    @property
    def totals(self) -> calculations.CashBucket:
        first, last = self.buckets[0], self.buckets[-1]
        return calculations.CashBucket(
            start=first.start,
            end=last.end,
            invoices=sum((b.invoices for b in self.buckets), ZERO),
            installments=sum((b.installments for b in self.buckets), ZERO),
            pipeline=sum((b.pipeline for b in self.buckets), ZERO),
            # A total target only when every bucket has one: a partial sum would flatter.
            target=(
                sum((b.target or ZERO for b in self.buckets), ZERO)
                if all(b.target is not None for b in self.buckets)
                else None
            ),
        )


def payment_habits(user: User, today: date) -> cash.Habits:
    """The accounts' payment habits for a forecast made ``today``: those stored when they
    hold for today (a key lookup per row), else computed by the forecast's queries from
    a year of payments, the viewer's accounts only; a refresh is then asked for, once a
    day whoever asks (:func:`kam.receivables.services.request_payment_habits_refresh`)."""
    from kam.receivables.services import request_payment_habits_refresh

    as_of = PaymentHabitsAsOf.objects.filter(pk=1).values_list("as_of", flat=True).first()
    if as_of == today:
        return cash.STORED_HABITS
    request_payment_habits_refresh(today)
    return cash.computed_habits(
        delay_since=today - timedelta(days=DELAY_HISTORY_DAYS),
        accounts=None if sees_all_accounts(user) else visible_accounts(user),
    )


def cash_forecast(
    user: User, scope: Scope, granularity: str = "month", today: date | None = None
) -> CashForecast:
    """Expected collections per week or month (issue 7, no. 10).

    Three sources, each moved by the paying account's own habitual delay: open invoices
    at their due dates, plan installments not yet invoiced at theirs, and open deals'
    weighted value (amount × stage win rate) at their close date plus the payment terms
    the account usually signs. Set against the collection targets of each month.
    """
    from kam.forecasting.models import Metric
    from kam.forecasting.periods import MONTH, Period
    from kam.forecasting.selectors import TargetBook

    today = _today(today)
    granularity = granularity if granularity in CASH_HORIZON else "month"
    count = CASH_HORIZON[granularity]
    horizon_end = calculations.cash_bucket_starts(today, granularity, count + 1)[-1]

    starts = calculations.cash_bucket_starts(today, granularity, count)
    sums = cash.expected_cash(
        invoices=scope.filter(visible_invoices(user)).filter(open_amount__gt=0),
        contracts=scope.filter(visible_contracts(user)).filter(amount__gt=F("invoiced_amount")),
        deals=scope.filter(
            scope_to_visible_accounts(Opportunity.objects.all(), user).filter(
                status=Status.OPEN, expected_close_date__lt=horizon_end
            )
        ),
        habits=payment_habits(user, today),
        bounds=[*starts[1:], horizon_end],
        today=today,
        default_terms_days=DEFAULT_TERMS_DAYS,
    )
    buckets = [
        calculations.CashBucket(
            start=start,
            end=end - timedelta(days=1),
            **{source: sums.get((source, i), ZERO) for source in calculations.CASH_SOURCES},
        )
        for i, (start, end) in enumerate(zip(starts, [*starts[1:], horizon_end], strict=True))
    ]
    later = sum((sums.get((source, count), ZERO) for source in calculations.CASH_SOURCES), ZERO)
    if granularity == "month":
        for bucket in buckets:
            book = TargetBook(Metric.COLLECTIONS, Period.of(MONTH, bucket.start))
            figure = book.for_scope(scope, viewer=user)
            bucket.target = figure.effective
    return CashForecast(scope, granularity, today, buckets, later)


# --- the account's 360 page ----------------------------------------------------------


@dataclass(frozen=True)
class AccountReceivables:
    """What the account owes and since when, its credit, and its heaviest open invoices."""

    aging: AgingRow
    credit_limit: Decimal | None
    exposure: Decimal
    on_hold: bool
    overdue: list[Any]
    contracts: int
    promises: list[PaymentPromise]


def account_receivables(
    user: User, account: Account, today: date | None = None
) -> AccountReceivables:
    """The receivables panel of one visible account (a fixed number of queries)."""
    from kam.receivables.services import credit_exposure

    today = _today(today)
    invoices = _open_invoices(user).filter(account=account)
    aging = AgingRow(account.pk, account.name, **invoices.aggregate(**_bucket_sums(today)))
    credit = AccountCredit.objects.filter(account=account).first()
    return AccountReceivables(
        aging=aging,
        credit_limit=credit.credit_limit if credit else None,
        exposure=credit_exposure(account),
        on_hold=bool(credit and credit.on_hold),
        overdue=list(overdue_invoices(user, today).filter(account=account)[:5]),
        contracts=visible_contracts(user).filter(account=account).count(),
        promises=list(
            visible_promises(user)
            .filter(account=account, status=PaymentPromise.Status.OPEN)
            .order_by("due_on", "pk")[:5]
        ),
    )


# --- facts for the accounts' qualification (§1.2) ------------------------------------


def qualification_facts(ids: list[int], today: date) -> dict[int, ReceivablesFacts]:
    """Margin of the contracts signed and payment cycle of the invoices paid (or overdue)
    in the last 12 months, per account, in two queries (§1.2 criteria 2 and 5): what
    the accounts' qualification reads through ``kam.accounts.selectors.receivables_facts``."""
    start, end, _ps, _pe = account_calculations.year_window(today)
    contracts: dict[int, list[tuple[Decimal, Decimal]]] = defaultdict(list)
    for account_id, amount, margin in Contract.objects.filter(
        account__in=ids, signed_on__gte=start, signed_on__lte=end
    ).values_list("account", "amount", "gross_margin_pct"):
        contracts[account_id].append((amount, margin))
    invoices: dict[int, list[tuple[date, date | None, Decimal]]] = defaultdict(list)
    for account_id, issued_on, paid_on, amount in Invoice.objects.filter(
        Q(paid_on__gte=start, paid_on__lte=end)
        | Q(paid_on__isnull=True, open_amount__gt=0, due_date__lt=today),
        account__in=ids,
    ).values_list("account", "issued_on", "paid_on", "amount"):
        invoices[account_id].append((issued_on, paid_on, amount))
    return {
        pk: ReceivablesFacts(
            margin_pct=account_calculations.weighted_margin(contracts.get(pk, [])),
            payment_days=account_calculations.payment_cycle_days(invoices.get(pk, []), today),
        )
        for pk in ids
    }
