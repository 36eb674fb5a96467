"""The weekly funnel review's agenda, built from the data (DOMAIN.md §3.3, §3.6, §5).

Per rep of the team: the open deals failing a gate of the twenty questions or due for a
new evaluation, stalled deals, red flags raised since the last review, deals that moved
back a stage or whose close date was pushed out in the week's snapshot, and the rep's
week: the change in forecast and its coverage of the quarter's target. Every item
carries the question the manager asks (:mod:`.questions`).

Everything starts from what the viewer may see. The queries are one per kind of item
plus one per rep for the week's figures, whatever the number of deals.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.activities.selectors import explain_stalled, stalled_deals
from kam.core.models import Role, User
from kam.core.visibility import visible_users
from kam.forecasting.calculations import WeekProgress, coverage
from kam.forecasting.models import FunnelReview, ReviewDecision
from kam.forecasting.periods import Week
from kam.forecasting.progress import progress_weeks, visible_snapshots
from kam.forecasting.review.questions import GATE_REASONS, Item, Reason
from kam.forecasting.scopes import REP, Scope
from kam.forecasting.snapshots import CHANGE_CONDITIONS
from kam.pipeline.models import Opportunity, PipelineSettings, Status
from kam.pipeline.selectors import reevaluation_due, visible_opportunities
from kam.stakeholders.red_flags import red_flags_for_opportunities

#: The order items are shown in, within a deal.
ORDER = {reason: position for position, reason in enumerate(Reason.values)}


@dataclass(frozen=True)
class ItemGroup:
    """The items of one reason on one deal: asked once, with each detail."""

    reason: str
    label: str
    question: str
    details: tuple[str, ...]


@dataclass
class AgendaDeal:
    opportunity: Opportunity
    items: list[Item] = field(default_factory=list)
    decisions: list[ReviewDecision] = field(default_factory=list)

    @property
    def groups(self) -> list[ItemGroup]:
        """The items by reason, in the meeting's order (several red flags: one question)."""
        by_reason: dict[str, list[Item]] = {}
        for item in self.items:
            by_reason.setdefault(item.reason, []).append(item)
        return [
            ItemGroup(
                reason,
                found[0].label,
                found[0].question,
                tuple(i.detail for i in found if i.detail),
            )
            for reason, found in sorted(by_reason.items(), key=lambda pair: ORDER[pair[0]])
        ]


@dataclass
class RepAgenda:
    rep: User
    deals: list[AgendaDeal]
    week: WeekProgress | None

    @property
    def forecast_change(self) -> Decimal | None:
        """This week's forecast less last week's: the pipeline's change plus the sales'."""
        if self.week is None or self.week.pipeline_change is None:
            return None
        return self.week.pipeline_change + self.week.sales_change

    @property
    def forecast(self) -> Decimal | None:
        return self.week.forecast if self.week else None

    @property
    def target(self) -> Decimal | None:
        return self.week.target if self.week else None

    @property
    def coverage(self) -> Decimal | None:
        return coverage(self.week.forecast, self.week.target) if self.week else None


@dataclass
class Agenda:
    scope: Scope
    week: Week
    review: FunnelReview | None
    previous_review: FunnelReview | None
    reps: list[RepAgenda]

    @property
    def item_count(self) -> int:
        return sum(len(d.items) for r in self.reps for d in r.deals)


def reps_of(user: User, scope: Scope) -> list[User]:
    """The people whose deals the review goes through: the scope's active members the
    viewer sees (or the one rep), reps and managers alike."""
    if scope.rep is not None:
        return [scope.rep]
    assert scope.team is not None
    return list(
        visible_users(user)
        .filter(team_id__in=scope.subtree_team_ids, is_active=True)
        .order_by("last_name", "first_name", "username")
    )


def review_of(scope: Scope, week: Week) -> tuple[FunnelReview | None, FunnelReview | None]:
    """The team's review of ``week`` if held, and the one before it."""
    if scope.team is None:
        return None, None
    reviews = FunnelReview.objects.filter(team=scope.team, week__lte=week.monday).order_by("-week")[
        :2
    ]
    held = list(reviews)
    current = held[0] if held and held[0].week == week.monday else None
    before = [r for r in held if r.week < week.monday]
    return current, (before[0] if before else None)


def _gate_items(deals: QuerySet[Opportunity], max_age_days: int) -> dict[int, list[Item]]:
    items: dict[int, list[Item]] = defaultdict(list)
    failing = Q()
    for gate in GATE_REASONS:
        failing |= Q(**{f"passes_{gate}": False})
    rows = deals.filter(failing).values_list("pk", *(f"passes_{gate}" for gate in GATE_REASONS))
    for pk, *passes in rows:
        for gate, passed in zip(GATE_REASONS, passes, strict=True):
            if passed is False:
                items[pk].append(Item(GATE_REASONS[gate]))
    for pk, evaluated_at in deals.filter(reevaluation_due(max_age_days)).values_list(
        "pk", "evaluated_at"
    ):
        detail = (
            _("Last evaluated on %(day)s.") % {"day": timezone.localdate(evaluated_at)}
            if evaluated_at
            else _("Never evaluated.")
        )
        items[pk].append(Item(Reason.REEVALUATE, detail))
    return items


