"""Reads of accounts for pages, exports and the API; all start from visibility."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from kam.accounts import calculations
from kam.accounts.models import (
    Account,
    AccountMember,
    AccountPlan,
    AccountPolicy,
    GrowthLever,
    PlanAction,
    PlanObjective,
    ProductLine,
    QualificationCriterion,
    Strategy,
    StrategyAllocation,
    Tier,
    ValuePeriod,
    WhitespaceCell,
)
from kam.accounts.visibility import scope_to_visible_accounts, visible_accounts
from kam.activities.models import Activity
from kam.core.models import User
from kam.core.money import CENTS_SQL, cents, from_cents
from kam.core.params import query_int
from kam.core.providers import Provider
from kam.pipeline.models import Opportunity, SmallSale, Status

ZERO = Decimal(0)


@dataclass(frozen=True)
class AccountFilters:
    q: str = ""
    tier: str = ""
    segment: str = ""
    scale: str = ""
    industry: str = ""
    owner: int | None = None
    team: int | None = None

    @classmethod
    def from_params(cls, params: Any) -> AccountFilters:
        return cls(
            q=params.get("q", "").strip(),
            tier=params.get("tier", ""),
            segment=params.get("segment", ""),
            scale=params.get("scale", ""),
            industry=params.get("industry", ""),
            owner=query_int(params, "owner"),
            team=query_int(params, "team"),
        )


def account_list(user: User, filters: AccountFilters) -> QuerySet[Account]:
    """Accounts the user may see, filtered, with what the list shows."""
    accounts = visible_accounts(user).select_related("owner", "owner__team", "parent")
    if filters.q:
        accounts = accounts.filter(Q(name__icontains=filters.q) | Q(city__icontains=filters.q))
    if filters.tier:
        accounts = accounts.filter(tier=filters.tier)
    if filters.segment:
        accounts = accounts.filter(segment=filters.segment)
    if filters.scale:
        accounts = accounts.filter(scale=filters.scale)
    if filters.industry:
        accounts = accounts.filter(industry=filters.industry)
    if filters.owner:
        accounts = accounts.filter(owner_id=filters.owner)
    if filters.team:
        accounts = accounts.filter(
            Q(owner__team_id=filters.team)
            | Q(pk__in=AccountMember.objects.filter(user__team_id=filters.team).values("account"))
        )
    # Correlated subqueries, not a join grouped over every account: the database works
    # them out for the page's rows only (unless the list is sorted by the amount).
    open_deals = (
        Opportunity.objects.filter(account=OuterRef("pk"), status=Status.OPEN)
        .order_by()
        .values("account")
    )
    return accounts.annotate(
        open_opportunities=Coalesce(Subquery(open_deals.annotate(n=Count("*")).values("n")), 0),
        open_amount=Subquery(
            open_deals.annotate(total=Sum("amount")).values("total"),
            output_field=DecimalField(max_digits=16, decimal_places=2),
        ),
        # What the list sorts by: no open deal counts as zero on every database
        # (PostgreSQL would put the empty ones first when sorting by amount, descending).
        open_amount_sort=Coalesce(F("open_amount"), Value(0), output_field=DecimalField()),
    )


def account_detail(user: User, pk: int) -> Account:
    """One visible account with everything its 360 page shows, in a fixed number of queries.

    Raises ``Account.DoesNotExist`` for an account the user may not see, so the
    view answers 404 and says nothing about it.
    """
    return (
        visible_accounts(user)
        .select_related("owner", "parent", "tier_override_by")
        .prefetch_related(
            Prefetch("members", queryset=AccountMember.objects.select_related("user")),
            "subsidiaries",
            "contacts",
            "installed_products",
            "purchasing_departments",
            "competitors",
            Prefetch("notes", queryset=_notes()),
            "swot_items",
            Prefetch("latent_needs", queryset=_needs()),
            Prefetch("value_periods", queryset=ValuePeriod.objects.order_by("-year")),
            Prefetch(
                "activities",
                queryset=Activity.objects.select_related("owner").order_by("-starts_at")[:20],
                to_attr="recent_activities",
            ),
        )
        .get(pk=pk)
    )


def _notes() -> QuerySet[Any]:
    from kam.accounts.models import AccountNote

    return AccountNote.objects.select_related("author").order_by("-observed_on", "-pk")


def _needs() -> QuerySet[Any]:
    from kam.accounts.models import LatentNeed

    return LatentNeed.objects.select_related("opportunity").order_by("quadrant", "pk")


def editable_account(user: User, pk: int) -> Account:
    """A visible account for an edit; 404 (DoesNotExist) when not visible."""
    return visible_accounts(user).select_related("owner", "parent").get(pk=pk)


def group_tree(account: Account) -> list[tuple[Account, int]]:
    """The whole group the account belongs to, as (account, depth) in tree order.

    Walks up to the top parent, then reads the group level by level: one query per
    level, never per account.
    """
    top = account
    seen = {account.pk}
    while top.parent_id is not None and top.parent_id not in seen:
        seen.add(top.parent_id)
        parent = Account.objects.filter(pk=top.parent_id).only("pk", "name", "parent_id").first()
        if parent is None:
            break
        top = parent
    children: dict[int, list[Account]] = defaultdict(list)
    level = [top.pk]
    depth = 0
    while level and depth < 10:
        rows = list(
            Account.objects.filter(parent_id__in=level).only("pk", "name", "parent_id", "tier")
        )
        for row in rows:
            children[row.parent_id].append(row)  # type: ignore[index]
        level = [row.pk for row in rows]
        depth += 1
    ordered: list[tuple[Account, int]] = []

    def walk(node: Account, d: int) -> None:
        ordered.append((node, d))
        for child in sorted(children.get(node.pk, []), key=lambda a: a.name):
            walk(child, d + 1)

    walk(top, 0)
    return ordered


# --- sales from won business ----------------------------------------------------


def sales_by_account(
    accounts: QuerySet[Account] | list[int], since: date, until: date
) -> dict[int, Decimal]:
    """Won business (closed in [since, until]) plus off-funnel sales, per account."""
    ids: Any = accounts if isinstance(accounts, list) else accounts.values("pk")
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    won = (
        Opportunity.objects.filter(
            account__in=ids, status=Status.WON, closed_on__gte=since, closed_on__lte=until
        )
        .values("account")
        .annotate(total=Sum("amount"))
    )
    for row in won:
        totals[row["account"]] += row["total"] or ZERO
    small = (
        SmallSale.objects.filter(account__in=ids, sold_on__gte=since, sold_on__lte=until)
        .values("account")
        .annotate(total=Sum("amount"))
    )
    for row in small:
        totals[row["account"]] += row["total"] or ZERO
    return totals


# --- qualification (§1.2) -------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    qualification: calculations.Qualification
    criteria: dict[str, QualificationCriterion]
    suggested_tier: str
    strategy: str | None
    sales_12m: Decimal
    sales_prev_12m: Decimal
    share_pct: Decimal | None

    @property
    def lines(self) -> list[tuple[QualificationCriterion, calculations.ScoreLine]]:
        return [(self.criteria[line.key], line) for line in self.qualification.lines]


def criteria() -> list[QualificationCriterion]:
    return list(QualificationCriterion.objects.order_by("order"))


def current_policy() -> AccountPolicy:
    from kam.accounts.services import policy

    return policy()


@dataclass(frozen=True)
class ReceivablesFacts:
    """What signed contracts and invoices say about an account over the last 12 months."""

    margin_pct: Decimal | None = None
    payment_days: Decimal | None = None


def _no_receivables_facts(ids: list[int], today: date) -> dict[int, ReceivablesFacts]:
    return {pk: ReceivablesFacts() for pk in ids}


#: Margin of the contracts signed and payment cycle of the invoices paid (or overdue) in the
#: last 12 months, per account (§1.2 criteria 2 and 5); receivables answers
#: (``kam.receivables.apps``).
receivables_facts: Provider[[list[int], date], dict[int, ReceivablesFacts]] = Provider(
    "the receivables facts of qualification", _no_receivables_facts
)


def _by_data_or_hand(
    from_data: Decimal | None, by_hand: Decimal | int | None
) -> tuple[Decimal | None, bool]:
    if from_data is not None:
        return from_data, True
    return (Decimal(by_hand) if by_hand is not None else None), False


def _criteria_values(
    account: Account,
    sales: Decimal,
    previous: Decimal,
    facts: ReceivablesFacts,
    openness: Decimal | None = None,
) -> dict[str, Any]:
    """The value of each criterion: from the data where it exists, else as entered."""
    return {
        "sales_volume": (sales, True),
        "margin": _by_data_or_hand(facts.margin_pct, account.margin_pct),
        "growth": (calculations.growth_pct(sales, previous), True),
        "potential": (calculations.headroom(sales, account.purchase_potential), False),
        "payment": _by_data_or_hand(facts.payment_days, account.payment_cycle_days),
        "goal_access": (
            Decimal(account.goal_access) if account.goal_access is not None else None,
            False,
        ),
        "openness": _by_data_or_hand(openness, account.openness),
    }


def _no_surveys(ids: list[int], today: date) -> dict[int, Decimal]:
    return {}


#: Criterion 7 from the customers' own answers to the loyalty survey, where they exist;
#: performance answers (``kam.performance.apps``).
surveyed_openness: Provider[[list[int], date], dict[int, Decimal]] = Provider(
    "the surveyed openness of qualification", _no_surveys
)


def _assess(
    account: Account,
    sales: Decimal,
    previous: Decimal,
    rows: list[QualificationCriterion],
    rules: AccountPolicy,
    facts: ReceivablesFacts,
    openness: Decimal | None = None,
) -> Assessment:
    result = calculations.qualify(
        _criteria_values(account, sales, previous, facts, openness),
        [calculations.Criterion(c.key, c.weight, c.zero_at, c.full_at) for c in rows],
    )
    share = calculations.share_of_wallet(sales, account.purchase_potential)
    return Assessment(
        qualification=result,
        criteria={c.key: c for c in rows},
        suggested_tier=calculations.tier_for(
            result.total, rules.key_min_score, rules.important_min_score
        ),
        strategy=calculations.strategy_for(
            account.purchase_potential,
            share,
            high_potential_from=rules.high_potential_from,
            high_share_from_pct=rules.high_share_from_pct,
            intrude_below_pct=rules.intrude_below_pct,
        ),
        sales_12m=sales,
        sales_prev_12m=previous,
        share_pct=share,
    )


def assessment_for(account: Account, today: date | None = None) -> Assessment:
    """The seven-criteria score of one account with its breakdown, and its segment."""
    today = today or timezone.localdate()
    start, end, previous_start, previous_end = calculations.year_window(today)
    sales = sales_by_account([account.pk], start, end).get(account.pk, ZERO)
    previous = sales_by_account([account.pk], previous_start, previous_end).get(account.pk, ZERO)
    facts = receivables_facts([account.pk], today)[account.pk]
    openness = surveyed_openness([account.pk], today).get(account.pk)
    return _assess(account, sales, previous, criteria(), current_policy(), facts, openness)


def assessments_for(accounts: list[Account], today: date | None = None) -> dict[int, Assessment]:
    """The same for many accounts in a fixed number of queries."""
    today = today or timezone.localdate()
    start, end, previous_start, previous_end = calculations.year_window(today)
    ids = [a.pk for a in accounts]
    sales = sales_by_account(ids, start, end)
    previous = sales_by_account(ids, previous_start, previous_end)
    rows, rules = criteria(), current_policy()
    facts = receivables_facts(ids, today)
    openness = surveyed_openness(ids, today)
    return {
        a.pk: _assess(
            a,
            sales.get(a.pk, ZERO),
            previous.get(a.pk, ZERO),
            rows,
            rules,
            facts[a.pk],
            openness.get(a.pk),
        )
        for a in accounts
    }


# --- customer total value (§1.3) ------------------------------------------------


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
    years = {p.year for p in periods}
    revenue: dict[int, Decimal] = defaultdict(lambda: ZERO)
    won = (
        Opportunity.objects.filter(account=account, status=Status.WON, closed_on__year__in=years)
        .values_list("closed_on__year")
        .annotate(total=Sum("amount"))
    )
    for year, total in won:
        revenue[year] += total or ZERO
    small = (
        SmallSale.objects.filter(account=account, sold_on__year__in=years)
        .values_list("sold_on__year")
        .annotate(total=Sum("amount"))
    )
    for year, total in small:
        revenue[year] += total or ZERO
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
    source, not once per deal; accounts without sales are not read at all. (Director,
    large tenant, SQLite: the pyramid, which read two queries' rows as decimals, 48 → 30
    ms; with a margin on most accounts, their profits in whole numbers too: 40 → 30 ms.)
    Each sum is joined on its own: PostgreSQL estimates a sum over the union of both at
    200 accounts and then looks the 13,826 up one by one (the query, fetch included,
    38 → 24 ms there; SQLite 21 → 19 ms).
    """
    won = Opportunity.objects.filter(status=Status.WON, closed_on__gte=since, closed_on__lte=until)
    small = SmallSale.objects.filter(sold_on__gte=since, sold_on__lte=until)
    account_table = Account._meta.db_table
    margin_hundredths = CENTS_SQL % {"expressions": "acc.margin_pct"}
    parts, params = [], []
    for base in (won, small):
        records: QuerySet[Any] = scope_to_visible_accounts(base, user)  # type: ignore[type-var]
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


