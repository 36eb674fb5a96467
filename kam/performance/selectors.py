"""Reads of team performance (DOMAIN.md §1.4, §1.5, §7); all start from visibility.

Figures are aggregated in the database per account (a few grouped queries, whatever
the number of accounts) and handed to the pure rules of :mod:`.calculations`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts import calculations as account_calculations
from kam.accounts.models import Account, Strategy, StrategyAllocation, Tier
from kam.accounts.selectors import sales_by_account
from kam.accounts.visibility import scope_to_visible_accounts, visible_accounts
from kam.activities.models import Activity, ActivityStatus, Outcome
from kam.core.models import Team, User
from kam.core.visibility import managed_team_ids
from kam.performance import calculations
from kam.performance.models import (
    PerformanceSettings,
    Posture,
    ScorecardIndicator,
    SkillAssessment,
    SkillDimension,
    SurveyInvitation,
    SurveyResponse,
)
from kam.pipeline.models import Opportunity, Status

ZERO = Decimal(0)
PROFIT = ExpressionWrapper(
    F("amount") * F("gross_margin_pct") / 100,
    output_field=DecimalField(max_digits=20, decimal_places=4),
)


# --- who may see whose skills (§7) -------------------------------------------------


def coachable_reps(user: User) -> QuerySet[User]:
    """The people ``user`` may assess: a manager's subtree, everyone for a director.

    Nobody assesses themselves; finance and reps assess nobody.
    """
    if not user.is_authenticated or not user.is_active:
        return User.objects.none()
    if user.sees_everything:
        return User.objects.filter(is_active=True).exclude(pk=user.pk)
    team_ids = managed_team_ids(user)
    if not team_ids:
        return User.objects.none()
    return User.objects.filter(is_active=True, team_id__in=team_ids).exclude(pk=user.pk)


def viewable_reps(user: User) -> QuerySet[User]:
    """Whose skills and coaching page ``user`` may open: their own, and whom they coach."""
    if not user.is_authenticated or not user.is_active:
        return User.objects.none()
    return User.objects.filter(Q(pk=user.pk) | Q(pk__in=coachable_reps(user).values("pk")))


def visible_assessments(user: User) -> QuerySet[SkillAssessment]:
    """A rep sees their own assessments, never another rep's; a manager their subtree's."""
    return SkillAssessment.objects.filter(rep__in=viewable_reps(user).values("pk")).select_related(
        "rep", "assessed_by"
    )


def latest_skill_levels(rep_ids: list[int]) -> dict[int, SkillAssessment]:
    """The most recent assessment of each rep, in one query."""
    latest: dict[int, SkillAssessment] = {}
    for row in SkillAssessment.objects.filter(rep_id__in=rep_ids).order_by(
        "rep_id", "-assessed_on", "-pk"
    ):
        latest.setdefault(row.rep_id, row)
    return latest


def skill_of(assessment: SkillAssessment | None) -> Decimal | None:
    if assessment is None:
        return None
    return calculations.skill_average([getattr(assessment, d.value) for d in SkillDimension])


# --- scopes ------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Whose scorecard: one rep, a team's subtree, or the company."""

    key: str
    label: str
    rep_ids: tuple[int, ...]
    rep: User | None = None
    team: Team | None = None


def rep_scope(rep: User) -> Scope:
    return Scope(key=f"rep-{rep.pk}", label=str(rep), rep_ids=(rep.pk,), rep=rep)


def team_scopes(user: User) -> list[Scope]:
    """The teams (and, for directors, the company) whose scorecard ``user`` may read."""
    if not user.is_authenticated or not user.is_active:
        return []
    scopes: list[Scope] = []
    teams = list(Team.objects.all()) if user.sees_everything else []
    if user.sees_everything:
        scopes.append(
            Scope(
                key="company",
                label=str(_company_label()),
                rep_ids=tuple(User.objects.filter(is_active=True).values_list("pk", flat=True)),
            )
        )
    else:
        ids = managed_team_ids(user)
        teams = list(Team.objects.filter(pk__in=ids))
    members: dict[int, list[int]] = defaultdict(list)
    for pk, team_id in User.objects.filter(is_active=True, team__isnull=False).values_list(
        "pk", "team_id"
    ):
        members[team_id].append(pk)
    all_teams = list(Team.objects.values_list("pk", "path"))
    for team in teams:
        subtree = [pk for pk, path in all_teams if path.startswith(team.path)]
        reps = tuple(sorted(pk for t in subtree for pk in members.get(t, [])))
        scopes.append(Scope(key=f"team-{team.pk}", label=team.name, rep_ids=reps, team=team))
    return scopes