def _stalled_items(user: User, scope: Scope, today: date, stall_days: int) -> dict[int, Item]:
    deals = scope.filter(stalled_deals(user, today=today, stall_days=stall_days)).only(
        "pk", "last_outcome", "previous_outcome", "progressed_at"
    )
    return {
        s.opportunity.pk: Item(Reason.STALLED, s.reason)
        for s in explain_stalled(deals, today=today, stall_days=stall_days)
    }


def _snapshot_items(user: User, scope: Scope, week: Week) -> dict[int, list[Item]]:
    """Deals still open that moved back a stage or whose close date was pushed out."""
    back, pushed = CHANGE_CONDITIONS["back"], CHANGE_CONDITIONS["pushed"]
    rows = (
        visible_snapshots(user, scope)
        .filter(week=week.monday, opportunity__status=Status.OPEN)
        .filter(back | pushed)
        .values_list(
            "opportunity_id",
            "stage_order",
            "previous_stage_order",
            "expected_close_date",
            "previous_close_date",
        )
    )
    items: dict[int, list[Item]] = defaultdict(list)
    for pk, order, before, close, close_before in rows:
        if before is not None and before > order:
            items[pk].append(Item(Reason.MOVED_BACK))
        if close_before is not None and close_before < close:
            detail = _("From %(before)s to %(after)s.") % {"before": close_before, "after": close}
            items[pk].append(Item(Reason.CLOSE_SLIPPED, detail))
    return items


def current_red_flags(deals: QuerySet[Opportunity], today: date) -> dict[int, list]:
    """The red flags of every open deal in ``deals`` now."""
    return red_flags_for_opportunities(deals.filter(status=Status.OPEN), today=today)


def flag_codes(flags: dict[int, list]) -> dict[str, list[str]]:
    """What a review keeps of the flags it saw: their codes per deal."""
    return {str(pk): sorted({f.code for f in found}) for pk, found in flags.items() if found}


def _new_flag_items(flags: dict[int, list], previous: FunnelReview | None) -> dict[int, list[Item]]:
    seen = previous.red_flags if previous is not None else {}
    items: dict[int, list[Item]] = defaultdict(list)
    for pk, found in flags.items():
        before = set(seen.get(str(pk), []))
        for flag in found:
            if flag.code not in before:
                detail = _("%(flag)s Next step: %(action)s") % {
                    "flag": flag.message,
                    "action": flag.next_action,
                }
                items[pk].append(Item(Reason.RED_FLAG, detail))
    return items


def build_agenda(user: User, scope: Scope, week: Week, *, today: date | None = None) -> Agenda:
    """The agenda of the scope's review of ``week``, as ``user`` may see it."""
    today = today or timezone.localdate()
    settings_row = PipelineSettings.current()
    reps = reps_of(user, scope)
    rep_ids = [r.pk for r in reps]
    review, previous = review_of(scope, week)
    open_deals = (
        visible_opportunities(user).filter(status=Status.OPEN, owner_id__in=rep_ids).order_by()
    )
    items: dict[int, list[Item]] = defaultdict(list)
    for pk, found in _gate_items(open_deals, settings_row.evaluation_max_age_days).items():
        items[pk].extend(found)
    for pk, item in _stalled_items(user, scope, today, settings_row.stall_days).items():
        items[pk].append(item)
    for pk, found in _snapshot_items(user, scope, week).items():
        items[pk].extend(found)
    flags = current_red_flags(open_deals, today)
    for pk, found in _new_flag_items(flags, previous).items():
        items[pk].extend(found)

    deals = (
        open_deals.filter(pk__in=list(items))
        .select_related("account", "stage", "owner")
        .order_by("-amount", "pk")
    )
    decided: dict[int, list[ReviewDecision]] = defaultdict(list)
    if review is not None:
        for decision in review.decisions.select_related("task"):
            decided[decision.opportunity_id].append(decision)
    by_owner: dict[int, list[AgendaDeal]] = defaultdict(list)
    for deal in deals:
        found = sorted(items[deal.pk], key=lambda i: ORDER[i.reason])
        by_owner[deal.owner_id].append(AgendaDeal(deal, found, decided.get(deal.pk, [])))
    rep_agendas = []
    # A manager in the team is on the agenda only for the deals they own themselves.
    for rep in (r for r in reps if r.role == Role.REP or r.pk in by_owner):
        weeks = progress_weeks(user, Scope(REP, rep=rep), until=week, weeks=1)
        the_week = weeks[-1] if weeks and weeks[-1].week == week.monday else None
        rep_agendas.append(RepAgenda(rep, by_owner.get(rep.pk, []), the_week))
    return Agenda(scope, week, review, previous, rep_agendas)
