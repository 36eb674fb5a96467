"""Customer total value and the value pyramid (DOMAIN.md §1.3)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, QuerySet, Sum
from django.utils import timezone

from kam.accounts import calculations
from kam.accounts.models import Account, Tier, ValuePeriod
from kam.accounts.selectors.facts import sales_by_year, sales_records
from kam.accounts.visibility import scope_to_visible_accounts, visible_accounts
from kam.core.models import User
from kam.core.money import CENTS_SQL, cents, from_cents

ZERO = Decimal(0)


@dataclass(frozen=True)
class ValueRow:
    period: ValuePeriod
    revenue: Decimal
    profit_computed: bool
    value: calculations.TotalValue


def value_rows(account: Account) -> list[ValueRow]:
    """Each recorded year of the account's total value, the profit computed where missing."""
    periods = list(account.value_periods.all())
    if not periods:
        return []
    revenue: dict[int, Decimal] = defaultdict(lambda: ZERO)
    revenue.update(sales_by_year(account.pk, {p.year for p in periods}))
    rows = []
    for p in periods:
        computed = p.profit_contribution is None
        profit = (
            calculations.profit_from_margin(revenue[p.year], account.margin_pct)
            if computed
            else p.profit_contribution
        )
        rows.append(
            ValueRow(
                period=p,
                revenue=revenue[p.year],
                profit_computed=computed,
                value=calculations.total_value(
                    profit_contribution=profit or ZERO,
                    cost_of_sales=p.cost_of_sales,
                    cost_of_service=p.cost_of_service,
                    cost_of_relationship=p.cost_of_relationship,
                    learning_value=p.learning_value,
                    skill_value=p.skill_value,
                    referral_value=p.referral_value,
                ),
            )
        )
    return rows


# --- the value pyramid (§1.3) ---------------------------------------------------


@dataclass
class TierRow:
    tier: str
    label: str
    accounts: int = 0
    revenue: Decimal = ZERO
    profit: Decimal = ZERO
    revenue_share: Decimal | None = None
    profit_share: Decimal | None = None
    account_share: Decimal | None = None


@dataclass
class Pyramid:
    rows: list[TierRow]
    pareto: calculations.ParetoShape
    top: list[tuple[Account, Decimal, Decimal]] = field(default_factory=list)
    since: date | None = None
    until: date | None = None


#: An account's sales over a window: its tier, its margin in hundredths of a percent (None
#: when not known) and its won and off-funnel sales in cents.
AccountSales = tuple[str, int | None, int]


def _sales_with_margin(user: User, since: date, until: date) -> dict[int, AccountSales]:
    """Per visible account with sales in [since, until]: its tier, its margin and its won
    plus off-funnel sales in whole cents.

    One query: the won deals and the off-funnel sales each summed per account (exact
    cents) and only then joined to their accounts, so each account is read once per
    source, not once per deal; accounts without sales are not read at all, and the
    profits are summed as whole numbers too. Each sum is joined on its own: over the
    union of both, PostgreSQL misjudges how many accounts come out and looks them up
    one by one.
    """
    account_table = Account._meta.db_table
    margin_hundredths = CENTS_SQL % {"expressions": "acc.margin_pct"}
    parts, params = [], []
    for base in sales_records(since, until):
        records = scope_to_visible_accounts(base, user)
        grouped = records.values(a=F("account_id")).annotate(c=Sum(cents(F("amount")))).order_by()
        sql, part_params = grouped.query.sql_with_params()
        # SQL compiled by Django and a table name; every value is a bound parameter. The
        # margin in hundredths of a percent (it has two decimal places), an integer too.
        parts.append(
            f"SELECT s.a, acc.tier, {margin_hundredths}, s.c "  # noqa: S608
            f"FROM ({sql}) AS s JOIN {account_table} acc ON acc.id = s.a"
        )
        params += part_params
    rows: dict[int, AccountSales] = {}
    if not parts:
        return rows
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for pk, account_tier, margin, c in cursor.fetchall():
            before = rows[pk][2] if pk in rows else 0
            rows[pk] = (account_tier, None if margin is None else int(margin), before + int(c))
    return rows


def value_pyramid(user: User, *, tier: str = "", today: date | None = None) -> Pyramid:
    """Accounts per tier with their share of revenue and profit over the last 12 months.

    Counted in the database (accounts per tier) and from the accounts that sold
    anything, so the cost follows the number of customers who bought, not the
    size of the account base.
    """
    today = today or timezone.localdate()
    start, end, _ps, _pe = calculations.year_window(today)
    accounts = visible_accounts(user)
    counts = dict(accounts.order_by().values_list("tier").annotate(n=Count("*")))
    sales = _sales_with_margin(user, start, end)
    rows = {
        value: TierRow(value, str(label), accounts=counts.get(value, 0))
        for value, label in Tier.choices
    }
    # Summed in cents, each account's profit rounded to the cent as profit_from_margin does.
    revenue_cents: dict[str, int] = defaultdict(int)
    profit_cents: dict[str, int] = defaultdict(int)
    for account_tier, margin, account_cents in sales.values():
        revenue_cents[account_tier] += account_cents
        if margin is not None:
            profit_cents[account_tier] += calculations.profit_cents_from_margin(
                account_cents, margin
            )
    for account_tier, total_cents in revenue_cents.items():
        rows[account_tier].revenue = from_cents(total_cents)
        rows[account_tier].profit = from_cents(profit_cents[account_tier])
    total_revenue = sum((r.revenue for r in rows.values()), ZERO)
    total_profit = sum((r.profit for r in rows.values()), ZERO)
    total_accounts = sum(counts.values())
    for row in rows.values():
        row.revenue_share = calculations.percent(row.revenue, total_revenue)
        row.profit_share = calculations.percent(row.profit, total_profit)
        row.account_share = calculations.percent(Decimal(row.accounts), Decimal(total_accounts))
    # The shares of the top fifth are the same in cents as in yuan.
    revenues = [account_cents for _t, _m, account_cents in sales.values()]
    revenues += [0] * (total_accounts - len(revenues))
    pyramid = Pyramid(
        rows=[rows[t] for t in Tier.values],
        pareto=calculations.pareto(revenues),
        since=start,
        until=end,
    )
    if tier in Tier.values:
        pyramid.top = _top_of_tier(accounts, tier, sales)
    return pyramid


def _top_of_tier(
    accounts: QuerySet[Account],
    tier: str,
    sales: dict[int, AccountSales],
    limit: int = 50,
) -> list[tuple[Account, Decimal, Decimal]]:
    """The tier's biggest accounts by sales, then (to fill the page) those without sales."""
    selling = [pk for pk, (t, _m, _r) in sales.items() if t == tier]
    ranked = sorted(selling, key=lambda pk: (-sales[pk][2], pk))[:limit]
    if len(ranked) < limit:
        ranked += list(
            accounts.filter(tier=tier)
            .exclude(pk__in=selling)
            .order_by("pk")
            .values_list("pk", flat=True)[: limit - len(ranked)]
        )
    by_pk = Account.objects.select_related("owner").in_bulk(ranked)
    top = []
    for pk in ranked:
        account = by_pk[pk]
        revenue = from_cents(sales[pk][2]) if pk in sales else ZERO
        profit = calculations.profit_from_margin(revenue, account.margin_pct) or ZERO
        top.append((account, revenue, profit))
    return top
