"""The minefields of a key-account deal (DOMAIN.md §2.3), as pure functions.

:func:`red_flags` judges one opportunity from plain facts gathered by
:mod:`kam.stakeholders.red_flags`; nothing here touches the database, so each
rule is pinned by fast tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kam.stakeholders.models import (
    CORE_ROLES,
    RELATIONSHIP_ORDER,
    BuyingRole,
    Influence,
    Relationship,
    Support,
)

StrOrPromise = str | Promise


class Severity:
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


SEVERITY_ORDER = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}


@dataclass(frozen=True)
class Text:
    """A message translated when it is read, not when its flag is found.

    A rep's pipeline has hundreds of flags and a page shows a few of them; translating
    every message up front was a fifth of the red-flags page's time.
    """

    template: StrOrPromise
    params: Mapping[str, object] | None = None

    def __str__(self) -> str:
        text = str(self.template)
        return text % self.params if self.params else text


@dataclass(frozen=True)
class RedFlag:
    """One warning: what is wrong, how bad, and what to do next."""

    code: str
    severity: str
    text: Text
    action: Text
    people: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        return str(self.text)

    @property
    def next_action(self) -> str:
        return str(self.action)

    @property
    def severity_label(self) -> str:
        return {
            Severity.HIGH: gettext("High"),
            Severity.MEDIUM: gettext("Medium"),
            Severity.LOW: gettext("Low"),
        }[self.severity]


@dataclass(frozen=True)
class Person:
    """A member of the buying circle as the rules see them."""

    name: str
    roles: frozenset[str] = frozenset()
    contact_id: int | None = None  # None: outside the customer (our staff or a third party)
    added_on: date | None = None
    support: str = ""
    influence: str = ""
    relationship: str = ""
    has_left: bool = False
    last_met: date | None = None  # last completed activity with this person, any deal
    moved_on: date | None = None  # latest change of title, department, level, line or leaving
    meeting_planned: bool = False  # a planned activity of this deal with this person


@dataclass(frozen=True)
class DealFacts:
    """What the rules need to know about one open opportunity."""

    win_rate: Decimal = Decimal(0)
    competition_status: str | None = None  # None: the deal does not record it
    people: tuple[Person, ...] = ()
    last_activity_on: date | None = None  # last completed activity of this deal
    done_activities: int = 0
    engaged: frozenset[int] = frozenset()  # contacts met in completed activities of this deal
    overdue_policies: tuple[str, ...] = ()
    # (previous, latest) quarterly loyalty of a key account whose survey score fell past
    # the company's threshold (kam.performance); None when it did not.
    loyalty_fall: tuple[Decimal, Decimal] | None = None
    # The stage a deal failing "Is it worth it?" of the twenty questions is in, when that
    # stage is at or past the one its stage model marks (Comparison in the purchase
    # stages; kam.pipeline.funnel_screen); None otherwise.
    worth_failed_at: str | None = None


@dataclass(frozen=True)
class Thresholds:
    new_person_days: int = 30
    min_people_engaged: int = 3
    single_thread_min_activities: int = 2
    trust_from_win_rate: Decimal = Decimal(50)


@dataclass
class _Flags:
    items: list[RedFlag] = field(default_factory=list)

    def add(
        self,
        code: str,
        severity: str,
        message: StrOrPromise,
        action: StrOrPromise,
        people: Iterable[str] = (),
        params: Mapping[str, object] | None = None,
    ) -> None:
        text = Text(message, params)
        self.items.append(RedFlag(code, severity, text, Text(action), tuple(people)))


@dataclass(frozen=True)
class _Joined:
    """Labels joined with the Chinese enumeration comma when the message is read."""

    labels: tuple[StrOrPromise, ...]

    def __init__(self, labels: Sequence[StrOrPromise]) -> None:
        object.__setattr__(self, "labels", tuple(labels))

    def __str__(self) -> str:
        return "、".join(str(label) for label in self.labels)


def _names(people: list[Person]) -> str:
    return "、".join(p.name for p in people)


def red_flags(facts: DealFacts, thresholds: Thresholds, today: date) -> list[RedFlag]:
    """Every red flag of one opportunity, most severe first (§2.3 and Miller Heiman's 3–5)."""
    flags = _Flags()
    people = facts.people
    held = {role for p in people for role in p.roles}
    core = [p for p in people if p.contact_id is not None and p.roles]

    # 1. A buying role not identified.
    missing = [BuyingRole(r).label for r in CORE_ROLES if r not in held]
    if missing:
        flags.add(
            "role_unidentified",
            Severity.HIGH,
            _("Nobody identified as: %(roles)s."),
            _(
                "Ask your coach or contacts who decides, who uses "
                "and who judges the technical side."
            ),
            params={"roles": _Joined(missing)},
        )
    # 2. No coach.
    if BuyingRole.COACH not in held:
        flags.add(
            "no_coach",
            Severity.MEDIUM,
            _("No coach: nobody explains the situation and the influences to us."),
            _(
                "Find a coach: someone inside the customer, on our side "
                "or outside who wants us to win."
            ),
        )
    # 3. A core buyer never visited.
    never = [p for p in core if p.last_met is None and not p.has_left]
    if never:
        flags.add(
            "never_visited",
            Severity.HIGH,
            _("Never visited: %(people)s."),
            _("Plan a visit with each of them; ask your coach for an introduction."),
            [p.name for p in never],
            params={"people": _names(never)},
        )
    # 4. A core buyer moved or left, and nobody followed up with the deal since.
    moved = [
        p
        for p in core
        if (p.moved_on is not None or p.has_left)
        and (
            facts.last_activity_on is None
            or (p.moved_on is not None and facts.last_activity_on < p.moved_on)
        )
    ]
    if moved:
        flags.add(
            "buyer_moved",
            Severity.HIGH,
            _("Position changed or left, not followed up: %(people)s."),
            _("Find out who holds the role now and what the change means; meet them."),
            [p.name for p in moved],
            params={"people": _names(moved)},
        )
    # 5. A new face in the buying circle, not yet met.
    since = today - timedelta(days=thresholds.new_person_days)
    new = [
        p
        for p in people
        if p.contact_id is not None
        and p.added_on is not None
        and p.added_on >= since
        and (p.last_met is None or p.last_met < p.added_on)
    ]
    if new:
        flags.add(
            "new_face",
            Severity.MEDIUM,
            _("New in the buying circle and not met yet: %(people)s."),
            _("Meet the new person soon: learn their role, their view and what they want."),
            [p.name for p in new],
            params={"people": _names(new)},
        )
    # 6. Competitor presence unknown.
    if facts.competition_status == "unknown":
        flags.add(
            "competition_unknown",
            Severity.MEDIUM,
            _("Nobody knows whether a competitor is involved."),
            _("Ask your coach and the technical gatekeeper which other suppliers were invited."),
        )
    # 7. Fewer than 3 people engaged (Miller Heiman: 3–5).
    if len(facts.engaged) < thresholds.min_people_engaged:
        flags.add(
            "few_people",
            Severity.MEDIUM,
            _("Only %(count)s people met at the customer; successful reps reach %(min)s or more."),
            _("Widen the contact: one person leaving must not kill the deal."),
            params={"count": len(facts.engaged), "min": thresholds.min_people_engaged},
        )
    # 8. All activity with one person.
    if facts.done_activities >= thresholds.single_thread_min_activities and len(facts.engaged) == 1:
        flags.add(
            "single_threaded",
            Severity.HIGH,
            _("Single-threaded: every completed activity was with the same person."),
            _("Ask that person to introduce you to the decision maker and the users."),
        )
    # 9. An opponent with high influence and no action planned.
    opponents = [
        p
        for p in people
        if p.support == Support.OPPONENT
        and p.influence == Influence.HIGH
        and not p.meeting_planned
        and not p.has_left
    ]
    if opponents:
        flags.add(
            "opponent_unaddressed",
            Severity.HIGH,
            _("Influential opponent with no action planned: %(people)s."),
            _("Plan an activity to understand their concern and neutralise it."),
            [p.name for p in opponents],
            params={"people": _names(opponents)},
        )
    # 10. The decision maker does not trust us yet, late in the deal.
    deciders = [p for p in people if BuyingRole.DECISION_MAKER in p.roles]
    trusting = RELATIONSHIP_ORDER[Relationship.TRUSTING]
    if (
        deciders
        and facts.win_rate >= thresholds.trust_from_win_rate
        and not any(RELATIONSHIP_ORDER.get(p.relationship, 0) >= trusting for p in deciders)
    ):
        flags.add(
            "decider_not_trusting",
            Severity.HIGH,
            _("The decision maker's relationship is below “trusting” at this late stage."),
            _(
                "Arrange an executive visit or a reference visit "
                "to build the decision maker's trust."
            ),
            [p.name for p in deciders],
        )
    # 11. A policy-watch note past its review date.
    if facts.overdue_policies:
        flags.add(
            "policy_overdue",
            Severity.LOW,
            _("Policy change not reviewed in time: %(titles)s."),
            _("Review what the policy change means for this deal and record it."),
            params={"titles": "、".join(facts.overdue_policies)},
        )
    # 12. The key account's own people rate their loyalty lower than last quarter (§1.5).
    if facts.loyalty_fall is not None:
        previous, latest = facts.loyalty_fall
        flags.add(
            "loyalty_falling",
            Severity.HIGH,
            _("The key account's loyalty fell from %(previous)s to %(latest)s of 100."),
            _(
                "Read the survey comments, ask the customer what went wrong "
                "and agree a remedy before a competitor does."
            ),
            params={"previous": previous, "latest": latest},
        )
    # 13. Not worth it, late in the funnel (§3.3): resources go on where they should stop.
    if facts.worth_failed_at is not None:
        flags.add(
            "not_worth_it",
            Severity.HIGH,
            _("Fails “Is it worth it?” of the twenty questions at %(stage)s."),
            _(
                "Go through questions 16–20 with your manager (size now and later, profit, "
                "risk, strategic value) and decide whether to keep investing in this deal."
            ),
            params={"stage": facts.worth_failed_at},
        )
    return sorted(flags.items, key=lambda f: SEVERITY_ORDER[f.severity])
