"""The balanced scorecard of a scope (§1.4), from per-account facts aggregated in the
database (a few grouped queries, whatever the number of accounts)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts import calculations as account_calculations
from kam.accounts.models import Account
from kam.accounts.selectors import sales_by_account
from kam.activities.models import Activity, ActivityStatus, Outcome
from kam.performance import calculations
from kam.performance.models import (
    PerformanceSettings,
    Posture,
    ScorecardIndicator,
    SurveyResponse,
)
from kam.performance.selectors.scopes import Scope
from kam.performance.selectors.skills import latest_skill_levels, skill_of
from kam.pipeline.models import Opportunity, Status

ZERO = Decimal(0)
PROFIT = ExpressionWrapper(
    F("amount") * F("gross_margin_pct") / 100,
    output_field=DecimalField(max_digits=20, decimal_places=4),
)


def account_facts(
    accounts: QuerySet[Account] | list[Account], today: date
) -> list[calculations.AccountFacts]:
    """The scorecard facts of each account, in a fixed number of grouped queries."""
    rows = list(accounts) if not isinstance(accounts, list) else accounts
    ids = [a.pk for a in rows]
    if not ids:
        return []
    start, end, before_start, before_end = account_calculations.year_window(today)
    sales = sales_by_account(ids, start, end)
    sales_before = sales_by_account(ids, before_start, before_end)
    from kam.receivables.models import Contract, Invoice

    profit: dict[int, Decimal] = defaultdict(lambda: ZERO)
    profit_before: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for account_id, signed_recent, total in (
        Contract.objects.filter(account__in=ids, signed_on__gte=before_start, signed_on__lte=end)
        .annotate(recent=Q(signed_on__gte=start))
        .values_list("account", "recent")
        .annotate(total=Sum(PROFIT))
    ):
        (profit if signed_recent else profit_before)[account_id] += Decimal(total or 0)
    activity: dict[int, Any] = {
        row["account"]: row
        for row in Activity.objects.filter(
            account__in=ids,
            status=ActivityStatus.DONE,
            starts_at__date__gte=start,
            starts_at__date__lte=end,
        )
        .values("account")
        .annotate(
            minutes=Sum("duration_minutes"),
            spent=Sum("expenses"),
            outcomes=Count("pk", filter=~Q(outcome="")),
            advances=Count("pk", filter=Q(outcome__in=[Outcome.ADVANCE, Outcome.ORDER])),
        )
    }
    deals: dict[int, Any] = {
        row["account"]: row
        for row in Opportunity.objects.filter(account__in=ids)
        .filter(Q(status=Status.OPEN) | Q(closed_on__gte=start, closed_on__lte=end))
        .values("account")
        .annotate(
            open=Count("pk", filter=Q(status=Status.OPEN)),
            won=Count("pk", filter=Q(status=Status.WON)),
            won_amount=Sum("amount", filter=Q(status=Status.WON)),
            lost=Count("pk", filter=Q(status__in=[Status.LOST, Status.NO_DECISION])),
        )
    }
    cycles: dict[int, int] = defaultdict(int)
    for account_id, closed_on, created_at in Opportunity.objects.filter(
        account__in=ids, status=Status.WON, closed_on__gte=start, closed_on__lte=end
    ).values_list("account", "closed_on", "created_at"):
        cycles[account_id] += calculations.cycle_days(timezone.localdate(created_at), closed_on)
    invoices: dict[int, Any] = {
        row["account"]: row
        for row in Invoice.objects.filter(account__in=ids, due_date__gte=start, due_date__lte=end)
        .values("account")
        .annotate(due=Sum("amount"), credited=Sum("credited_amount"), paid=Sum("paid_amount"))
    }
    loyalty = dict(
        SurveyResponse.objects.filter(account__in=ids, answered_on__gte=start, answered_on__lte=end)
        .values("account")
        .annotate(mean=Avg("loyalty_score"))
        .values_list("account", "mean")
    )
    facts = []
    for a in rows:
        act = activity.get(a.pk, {})
        deal = deals.get(a.pk, {})
        inv = invoices.get(a.pk, {})
        facts.append(
            calculations.AccountFacts(
                account_id=a.pk,
                posture=calculations.posture_for(a.segment),
                sales=sales.get(a.pk, ZERO),
                sales_before=sales_before.get(a.pk, ZERO),
                profit=profit.get(a.pk, ZERO),
                profit_before=profit_before.get(a.pk, ZERO),
                purchase_potential=a.purchase_potential,
                activity_minutes=act.get("minutes") or 0,
                expenses=act.get("spent") or ZERO,
                outcomes=act.get("outcomes", 0),
                advances=act.get("advances", 0),
                open_deals=deal.get("open", 0),
                won_deals=deal.get("won", 0),
                won_amount=deal.get("won_amount") or ZERO,
                lost_deals=deal.get("lost", 0),
                cycle_days=cycles.get(a.pk, 0),
                invoiced_due=(inv.get("due") or ZERO) - (inv.get("credited") or ZERO),
                collected=inv.get("paid") or ZERO,
                loyalty=Decimal(loyalty[a.pk]) if loyalty.get(a.pk) is not None else None,
            )
        )
    return facts


@dataclass(frozen=True)
class ScorecardRow:
    indicator: ScorecardIndicator
    target: Decimal
    overall: Decimal | None
    by_posture: dict[str, calculations.IndicatorLine]
    # Set when the figure was capped because the data behind it cannot be right.
    warning: str = ""


@dataclass(frozen=True)
class Scorecard:
    scope: Scope
    rows: list[ScorecardRow]
    totals: dict[str, Decimal | None]
    accounts: dict[str, int]
    overall: Decimal | None
    bookings: Decimal
    bookings_target: Decimal | None
    skill_level: Decimal | None
    postures: list[tuple[str, Any]] = field(default_factory=lambda: list(Posture.choices))

    def posture_columns(self) -> list[tuple[str, str, int, Decimal | None]]:
        return [(k, str(label), self.accounts[k], self.totals[k]) for k, label in self.postures]


def scorecard(scope: Scope, *, today: date | None = None) -> Scorecard:
    """The balanced scorecard of a rep or a team (§1.4): every indicator per posture of
    account (attack, defend, maintain) against its target, weighted per posture."""
    from kam.forecasting.models import Metric
    from kam.forecasting.periods import Period
    from kam.forecasting.selectors import TargetBook

    today = today or timezone.localdate()
    accounts = list(Account.objects.filter(owner_id__in=scope.rep_ids))
    facts = account_facts(accounts, today)
    year = Period.of("year", today)
    book = TargetBook(Metric.BOOKINGS, year)
    if scope.rep is not None:
        target = book.for_user(scope.rep).effective
    elif scope.team is not None:
        target = book.for_team(scope.team).effective
    else:
        target = book.for_company().effective
    bookings = sum(
        sales_by_account(
            Account.objects.filter(owner_id__in=scope.rep_ids), year.start, today
        ).values(),
        ZERO,
    )
    latest = latest_skill_levels(list(scope.rep_ids))
    skills = [s for s in (skill_of(latest.get(pk)) for pk in scope.rep_ids) if s is not None]
    scope_facts = calculations.ScopeFacts(
        reps=len(scope.rep_ids),
        bookings=bookings,
        bookings_target=target,
        skill_level=calculations.average(sum(skills, ZERO), len(skills)),
        hourly_cost=PerformanceSettings.current().hourly_cost,
    )
    indicators = list(ScorecardIndicator.objects.order_by("order"))
    overall_values, share_capped = calculations.cap_share_of_wallet(
        calculations.indicator_values(facts, scope_facts)
    )
    by_posture = {}
    for p in Posture.values:
        by_posture[p], capped = calculations.cap_share_of_wallet(
            calculations.indicator_values([f for f in facts if f.posture == p], scope_facts)
        )
        share_capped = share_capped or capped
    counts = {p: sum(1 for f in facts if f.posture == p) for p in Posture.values}
    rows = []
    for ind in indicators:
        target_value = calculations.scope_target(ind.key, ind.target, scope_facts.reps)
        if ind.key == "bookings_attainment":
            target_value = Decimal(100)
        lines = {}
        for p in Posture.values:
            value = by_posture[p].get(ind.key) if counts[p] else None
            lines[p] = calculations.IndicatorLine(
                key=ind.key,
                perspective=ind.perspective,
                value=value,
                target=target_value,
                weight=ind.weight(p),
                score=calculations.indicator_score(value, target_value, ind.higher_is_better),
            )
        warning = ""
        if ind.key == "share_of_wallet" and share_capped:
            warning = _(
                "Won business is above the purchase potential, which looks too low: shown as 100%."
            )
        rows.append(ScorecardRow(ind, target_value, overall_values.get(ind.key), lines, warning))
    totals = {
        p: calculations.weighted_score([r.by_posture[p] for r in rows]) for p in Posture.values
    }
    return Scorecard(
        scope=scope,
        rows=rows,
        totals=totals,
        accounts=counts,
        overall=calculations.posture_mix({p: (totals[p], counts[p]) for p in Posture.values}),
        bookings=bookings,
        bookings_target=target,
        skill_level=scope_facts.skill_level,
    )