# --- the attack / defend matrix (§1.4) -----------------------------------------


@dataclass(frozen=True)
class MatrixPoint:
    account: Account
    potential: Decimal
    share_pct: Decimal
    strategy: str


@dataclass
class AllocationRow:
    strategy: str
    label: str
    accounts: int = 0
    planned_hours: Decimal = ZERO
    planned_people: int = 0
    planned_budget: Decimal = ZERO
    activities: int = 0
    actual_hours: Decimal = ZERO
    actual_people: int = 0
    actual_expenses: Decimal = ZERO


def _activity_fields() -> set[str]:
    return {f.name for f in Activity._meta.get_fields()}


def attack_defend_matrix(
    user: User, *, year: int, today: date | None = None
) -> tuple[list[MatrixPoint], int, list[AllocationRow]]:
    """Accounts placed by purchase potential × share of wallet, and per strategy the
    planned allocation against what activities actually spent in ``year``."""
    today = today or timezone.localdate()
    start, end, _ps, _pe = calculations.year_window(today)
    visible = visible_accounts(user)
    accounts = list(visible.only("pk", "name", "purchase_potential", "tier", "segment"))
    # The visible accounts as a subquery, not a list of (for a director) 20,000 ids.
    sales = sales_by_account(visible, start, end)
    rules = current_policy()
    points = []
    unplaced = 0
    rows = {value: AllocationRow(value, str(label)) for value, label in Strategy.choices}
    for account in accounts:
        share = calculations.share_of_wallet(
            sales.get(account.pk, ZERO), account.purchase_potential
        )
        strategy = calculations.strategy_for(
            account.purchase_potential,
            share,
            high_potential_from=rules.high_potential_from,
            high_share_from_pct=rules.high_share_from_pct,
            intrude_below_pct=rules.intrude_below_pct,
        )
        if strategy is None or share is None or account.purchase_potential is None:
            unplaced += 1
            continue
        points.append(MatrixPoint(account, account.purchase_potential, share, strategy))
        rows[strategy].accounts += 1
    for allocation in StrategyAllocation.objects.filter(year=year):
        row = rows[allocation.strategy]
        row.planned_hours = allocation.planned_hours
        row.planned_people = allocation.planned_people
        row.planned_budget = allocation.planned_budget
    fields = _activity_fields()
    activities = (
        scope_to_visible_accounts(Activity.objects.all(), user)
        .filter(starts_at__year=year)
        .exclude(status="cancelled")
        .exclude(account__segment="")
    )
    aggregates: dict[str, Any] = {"n": Count("*"), "people": Count("owner", distinct=True)}
    if "duration_minutes" in fields:
        aggregates["minutes"] = Sum("duration_minutes")
    if "expenses" in fields:
        aggregates["expenses"] = Sum("expenses")
    spent: Any = activities.values("account__segment").annotate(**aggregates)
    for row_data in spent:
        actual = rows.get(row_data["account__segment"])
        if actual is None:
            continue
        actual.activities = row_data["n"]
        actual.actual_people = row_data["people"]
        actual.actual_hours = (Decimal(row_data.get("minutes") or 0) / 60).quantize(Decimal("0.1"))
        actual.actual_expenses = row_data.get("expenses") or ZERO
    return points, unplaced, [rows[s] for s in Strategy.values]


