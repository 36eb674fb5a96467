"""The twenty questions as a funnel screen (DOMAIN.md §3.3), as pure functions.

The sources give the four gates and their questions but no pass mark (COACHING §1.4):
the company sets it. A gate passes when its points (yes 2, unsure 1, no or blank 0, as
:func:`kam.pipeline.calculations.score_evaluation` counts them) reach the pass mark and
no question the company marks critical is answered no. A deal is due for a new
evaluation when it has none, when the latest is older than the company's age, or when
it was made before the deal's last stage move. Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kam.pipeline import calculations

GATE_KEYS = ("project", "ours", "win", "worth")

#: What to do about each question not answered yes, in the product's words (§3.3, §3.2,
#: §2, COACHING §1): the next step that turns the answer into a yes, or shows it never will.
GUIDANCE: dict[int, Promise] = {
    1: _(
        "Find the pressure on the customer: from its market, its operations or its "
        "competitors. Without a business challenge there is no project yet, only a "
        "potential opportunity."
    ),
    2: _(
        "Dig out the needs with the users and the technical gatekeeper: ask about the "
        "situation, its difficulties and their impact until the requirements are written down."
    ),
    3: _(
        "Ask your coach who decides, which departments take part, when and how, and record "
        "the decision process on the deal."
    ),
    4: _(
        "Confirm the budget with the decision maker: is it approved, how much, and who "
        "releases it? Without funding it is not a project."
    ),
    5: _(
        "Find out what drives the project: the return expected, the risk of doing nothing, "
        "a deadline. Without a driver the customer has no hurry."
    ),
    6: _(
        "List the customer's decision factors, technical and business, with their priority, "
        "and check them with the technical gatekeeper and your coach."
    ),
    7: _(
        "Hold our solution against each requirement; where it does not fit, change the "
        "proposal or work on the decision factors before the comparison."
    ),
    8: _(
        "Estimate the presales, delivery and service effort the deal needs; if it outweighs "
        "what the deal brings, agree the scope again or step back."
    ),
    9: _(
        "Widen the contact: meet three to five people of the buying circle, find a coach and "
        "build the decision maker's trust."
    ),
    10: _(
        "Say what only we can do for this customer and prove it: a reference visit, a "
        "demonstration, a benefit analysis."
    ),
    11: _(
        "Win our own side first: the manager, presales and service must back the deal before "
        "the customer sees it."
    ),
    12: _(
        "Meet the decision layer: arrange an executive or reference visit and learn what the "
        "decision maker wants from the project."
    ),
    13: _(
        "Find out which supplier the customer leans towards and why; if it is not us, work on "
        "the decision factors where we lead."
    ),
    14: _(
        "Ask your coach about the personal interests, relationships and history behind the "
        "decision, and record them as personal decision factors."
    ),
    15: _(
        "Map the buying circle: who influences whom, who supports and who opposes us, and "
        "plan how to meet each opponent."
    ),
    16: _(
        "Weigh the amount of this deal against what it costs to win it: a small deal deserves "
        "a small effort."
    ),
    17: _(
        "Estimate what the account could buy after this deal (later phases, other sites, "
        "other products) and record it in the account plan."
    ),
    18: _(
        "Work out the margin after discounts, delivery and service: do not win a deal that "
        "loses money."
    ),
    19: _(
        "List the risks (technical, delivery, payment: check the customer's credit) and how "
        "we reduce each; a risk nobody can carry is a reason to step back."
    ),
    20: _(
        "Place the customer in our plan: a key account, a reference in its industry, a door "
        "to a new market? Without strategic value, spend accordingly."
    ),
}

GATE_OF: dict[int, str] = {
    number: key for key, _label, questions in calculations.GATES for number, _text in questions
}


@dataclass(frozen=True)
class ScreenRules:
    """The company's pass mark (points of 10), its critical questions and the age after
    which an evaluation is due again."""

    pass_mark: int = 7
    critical: frozenset[int] = frozenset()
    max_age_days: int = 30


@dataclass(frozen=True)
class FailedQuestion:
    """A question of a failed gate not answered yes, and what to do about it."""

    number: int
    text: str
    answer: str  # yes | unsure | no | "" (unanswered)
    critical: bool

    @property
    def guidance(self) -> str:
        return str(GUIDANCE[self.number])


@dataclass(frozen=True)
class GateResult:
    key: str
    score: int
    passed: bool
    #: critical questions of this gate answered no (each fails the gate by itself)
    critical_noes: tuple[int, ...] = ()


def gate_results(answers: Mapping[int, str], rules: ScreenRules) -> list[GateResult]:
    """Each gate's points and whether it passes under ``rules``, in the order of §3.3.

    >>> rules = ScreenRules(pass_mark=7, critical=frozenset({4}))
    >>> [g.passed for g in gate_results({1: "yes", 2: "yes", 3: "yes", 4: "unsure"}, rules)]
    [True, False, False, False]
    >>> gate_results({1: "yes", 2: "yes", 3: "yes", 4: "no", 5: "yes"}, rules)[0].passed
    False
    """
    card = calculations.score_evaluation(answers)
    scores = dict(card.gates())
    results = []
    for key, _label, questions in calculations.GATES:
        noes = tuple(
            n for n, _text in questions if n in rules.critical and answers.get(n, "") == "no"
        )
        results.append(
            GateResult(
                key=key,
                score=scores[key],
                passed=scores[key] >= rules.pass_mark and not noes,
                critical_noes=noes,
            )
        )
    return results


def failed_questions(answers: Mapping[int, str], rules: ScreenRules) -> list[FailedQuestion]:
    """The questions of every failed gate not answered yes, in order, with what to do."""
    failed = {g.key for g in gate_results(answers, rules) if not g.passed}
    return [
        FailedQuestion(
            number=number,
            text=str(text),
            answer=answers.get(number, ""),
            critical=number in rules.critical,
        )
        for key, _label, questions in calculations.GATES
        if key in failed
        for number, text in questions
        if answers.get(number, "") != "yes"
    ]


def answers_of(recorded: Mapping[str, Mapping[str, str]]) -> dict[int, str]:
    """The answers of a stored evaluation (``Evaluation.answers``) by question number."""
    return {
        int(number): (entry or {}).get("answer", "")
        for number, entry in recorded.items()
        if str(number).isdigit()
    }


class Due:
    """Why a deal is due for a new evaluation (or not)."""

    NO = ""
    MISSING = "missing"
    OLD = "old"
    BEFORE_MOVE = "before_move"


DUE_LABELS: dict[str, Promise] = {
    Due.MISSING: _("Never evaluated"),
    Due.OLD: _("Evaluation older than %(days)d days"),
    Due.BEFORE_MOVE: _("Evaluated before the last stage move"),
}


def reevaluation_due(
    *,
    evaluated_at: datetime | None,
    stage_entered_at: datetime | None,
    now: datetime,
    max_age_days: int,
) -> str:
    """Why the deal should answer the twenty questions again, or :data:`Due.NO`.

    >>> from datetime import datetime
    >>> reevaluation_due(evaluated_at=None, stage_entered_at=None,
    ...                  now=datetime(2026, 1, 31), max_age_days=30)
    'missing'
    >>> reevaluation_due(evaluated_at=datetime(2026, 1, 1), stage_entered_at=None,
    ...                  now=datetime(2026, 1, 31), max_age_days=30)
    ''
    >>> reevaluation_due(evaluated_at=datetime(2026, 1, 1), stage_entered_at=None,
    ...                  now=datetime(2026, 1, 31, 0, 1), max_age_days=30)
    'old'
    """
    if evaluated_at is None:
        return Due.MISSING
    if now - evaluated_at > timedelta(days=max_age_days):
        return Due.OLD
    if stage_entered_at is not None and evaluated_at < stage_entered_at:
        return Due.BEFORE_MOVE
    return Due.NO


def due_label(reason: str, max_age_days: int) -> str:
    """The reason a deal is due, as the user reads it; empty when it is not."""
    if not reason:
        return ""
    return (
        str(DUE_LABELS[reason]) % {"days": max_age_days}
        if reason == Due.OLD
        else str(DUE_LABELS[reason])
    )


def worth_gate_late(stage_order: int, from_order: int | None) -> bool:
    """Whether a deal at ``stage_order`` is at or past the stage of its own model from
    which failing "Is it worth it?" is a red flag (``from_order``; None: never)."""
    return from_order is not None and stage_order >= from_order


def critical_choices(numbers: Iterable[object]) -> frozenset[int]:
    """The valid question numbers among ``numbers`` (a setting read leniently)."""
    valid = set(calculations.QUESTION_NUMBERS)
    digits = (str(n) for n in numbers)
    return frozenset(int(n) for n in digits if n.isdigit() and int(n) in valid)


GATE_LABELS: dict[str, object] = {key: label for key, label, _questions in calculations.GATES}


@dataclass(frozen=True)
class Screen:
    """What a deal's row or card shows of the funnel screen: the score, each gate's
    result (None: not evaluated) and why it is due for a new evaluation."""

    total: int | None
    passes: tuple[tuple[str, bool | None], ...]
    due: str
    max_age_days: int

    @property
    def total_max(self) -> int:
        return calculations.TOTAL_MAX

    @property
    def gates_passed(self) -> int | None:
        return None if self.total is None else sum(1 for _k, ok in self.passes if ok)

    @property
    def failed(self) -> list[str]:
        """The labels of the gates failed, in order."""
        return [str(GATE_LABELS[key]) for key, ok in self.passes if ok is False]

    @property
    def due_label(self) -> str:
        return due_label(self.due, self.max_age_days)


def screen_of(deal: object, rules: ScreenRules, now: datetime) -> Screen:
    """The screen of an opportunity from its stored fields (``evaluation_total``,
    ``passes_<gate>``, ``evaluated_at``, ``stage_entered_at``)."""
    return Screen(
        total=getattr(deal, "evaluation_total", None),
        passes=tuple((key, getattr(deal, f"passes_{key}", None)) for key in GATE_KEYS),
        due=reevaluation_due(
            evaluated_at=getattr(deal, "evaluated_at", None),
            stage_entered_at=getattr(deal, "stage_entered_at", None),
            now=now,
            max_age_days=rules.max_age_days,
        ),
        max_age_days=rules.max_age_days,
    )