def _company_label() -> str:
    from django.utils.translation import gettext

    return gettext("Company")


# --- the balanced scorecard (§1.4) -------------------------------------------------


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


# --- sales resource efficiency (§7) ------------------------------------------------


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


# --- customer loyalty (§1.5) -------------------------------------------------------


@dataclass(frozen=True)
class Loyalty:
    account: Account
    answers: int
    latest: Decimal | None
    previous: Decimal | None
    supplier: Decimal | None
    falling: bool
    quarters: list[tuple[tuple[int, int], Decimal]]


def visible_responses(user: User) -> QuerySet[SurveyResponse]:
    return scope_to_visible_accounts(SurveyResponse.objects.all(), user)


def visible_invitations(user: User) -> QuerySet[SurveyInvitation]:
    return scope_to_visible_accounts(SurveyInvitation.objects.all(), user).select_related(
        "account", "contact", "created_by"
    )


def _loyalty(accounts: list[Account], since: date) -> list[Loyalty]:
    answers: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    supplier: dict[int, list[Decimal]] = defaultdict(list)
    for account_id, day, loyalty, rating in SurveyResponse.objects.filter(
        account__in=[a.pk for a in accounts], answered_on__gte=since
    ).values_list("account", "answered_on", "loyalty_score", "supplier_score"):
        answers[account_id].append((day, loyalty))
        supplier[account_id].append(rating)
    drop = PerformanceSettings.current().loyalty_drop_points
    result = []
    for a in accounts:
        quarters = calculations.loyalty_by_quarter(answers.get(a.pk, []))
        trend = calculations.loyalty_trend(answers.get(a.pk, []))
        rated = supplier.get(a.pk, [])
        result.append(
            Loyalty(
                account=a,
                answers=len(answers.get(a.pk, [])),
                latest=quarters[-1][1] if quarters else None,
                previous=trend[0] if trend else None,
                supplier=calculations.mean(rated),
                falling=a.tier == Tier.KEY and calculations.loyalty_falling(trend, drop),
                quarters=quarters,
            )
        )
    return result


def loyalty_overview(user: User, *, today: date | None = None) -> list[Loyalty]:
    """Every visible account with survey answers in the last two years: the loyal first,
    the slipping key accounts flagged (§1.5)."""
    today = today or timezone.localdate()
    since = today - timedelta(days=730)
    ids = visible_responses(user).filter(answered_on__gte=since).values("account")
    accounts = list(Account.objects.filter(pk__in=ids).select_related("owner"))
    rows = _loyalty(accounts, since)
    rows.sort(key=lambda r: (not r.falling, -(r.latest or ZERO), r.account.name))
    return rows


def loyalty_of(account: Account, *, today: date | None = None) -> Loyalty:
    today = today or timezone.localdate()
    return _loyalty([account], today - timedelta(days=730))[0]


def falling_loyalty(
    account_ids: list[int], *, today: date | None = None
) -> dict[int, tuple[Decimal, Decimal]]:
    """Key accounts among ``account_ids`` whose quarterly loyalty fell past the company's
    threshold: (previous, latest) per account. Read by the red flags (§2.3); at most two
    queries, one when no key account was surveyed."""
    today = today or timezone.localdate()
    answers: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for account_id, day, score in SurveyResponse.objects.filter(
        account__in=account_ids,
        account__tier=Tier.KEY,
        answered_on__gte=today - timedelta(days=730),
        answered_on__lte=today,
    ).values_list("account", "answered_on", "loyalty_score"):
        answers[account_id].append((day, score))
    if not answers:
        return {}
    drop = PerformanceSettings.current().loyalty_drop_points
    found = {}
    for account_id, rows in answers.items():
        trend = calculations.loyalty_trend(rows)
        if trend is not None and calculations.loyalty_falling(trend, drop):
            found[account_id] = trend
    return found


def openness_from_surveys(account_ids: list[int], today: date) -> dict[int, Decimal]:
    """Mean answer (1-5) to "open to our ideas" over the last 12 months, per account:
    the data behind key-account criterion 7 (§1.2)."""
    start, end, _bs, _be = account_calculations.year_window(today)
    return {
        account_id: Decimal(mean).quantize(Decimal("0.01"))
        for account_id, mean in SurveyResponse.objects.filter(
            account__in=account_ids, answered_on__gte=start, answered_on__lte=end
        )
        .values("account")
        .annotate(mean=Avg("open_to_ideas"))
        .values_list("account", "mean")
        if mean is not None
    }


def strategy_label(segment: str) -> str:
    return str(Strategy(segment).label) if segment in Strategy.values else ""
