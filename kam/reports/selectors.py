"""Reads of the dashboards and reports.

Nothing here re-states a rule of another area: the forecast comes from
:mod:`kam.forecasting.selectors`, red flags from :mod:`kam.stakeholders.red_flags`,
stalled deals from :mod:`kam.activities.selectors`, aging and overdue invoices
from :mod:`kam.receivables.selectors`, the pyramid and the matrix from
:mod:`kam.accounts.selectors`. What is new (win/loss, activity outcomes, the
cash forecast) is grouped in the database and added up by
:mod:`kam.reports.calculations`. Every read starts from the viewer's visibility.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kam.accounts.models import Strategy
from kam.accounts.visibility import scope_to_visible_accounts, visible_accounts
from kam.activities import selectors as activity_selectors
from kam.activities.models import Activity, ActivityStatus, Kind, Outcome
from kam.core.models import Role, User
from kam.core.money import cents
from kam.forecasting import progress as weekly
from kam.forecasting import scopes
from kam.forecasting import selectors as forecast_selectors
from kam.forecasting.periods import QUARTER, Period
from kam.forecasting.scopes import Scope
from kam.pipeline.models import Opportunity, PipelineSettings, Status
from kam.pipeline.selectors import visible_opportunities
from kam.receivables import selectors as receivable_selectors
from kam.receivables.models import PaymentPromise
from kam.reports import calculations
from kam.reports.calculations import ZERO
from kam.stakeholders.calculations import RedFlag, Severity
from kam.stakeholders.models import Contact
from kam.stakeholders.red_flags import red_flags_for_opportunities
from kam.stakeholders.selectors import visible_contacts
from kam.stakeholders.services import can_see_personal_info

#: The largest open deals whose red flags a dashboard checks: flags cost about ten
#: queries for any number of deals, but their Python work grows with the deals.
RISK_POOL = 60
LIST_ROWS = 10
CASH_MONTHS = 6
ACTIVITY_DAYS = 90
SPECIAL_DAYS_SHOWN = 8

REP = "rep"
MANAGER = "manager"
EXECUTIVE = "executive"
DASHBOARD_KINDS = [REP, MANAGER, EXECUTIVE]
# Each role's dashboard panels, in page order: the page loads them one request apiece
# and the API answers all of them or those asked for, under the same names.
DASHBOARD_PANELS: dict[str, tuple[str, ...]] = {
    REP: (
        "agenda",
        "tasks",
        "forecast",
        "flags",
        "stalled",
        "receivables",
        "special_days",
        "plans",
    ),
    MANAGER: (
        "forecast",
        "progress",
        "aging",
        "flags",
        "stalled",
        "screen",
        "tasks",
        "activities",
        "plans",
    ),
    EXECUTIVE: ("forecast", "pyramid", "matrix", "cash", "risks", "plans"),
}


def dashboard_kind(user: User) -> str:
    """The dashboard a user lands on: a rep theirs, a manager the team's, others the company's."""
    if user.role == Role.REP:
        return REP
    if user.role == Role.MANAGER:
        return MANAGER
    return EXECUTIVE


def current_quarter(today: date) -> Period:
    return Period.of(QUARTER, today)


def local_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


# --- pieces shared by the dashboards -------------------------------------------------


@dataclass(frozen=True)
class FlaggedDeal:
    opportunity: Opportunity
    flags: list[RedFlag]

    @property
    def high(self) -> int:
        return sum(1 for f in self.flags if f.severity == Severity.HIGH)


def flagged_by_amount(deals: QuerySet[Opportunity], *, limit: int = LIST_ROWS) -> list[FlaggedDeal]:
    """The largest open deals that carry red flags, largest first.

    The flags of the :data:`RISK_POOL` largest deals are computed (the rules are
    :mod:`kam.stakeholders.calculations`'); the flagged ones are kept.
    """
    pool = list(
        deals.filter(status=Status.OPEN)
        .select_related("account", "owner", "stage")
        .order_by("-amount", "pk")[:RISK_POOL]
    )
    flags = red_flags_for_opportunities(pool)
    found = [FlaggedDeal(o, flags[o.pk]) for o in pool if flags.get(o.pk)]
    return found[:limit]


@dataclass(frozen=True)
class StalledLine:
    opportunity: Opportunity
    reason: str
    last_progress: date | None


def stalled_by_amount(
    user: User, scope: Scope, *, today: date, limit: int = LIST_ROWS
) -> tuple[int, Decimal, list[StalledLine]]:
    """Count, amount and the largest of the stalled deals in the scope: one
    aggregate and one page of rows, however many deals are stalled."""
    stall_days = PipelineSettings.current().stall_days
    deals = scope.filter(activity_selectors.stalled_deals(user, today=today, stall_days=stall_days))
    totals = deals.aggregate(count=Count("*"), amount=Sum("amount"))
    largest = deals.select_related("account", "owner", "stage").order_by("-amount", "pk")[:limit]
    lines = [
        StalledLine(s.opportunity, s.reason, s.last_progress)
        for s in activity_selectors.explain_stalled(largest, today=today, stall_days=stall_days)
    ]
    return totals["count"], totals["amount"] or ZERO, lines


# --- activity effectiveness ------------------------------------------------------------


@dataclass
class ActivityReport:
    start: date
    end: date
    outcomes: list[tuple[str, str]]
    by_rep: list[calculations.OutcomeTally]
    by_kind: list[calculations.OutcomeTally]
    total: calculations.OutcomeTally


def judged_activities(user: User, scope: Scope, start: date, end: date) -> QuerySet[Activity]:
    """Done activities with an outcome, held between two days, in the scope."""
    return scope.filter(
        activity_selectors.activity_list(user, status=ActivityStatus.DONE)
        .exclude(outcome="")
        .filter(starts_at__gte=local_start(start), starts_at__lt=local_start(end + timedelta(1)))
    )


def activity_effectiveness(user: User, scope: Scope, start: date, end: date) -> ActivityReport:
    """Outcomes (§3.6) per rep and per kind of activity, with the advance rate; two queries.

    One pass over the period's activities counts them per rep, kind and outcome;
    both tables are sums of those counts.
    """
    activities = judged_activities(user, scope, start, end)
    outcomes = [(str(value), str(label)) for value, label in Outcome.choices]
    keys = [value for value, _label in outcomes]
    per_rep: dict[tuple[Any, str], int] = defaultdict(int)
    per_kind: dict[tuple[Any, str], int] = defaultdict(int)
    for owner_id, kind, outcome, n in (
        # COUNT(*), not of the id: PostgreSQL then counts from activity_judged_idx alone.
        activities.values_list("owner_id", "kind", "outcome").annotate(n=Count("*")).order_by()
    ):
        per_rep[(owner_id, outcome)] += n
        per_kind[(kind, outcome)] += n
    owner_ids = {owner for owner, _o in per_rep}
    owners = [
        (u.pk, str(u))
        for u in User.objects.filter(pk__in=owner_ids).order_by("team__path", "username")
    ]
    kinds = [(str(v), str(label)) for v, label in Kind.choices if any(k == v for k, _o in per_kind)]
    by_rep = calculations.tally(owners, per_rep, keys)
    by_kind = calculations.tally(kinds, per_kind, keys)
    return ActivityReport(
        start=start,
        end=end,
        outcomes=outcomes,
        by_rep=by_rep,
        by_kind=by_kind,
        total=calculations.total_tally(by_rep, _("Total")),
    )


# --- win / loss ------------------------------------------------------------------------

CLOSED = (Status.WON, Status.LOST, Status.NO_DECISION)
NONE_WON = ("none", "无", "没有", "无人")


@dataclass
class WinLossReport:
    period: Period
    rates: calculations.WinRates
    statuses: list[calculations.WinLossLine]
    reasons_lost: list[calculations.WinLossLine]
    reasons_won: list[calculations.WinLossLine]
    competitors: list[calculations.WinLossLine]
    stages_lost: list[calculations.WinLossLine]
    months: list[tuple[str, dict[str, calculations.WinLossLine]]] = field(default_factory=list)


def closed_deals(user: User, scope: Scope, period: Period) -> QuerySet[Opportunity]:
    """Deals won, lost or ended without decision in the period, in the scope."""
    return scope.filter(visible_opportunities(user)).filter(
        status__in=CLOSED, closed_on__gte=period.start, closed_on__lte=period.end
    )


def _first_labels(
    deals: QuerySet[Opportunity], status: str, field_name: str, raw_texts: dict[str, set[str]]
) -> dict[str, str]:
    """The label of each normalised text written more than one way: the first deal's.

    Read in the deals' own order, as the report always took the first deal's wording;
    only the deals carrying one of those ``raw_texts`` (normalised key → raw texts).
    """
    wanted = {raw: key for key, raws in raw_texts.items() for raw in raws}
    labels: dict[str, str] = {}
    rows = deals.filter(status=status, **{f"{field_name}__in": list(wanted)})
    for raw in rows.values_list(field_name, flat=True).iterator():
        labels.setdefault(wanted[raw], " ".join(raw.split()))
        if len(labels) == len(raw_texts):
            break
    return labels


def _text_items(
    deals: QuerySet[Opportunity],
    status: str,
    field_name: str,
    groups: list[tuple[str, int, Decimal]],
    *,
    skip: tuple[str, ...] = (),
) -> list[tuple[str, str, int, Decimal]]:
    """(normalised key, label, deals, amount) of the groups of one free-text field.

    ``groups`` are (raw text, deals, amount); empty texts and the ``skip`` keys are
    left out. A key written one way only is labelled from its groups; one written
    several ways takes the first deal's wording (:func:`_first_labels`).
    """
    items = []
    spellings: dict[str, set[str]] = defaultdict(set)
    raws: dict[str, set[str]] = defaultdict(set)
    for raw, n, amount in groups:
        if not raw.strip():
            continue
        key = calculations.normalise_reason(raw)
        if key in skip:
            continue
        label = " ".join(raw.split())
        spellings[key].add(label)
        raws[key].add(raw)
        items.append((key, label, n, amount))
    several = {key: raws[key] for key, labels in spellings.items() if len(labels) > 1}
    if several:
        first = _first_labels(deals, status, field_name, several)
        items = [(key, first.get(key, label), n, amount) for key, label, n, amount in items]
    return items


def win_loss(user: User, scope: Scope, period: Period, *, limit: int = 15) -> WinLossReport:
    """Why deals were won and lost, to whom, and at which stage (one grouped query).

    The deals are counted and summed in the database per status, day, reason,
    competitor and stage: every figure is a sum of those groups, so what is read into
    Python is at most one row per group, however many deals closed. (One query, not
    one per figure: each pays for the viewer's visibility again.)
    """
    deals = closed_deals(user, scope, period)
    rows = list(
        deals.values_list(
            "status",
            "close_reason",
            "winning_competitor",
            "stage_id",
            "stage__name_zh",
            "stage__name_en",
            "stage__order",
            "closed_on",
        )
        .annotate(n=Count("*"), c=Sum(cents(F("amount"))))
        .order_by()
    )
    status_labels: dict[str, Any] = {s: str(label) for s, label in Status.choices}
    english = not (get_language() or "zh-hans").lower().startswith("zh")
    # (status, reason, competitor, stage, name_zh, name_en, order, deals, amount)
    groups = [(*r[:7], r[8], calculations.amount_of_cents(r[9])) for r in rows]
    day_rows = [(r[0], r[7], g[7], g[8]) for r, g in zip(rows, groups, strict=True)]
    statuses = calculations.group_counted(
        (status, status_labels[status], n, amount) for status, _day, n, amount in day_rows
    )
    order: dict[str, int] = {str(s): i for i, s in enumerate(CLOSED)}
    statuses.sort(key=lambda line: order[line.key])
    totals = {line.key: line for line in statuses}
    lost = [r for r in groups if r[0] == Status.LOST]
    won = [r for r in groups if r[0] == Status.WON]

    def texts(chosen: list[tuple[Any, ...]], column: int) -> list[tuple[str, int, Decimal]]:
        return [(r[column], r[7], r[8]) for r in chosen]

    stages = sorted(
        {(r[3], r[6], r[5] if english else r[4]) for r in lost}, key=lambda s: (s[1], s[0])
    )
    stage_label = {s[0]: s[2] for s in stages}
    stage_lines = calculations.group_counted(
        (str(r[3]), stage_label[r[3]], r[7], r[8]) for r in lost
    )
    stage_order = {str(s[0]): i for i, s in enumerate(stages)}
    stage_lines.sort(key=lambda line: stage_order[line.key])
    months: list[tuple[str, dict[str, calculations.WinLossLine]]] = []
    for month in period.months():
        lines = calculations.group_counted(
            (status, status, n, amount)
            for status, day, n, amount in day_rows
            if day is not None and month.contains(day)
        )
        months.append((month.key, {line.key: line for line in lines}))
    won_total, lost_total = totals.get(Status.WON), totals.get(Status.LOST)
    return WinLossReport(
        period=period,
        rates=calculations.WinRates(
            won=won_total.count if won_total else 0,
            lost=lost_total.count if lost_total else 0,
            won_amount=won_total.amount if won_total else ZERO,
            lost_amount=lost_total.amount if lost_total else ZERO,
        ),
        statuses=statuses,
        reasons_lost=calculations.group_counted(
            _text_items(deals, Status.LOST, "close_reason", texts(lost, 1)), limit=limit
        ),
        reasons_won=calculations.group_counted(
            _text_items(deals, Status.WON, "close_reason", texts(won, 1)), limit=limit
        ),
        competitors=calculations.group_counted(
            _text_items(deals, Status.LOST, "winning_competitor", texts(lost, 2), skip=NONE_WON),
            limit=limit,
        ),
        stages_lost=stage_lines,
        months=months,
    )


def win_loss_deals(
    user: User,
    scope: Scope,
    period: Period,
    *,
    status: str = "",
    reason: str = "",
    competitor: str = "",
    stage: int | None = None,
    month: Period | None = None,
) -> QuerySet[Opportunity]:
    """Drill-down: the closed deals behind one figure of the win/loss report."""
    deals = closed_deals(user, scope, period).select_related("account", "owner", "stage")
    if status in CLOSED:
        deals = deals.filter(status=status)
    if stage is not None:
        deals = deals.filter(stage_id=stage)
    if month is not None:
        deals = deals.filter(closed_on__gte=month.start, closed_on__lte=month.end)
    if reason or competitor:
        # Free text is grouped after normalising it, so the match is made the same way.
        field_name = "close_reason" if reason else "winning_competitor"
        wanted = calculations.normalise_reason(reason or competitor)
        ids = [
            pk
            for pk, text in deals.values_list("pk", field_name)
            if calculations.normalise_reason(text) == wanted
        ]
        deals = deals.filter(pk__in=ids)
    return deals


# --- special days ---------------------------------------------------------------------


@dataclass(frozen=True)
class SpecialDay:
    contact: Contact
    day: date


def birthdays_this_week(user: User, today: date) -> list[SpecialDay]:
    """People at the user's customers whose birthday falls in this week.

    Only where the user may see personal information (§7: the account team and
    their managers; not finance or administrators). Showing the date is a view of
    personal information: the page logs it through
    :func:`kam.reports.services.log_special_days_shown`.
    """
    monday, _sunday = calculations.week_bounds(today)
    days = [monday + timedelta(days=i) for i in range(7)]
    when = Q()
    for day in days:
        when |= Q(personal_info__birthday__month=day.month, personal_info__birthday__day=day.day)
    contacts = list(
        visible_contacts(user)
        .filter(when, erased_at__isnull=True, has_left=False)
        .select_related("account", "personal_info")
        .order_by("account__name", "name")[: SPECIAL_DAYS_SHOWN * 2]
    )
    allowed: dict[int, bool] = {}
    found = []
    for contact in contacts:
        if contact.account_id not in allowed:
            allowed[contact.account_id] = can_see_personal_info(user, contact.account)
        if not allowed[contact.account_id]:
            continue
        birthday = contact.personal_info.birthday
        assert birthday is not None
        day = next(d for d in days if (d.month, d.day) == (birthday.month, birthday.day))
        found.append(SpecialDay(contact, day))
        if len(found) == SPECIAL_DAYS_SHOWN:
            break
    return sorted(found, key=lambda s: (s.day, s.contact.name))


@dataclass(frozen=True)
class HomeSummary:
    accounts: int
    open_opportunities: int
    open_amount: Decimal
    upcoming_activities: list[Activity]


def home_summary(user: User) -> HomeSummary:
    """What the signed-in user sees first: their book and the week ahead."""
    now = timezone.now()
    accounts = visible_accounts(user)
    if user.role == Role.REP:
        accounts = accounts.filter(owner=user)
    open_opps = scope_to_visible_accounts(Opportunity.objects.filter(status=Status.OPEN), user)
    if user.role == Role.REP:
        open_opps = open_opps.filter(owner=user)
    totals = open_opps.aggregate(n=Count("*"), amount=Sum("amount"))
    upcoming = (
        scope_to_visible_accounts(Activity.objects.all(), user)
        .filter(
            owner=user,
            status=ActivityStatus.PLANNED,
            starts_at__gte=now,
            starts_at__lt=now + timedelta(days=7),
        )
        .select_related("account", "opportunity")
        .order_by("starts_at")[:10]
    )
    return HomeSummary(
        accounts=accounts.count(),
        open_opportunities=totals["n"] or 0,
        open_amount=totals["amount"] or Decimal(0),
        upcoming_activities=list(upcoming),
    )


# --- the three dashboards ------------------------------------------------------------


@dataclass
class RepAgenda:
    today: date
    week: tuple[date, date]
    summary: HomeSummary
    today_activities: list[Activity]
    week_activities: list[Activity]


def rep_agenda(user: User, today: date) -> RepAgenda:
    """The rep's book in two figures and the activities of today and of this week."""
    monday, sunday = calculations.week_bounds(today)
    week = list(
        activity_selectors.calendar_activities(
            user, start=local_start(monday), end=local_start(sunday + timedelta(days=1))
        ).select_related("opportunity")[:50]
    )
    return RepAgenda(
        today=today,
        week=(monday, sunday),
        summary=home_summary(user),
        today_activities=[a for a in week if timezone.localdate(a.starts_at) == today],
        week_activities=week,
    )


@dataclass
class RepReceivables:
    overdue_total: Decimal
    overdue: list[Any]
    promises: list[PaymentPromise]


def rep_receivables(user: User, today: date) -> RepReceivables:
    """The rep's own overdue invoices and the promises to pay due by Sunday."""
    _monday, sunday = calculations.week_bounds(today)
    overdue = receivable_selectors.overdue_invoices(user, today).filter(owner=user)
    promises = (
        receivable_selectors.visible_promises(user)
        .filter(status=PaymentPromise.Status.OPEN, due_on__lte=sunday, account__owner=user)
        .select_related("account", "invoice", "contact")
        .order_by("due_on", "pk")
    )
    return RepReceivables(
        overdue_total=overdue.aggregate(s=Sum("open_amount"))["s"] or ZERO,
        overdue=list(overdue[:LIST_ROWS]),
        promises=list(promises[:LIST_ROWS]),
    )


def rep_scope(user: User) -> Scope:
    return Scope(scopes.REP, rep=user)


def rep_forecast(user: User, today: date) -> forecast_selectors.ForecastReport:
    return forecast_selectors.forecast_report(
        user, rep_scope(user), current_quarter(today), today=today, with_breakdown=False
    )


def my_flagged(user: User) -> list[FlaggedDeal]:
    return flagged_by_amount(visible_opportunities(user).filter(owner=user))


def team_progress(user: User, scope: Scope) -> list[Any]:
    week = weekly.latest_snapshot_week()
    return weekly.progress_weeks(user, scope, until=week) if week else []


def team_flagged(user: User, scope: Scope) -> list[FlaggedDeal]:
    return flagged_by_amount(scope.filter(visible_opportunities(user)))


def team_activities(user: User, scope: Scope, today: date) -> ActivityReport:
    return activity_effectiveness(user, scope, today - timedelta(days=ACTIVITY_DAYS - 1), today)


@dataclass(frozen=True)
class SegmentCount:
    strategy: str
    label: str
    accounts: int


def segment_counts(user: User) -> tuple[list[SegmentCount], int]:
    """Visible accounts per attack / defend segment (§1.4), and those not placed yet.

    The segment is the one :mod:`kam.accounts.services` stores with each assessment
    (the matrix's rule), so the count is one grouped query and a bar opens the
    account list filtered by that segment.
    """
    counts = dict(visible_accounts(user).values_list("segment").annotate(n=Count("*")).order_by())
    rows = [SegmentCount(str(v), str(label), counts.get(v, 0)) for v, label in Strategy.choices]
    return rows, counts.get("", 0)


def company_overdue(user: User, today: date) -> tuple[Decimal, list[Any]]:
    """All overdue receivables the user may see, and the heaviest five invoices."""
    total = receivable_selectors.aging(user, "company", today).totals.overdue
    return total, list(receivable_selectors.overdue_invoices(user, today)[:5])
