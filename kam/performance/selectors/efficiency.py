"""Sales resource efficiency (§7): what each account cost against what it brought, and
each rep's selling style."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from kam.accounts import calculations as account_calculations
from kam.accounts.models import Account, Strategy, StrategyAllocation
from kam.accounts.selectors import sales_by_account
from kam.accounts.visibility import scope_to_visible_accounts, visible_accounts
from kam.activities.models import Activity, ActivityStatus
from kam.core.models import User
from kam.performance import calculations
from kam.performance.models import (
    PerformanceSettings,
)
from kam.performance.selectors.scorecard import PROFIT, ZERO
from kam.pipeline.models import Opportunity, Status


@dataclass(frozen=True)
class EfficiencyRow:
    account: Account
    posture: str
    hours: Decimal
    people: int
    expenses: Decimal
    cost: Decimal
    revenue: Decimal
    margin: Decimal
    collections: Decimal
    revenue_per_hour: Decimal | None
    cost_pct: Decimal | None
    overruns: list[str]
    share: calculations.Allocation | None


@dataclass(frozen=True)
class SellingStyle:
    """Consultative effectiveness beside transactional efficiency, for one rep (§7)."""

    rep: User
    won: int
    average_deal: Decimal | None
    margin_pct: Decimal | None
    win_rate: Decimal | None
    cycle_days: Decimal | None
    visits_per_deal: Decimal | None


EFFICIENCY_ROWS = 200


def efficiency(user: User, *, today: date | None = None) -> list[EfficiencyRow]:
    """Time, people and money spent on each visible account this year against the revenue,
    margin and collections it brought, and where it went beyond the strategy's plan (§1.4, §7).

    The accounts that cost most come first; at most ``EFFICIENCY_ROWS`` of them.
    """
    from kam.receivables.models import Contract, Payment

    today = today or timezone.localdate()
    start = date(today.year, 1, 1)
    accounts = visible_accounts(user)
    spent: dict[int, Any] = {
        row["account"]: row
        for row in Activity.objects.filter(
            account__in=accounts.values("pk"),
            status=ActivityStatus.DONE,
            starts_at__date__gte=start,
            starts_at__date__lte=today,
        )
        .values("account")
        .annotate(minutes=Sum("duration_minutes"), spent=Sum("expenses"))
    }
    people: dict[int, set[int]] = defaultdict(set)
    done = Activity.objects.filter(
        account__in=accounts.values("pk"),
        status=ActivityStatus.DONE,
        starts_at__date__gte=start,
        starts_at__date__lte=today,
    )
    for account_id, owner_id in done.values_list("account", "owner").distinct():
        people[account_id].add(owner_id)
    for account_id, staff_id in (
        Activity.staff.through.objects.filter(activity__in=done.values("pk"))
        .values_list("activity__account", "user")
        .distinct()
    ):
        people[account_id].add(staff_id)
    ids = list(set(spent) | set(people))
    revenue = sales_by_account(ids, start, today)
    margin = dict(
        Contract.objects.filter(account__in=ids, signed_on__gte=start, signed_on__lte=today)
        .values("account")
        .annotate(total=Sum(PROFIT))
        .values_list("account", "total")
    )
    collections = dict(
        Payment.objects.filter(account__in=ids, received_on__gte=start, received_on__lte=today)
        .values("account")
        .annotate(total=Sum("amount"))
        .values_list("account", "total")
    )
    plans = {
        p.strategy: calculations.Allocation(p.planned_hours, p.planned_people, p.planned_budget)
        for p in StrategyAllocation.objects.filter(year=today.year)
    }
    per_strategy = dict(
        Account.objects.exclude(segment="")
        .values("segment")
        .annotate(n=Count("*"))
        .values_list("segment", "n")
    )
    hourly = PerformanceSettings.current().hourly_cost
    rows = []
    for account in Account.objects.filter(pk__in=ids).select_related("owner"):
        row = spent.get(account.pk, {})
        minutes, expenses = row.get("minutes") or 0, row.get("spent") or ZERO
        hours = calculations.hours(minutes)
        cost = calculations.selling_cost(minutes, expenses, hourly)
        income = revenue.get(account.pk, ZERO)
        plan = plans.get(account.segment)
        share = (
            calculations.planned_share(plan, per_strategy.get(account.segment, 0)) if plan else None
        )
        used = calculations.Allocation(hours, len(people.get(account.pk, ())), expenses)
        rows.append(
            EfficiencyRow(
                account=account,
                posture=calculations.posture_for(account.segment),
                hours=hours,
                people=used.people,
                expenses=expenses,
                cost=cost,
                revenue=income,
                margin=Decimal(margin.get(account.pk) or 0).quantize(Decimal("0.01")),
                collections=collections.get(account.pk) or ZERO,
                revenue_per_hour=calculations.per_unit(income, hours),
                cost_pct=calculations.ratio_pct(cost, income),
                overruns=calculations.overruns(used, share),
                share=share,
            )
        )
    rows.sort(key=lambda r: (-r.cost, r.account.name))
    return rows[:EFFICIENCY_ROWS]


def selling_styles(user: User, *, today: date | None = None) -> list[SellingStyle]:
    """Per rep whose deals ``user`` may see: deal size, margin and win rate beside cycle
    length and visits per deal, over deals closed in the last 12 months (§7)."""
    from kam.receivables.models import Contract

    today = today or timezone.localdate()
    start, end, _bs, _be = account_calculations.year_window(today)
    closed = scope_to_visible_accounts(
        Opportunity.objects.filter(closed_on__gte=start, closed_on__lte=end).exclude(
            status=Status.OPEN
        ),
        user,
    )
    stats = {
        row["owner"]: row
        for row in closed.values("owner").annotate(
            won=Count("pk", filter=Q(status=Status.WON)),
            closed=Count("*"),
            won_amount=Sum("amount", filter=Q(status=Status.WON)),
        )
    }
    cycles: dict[int, int] = defaultdict(int)
    for owner_id, closed_on, created_at in closed.filter(status=Status.WON).values_list(
        "owner", "closed_on", "created_at"
    ):
        cycles[owner_id] += calculations.cycle_days(timezone.localdate(created_at), closed_on)
    visits = dict(
        Activity.objects.filter(opportunity__in=closed.values("pk"), status=ActivityStatus.DONE)
        .values("opportunity__owner")
        .annotate(n=Count("*"))
        .values_list("opportunity__owner", "n")
    )
    margins = {
        row["opportunity__owner"]: row
        for row in Contract.objects.filter(
            opportunity__in=closed.filter(status=Status.WON).values("pk")
        )
        .values("opportunity__owner")
        .annotate(revenue=Sum("amount"), profit=Sum(PROFIT))
    }
    reps = {u.pk: u for u in User.objects.filter(pk__in=list(stats))}
    styles = []
    for owner_id, row in stats.items():
        won = row["won"]
        m = margins.get(owner_id)
        styles.append(
            SellingStyle(
                rep=reps[owner_id],
                won=won,
                average_deal=calculations.average(row["won_amount"] or ZERO, won),
                margin_pct=calculations.ratio_pct(Decimal(m["profit"] or 0), m["revenue"] or ZERO)
                if m
                else None,
                win_rate=calculations.ratio_pct(Decimal(won), Decimal(row["closed"])),
                cycle_days=calculations.average(Decimal(cycles.get(owner_id, 0)), won),
                visits_per_deal=calculations.average(
                    Decimal(visits.get(owner_id, 0)), row["closed"]
                ),
            )
        )
    styles.sort(key=lambda s: str(s.rep))
    return styles


def strategy_label(segment: str) -> str:
    return str(Strategy(segment).label) if segment in Strategy.values else ""
