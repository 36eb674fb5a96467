"""Pure funnel calculations over plain values (DOMAIN.md §3); no database here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

# The twenty-question evaluation (§3.3): four gates of five questions, numbered 1..20.
GATES: list[tuple[str, object, list[tuple[int, object]]]] = [
    (
        "project",
        _("Is it a project?"),
        [
            (1, _("Does the business face a challenge?")),
            (2, _("Are the requirements clear?")),
            (3, _("Is the decision process settled?")),
            (4, _("Is funding in place?")),
            (5, _("Are the drivers for implementing it evident?")),
        ],
    ),
    (
        "ours",
        _("Is it our opportunity?"),
        [
            (6, _("Are the decision factors clear?")),
            (7, _("Does our solution fit?")),
            (8, _("Are the resources it needs reasonable?")),
            (9, _("Do we have a relationship base?")),
            (10, _("Can we show unique value?")),
        ],
    ),
    (
        "win",
        _("Can we win?"),
        [
            (11, _("Can we count on internal support?")),
            (12, _("Will the decision layer endorse us?")),
            (13, _("Is there a vendor preference for us?")),
            (14, _("Do we know the informal decision factors?")),
            (15, _("Do we understand the political structure?")),
        ],
    ),
    (
        "worth",
        _("Is it worth it?"),
        [
            (16, _("Is the near-term business size worth it?")),
            (17, _("Is the future business size worth it?")),
            (18, _("Is the profit of this project worth it?")),
            (19, _("Is its risk acceptable?")),
            (20, _("Is the customer's strategic value high?")),
        ],
    ),
]
QUESTION_NUMBERS = [n for _key, _label, questions in GATES for n, _text in questions]
ANSWER_POINTS = {"yes": 2, "unsure": 1, "no": 0}
GATE_MAX = 10  # five questions × 2 points
TOTAL_MAX = 40


@dataclass(frozen=True)
class Scorecard:
    """Points per gate (0..10) and overall (0..40); unanswered questions score 0."""

    project: int
    ours: int
    win: int
    worth: int

    @property
    def total(self) -> int:
        return self.project + self.ours + self.win + self.worth

    @property
    def percent(self) -> int:
        return round(self.total * 100 / TOTAL_MAX)

    def gates(self) -> list[tuple[str, int]]:
        return [
            ("project", self.project),
            ("ours", self.ours),
            ("win", self.win),
            ("worth", self.worth),
        ]


def score_evaluation(answers: Mapping[int, str]) -> Scorecard:
    """Score the twenty questions (§3.3): yes = 2, unsure = 1, no or blank = 0.

    >>> score_evaluation({1: "yes", 2: "unsure", 20: "no"}).total
    3
    """
    points: dict[str, int] = {}
    for key, _label, questions in GATES:
        points[key] = sum(ANSWER_POINTS.get(answers.get(n, ""), 0) for n, _text in questions)
    return Scorecard(**points)


def is_qualified(*, need: bool, authority: bool, budget: bool, timeline: bool) -> bool:
    """§3.2: a qualified opportunity has all four."""
    return need and authority and budget and timeline


def stages_left(from_order: int, to_order: int, orders: Sequence[int]) -> list[int]:
    """The stage orders whose exit criteria a forward move from ``from_order`` passes."""
    return [o for o in sorted(orders) if from_order <= o < to_order]


def amount_in_cny(amount: Decimal, rate: Decimal) -> Decimal:
    return (amount * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def days_in_stage(entered: date | None, today: date) -> int | None:
    """Whole calendar days since the deal entered its stage; both dates in local time."""
    if entered is None:
        return None
    return max(0, (today - entered).days)


@dataclass(frozen=True)
class StallVerdict:
    stalled: bool
    reason: str = ""


def stall_verdict(
    *,
    last_outcomes: Sequence[str],
    last_progress: date | None,
    today: date,
    stall_days: int,
) -> StallVerdict:
    """§3.6: stalled when the last two outcomes were continuations,
    or when nothing advanced the deal (an advance, an order, a stage move) for ``stall_days``.

    ``last_outcomes`` are the most recent recorded outcomes, newest first.
    """
    if len(last_outcomes) >= 2 and all(o == "continuation" for o in last_outcomes[:2]):
        return StallVerdict(True, str(_("The last two outcomes were continuations.")))
    if last_progress is not None and (today - last_progress) > timedelta(days=stall_days):
        return StallVerdict(
            True,
            str(_("No advance for %(days)d days.") % {"days": (today - last_progress).days}),
        )
    return StallVerdict(False)


# --- shaping the decision criteria (§3.4, 决策因素制定) ----------------------------------

#: A decision factor is *decisive* when the customer gives it the highest priority
#: (``Priority.HIGH``): the customer's choice turns on it.
DECISIVE_PRIORITY = 1
TRAILING = "behind"


def factor_needs_strategy(priority: int, standing: str, strategy: str) -> bool:
    """A decisive factor on which we trail, with no strategy to shape it chosen yet."""
    return priority == DECISIVE_PRIORITY and standing == TRAILING and not strategy
