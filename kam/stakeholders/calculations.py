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


#: The deal's record of its decision process (§3.3 background); all empty: not recorded.
DECISION_FIELDS = ("decision_who", "decision_departments", "decision_when", "decision_how")

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
    interests_threatened: bool = False  # 根深蒂固的利益受威胁者: stands to lose if we win


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
    # Contacts met in completed activities of this deal within the contact window (the
    # 3–5 contacts rule); None: not known, the rule reads ``engaged``.
    recently_met: frozenset[int] | None = None
    # What the deal records about its decision (§2.3 no. 1 "lacks information"); None: the
    # deal's record was not read.
    decision_process_recorded: bool | None = None
    budget_confirmed: bool | None = None
    # Decisive decision factors we trail on, with no strategy to shape them (§3.4).
    factors_without_strategy: tuple[str, ...] = ()


@dataclass(frozen=True)
class Thresholds:
    new_person_days: int = 30
    min_people_engaged: int = 3
    single_thread_min_activities: int = 2
    trust_from_win_rate: Decimal = Decimal(50)
    contact_window_days: int = 90


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
    # 1b. The buyers are known but what they decide is not: no decision process, no budget.
    lacking: list[StrOrPromise] = []
    if facts.decision_process_recorded is False:
        lacking.append(_("no decision process recorded (who decides, how and when)"))
    if facts.budget_confirmed is False:
        lacking.append(_("no budget status"))
    if lacking:
        flags.add(
            "buyer_info_missing",
            Severity.MEDIUM,
            _("The buying roles lack information: %(missing)s."),
            _(
                "Ask your coach and the decision maker who decides, which departments, "
                "when and how, and whether the budget is approved; record it on the deal."
            ),
            params={"missing": _Joined(lacking)},
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
    # 7. Fewer than 3 people met lately (Miller Heiman: 3–5).
    met = facts.recently_met if facts.recently_met is not None else facts.engaged
    if len(met) < thresholds.min_people_engaged:
        flags.add(
            "few_people",
            Severity.MEDIUM,
            _(
                "Only %(count)s people met at the customer in the last %(days)s days; "
                "successful reps reach %(min)s or more."
            ),
            _("Widen the contact: one person leaving must not kill the deal."),
            params={
                "count": len(met),
                "days": thresholds.contact_window_days,
                "min": thresholds.min_people_engaged,
            },
        )
    # 8. All activity with one person.
    if facts.done_activities >= thresholds.single_thread_min_activities and len(facts.engaged) == 1:
        flags.add(
            "single_threaded",
            Severity.HIGH,
            _("Single-threaded: every completed activity was with the same person."),
            _("Ask that person to introduce you to the decision maker and the users."),
        )
    # 9. An opponent with high influence, or someone whose entrenched interests our win
    # threatens (and who is not on our side), with no action planned (§2.2).
    opponents = [
        p
        for p in people
        if (
            (p.support == Support.OPPONENT and p.influence == Influence.HIGH)
            or (p.interests_threatened and p.support != Support.SUPPORTER)
        )
        and not p.meeting_planned
        and not p.has_left
    ]
    if opponents:
        threatened = [p for p in opponents if p.interests_threatened]
        if threatened:
            flags.add(
                "opponent_unaddressed",
                Severity.HIGH,
                _(
                    "Opponent with no action planned: %(people)s; entrenched interests "
                    "threatened: %(threatened)s."
                ),
                _(
                    "Plan an activity to understand what they fear to lose and offer them "
                    "a way to win too, or neutralise their influence."
                ),
                [p.name for p in opponents],
                params={"people": _names(opponents), "threatened": _names(threatened)},
            )
        else:
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
    # 14. A decisive decision factor we trail on, with no strategy to shape it (§3.4).
    if facts.factors_without_strategy:
        flags.add(
            "factor_no_strategy",
            Severity.MEDIUM,
            _("Decisive factor where we trail, with no strategy: %(factors)s."),
            _(
                "Choose how to shape it — be first, A→B, A→A+1 or reset the priorities — "
                "and plan the actions."
            ),
            params={"factors": "、".join(facts.factors_without_strategy)},
        )
    return sorted(flags.items, key=lambda f: SEVERITY_ORDER[f.severity])


def too_few_people_met(met: int, thresholds: Thresholds) -> RedFlag | None:
    """The 3–5 contacts rule for a whole key account: the people met lately, any deal."""
    if met >= thresholds.min_people_engaged:
        return None
    flags = _Flags()
    flags.add(
        "account_few_people",
        Severity.MEDIUM,
        _(
            "Only %(count)s people of this key account met in the last %(days)s days; "
            "successful reps reach %(min)s or more."
        ),
        _("Meet more people across the account: one person leaving must not cost the customer."),
        params={
            "count": met,
            "days": thresholds.contact_window_days,
            "min": thresholds.min_people_engaged,
        },
    )
    return flags.items[0]