# --- account plans (§1.5, §1.7) --------------------------------------------------


@dataclass
class PlanView:
    plan: AccountPlan
    levers: list[tuple[GrowthLever, str]]
    units: list[str]
    product_lines: list[ProductLine]
    grid: list[tuple[str, list[tuple[ProductLine, str]]]]
    objectives: list[PlanObjective]
    balance: dict[str, dict[str, Any]]


def plan_view(plan: AccountPlan) -> PlanView:
    """One plan with its levers on the priority matrix, whitespace grid and actions."""
    levers = list(plan.levers.all())
    lines = list(ProductLine.objects.filter(active=True).order_by("order"))
    cells = list(WhitespaceCell.objects.filter(plan=plan))
    subsidiaries = list(plan.account.subsidiaries.values_list("name", flat=True))
    units = list(dict.fromkeys([plan.account.name, *subsidiaries, *(c.unit for c in cells)]))
    status = {(c.unit, c.product_line_id): c.status for c in cells}
    grid = [(unit, [(line, status.get((unit, line.pk), "")) for line in lines]) for unit in units]
    objectives = list(
        plan.objectives.prefetch_related(
            Prefetch(
                "actions",
                queryset=PlanAction.objects.select_related("owner", "activity", "opportunity"),
            )
        )
    )
    balance: dict[str, dict[str, Any]] = {}
    for lever in levers:
        entry = balance.setdefault(lever.horizon, {"levers": 0, "revenue": ZERO, "objectives": 0})
        entry["levers"] += 1
        entry["revenue"] += lever.expected_revenue
    for objective in objectives:
        entry = balance.setdefault(
            objective.horizon, {"levers": 0, "revenue": ZERO, "objectives": 0}
        )
        entry["objectives"] += 1
    return PlanView(
        plan=plan,
        levers=[
            (lever, calculations.priority_for(lever.attractiveness, lever.probability))
            for lever in levers
        ],
        units=units,
        product_lines=lines,
        grid=grid,
        objectives=objectives,
        balance=balance,
    )


def plans_for(account: Account) -> list[AccountPlan]:
    return list(AccountPlan.objects.filter(account=account).order_by("-year"))
