"""What KAM tells a rep while preparing a call: the company's own wording of the
methodology (DOMAIN.md §2.1, §2.2, §4; COACHING.md §3–§6). Texts only, translated; the
selectors pick the ones that fit the people and the deal.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kam.pipeline.models import CriteriaStrategy
from kam.stakeholders.models import BuyingRole, Style


@dataclass(frozen=True)
class RoleGuide:
    """What one buyer type weighs and asks (COACHING §3.1)."""

    role: str
    does: Promise
    work_concern: Promise
    personal_concern: Promise
    questions: tuple[Promise, ...]

    @property
    def label(self) -> str:
        return str(BuyingRole(self.role).label)


ROLE_GUIDES = {
    BuyingRole.DECISION_MAKER: RoleGuide(
        BuyingRole.DECISION_MAKER,
        _("Approves the purchase in the end, once per project, and controls the budget."),
        _("The company's growth: does it solve the problem, raise efficiency, cut cost?"),
        _("A choice that strengthens his standing as the leader."),
        (_("What does the company get back for this investment?"),),
    ),
    BuyingRole.USER: RoleGuide(
        BuyingRole.USER,
        _("Works with the product every day; his own results depend on it."),
        _("Getting the job done well: convenience, quality, service."),
        _("Easy to learn and easy to use."),
        (
            _("How does your product help me in my work?"),
            _("How will it work for me day to day?"),
        ),
    ),
    BuyingRole.TECHNICAL_GATEKEEPER: RoleGuide(
        BuyingRole.TECHNICAL_GATEKEEPER,
        _(
            "Judges the technical and financial side and advises the decision maker; "
            "cannot say yes, but can say no."
        ),
        _("A stable product with good specifications that saves the company money."),
        _("Recognition from his superiors and a step up in his career."),
        (
            _("Does it meet our technical specifications?"),
            _("Does it fit our financial rules?"),
        ),
    ),
    BuyingRole.COACH: RoleGuide(
        BuyingRole.COACH,
        _("Guides our sale: explains the situation, the influences and how each side can win."),
        _("Believes in us, for the company's sake and for his own."),
        _("To feel important and to be seen as a leader."),
        (_("How can we win this?"),),
    ),
}


@dataclass(frozen=True)
class StyleGuide:
    """How to recognise one interpersonal style and speak to it (COACHING §4)."""

    style: str
    recognise: Promise
    checklist: tuple[Promise, ...]


STYLE_GUIDES = {
    Style.ANALYTICAL: StyleGuide(
        Style.ANALYTICAL,
        _("Talks of key points, bottom lines and taking things apart; wants numbers."),
        (
            _("Bring facts and quantify them."),
            _("Follow one clear line of analysis to the point."),
            _("Keep it logical; skip the small talk."),
        ),
    ),
    Style.PROCEDURAL: StyleGuide(
        Style.PROCEDURAL,
        _("Values order, rules and safety; “we have always done it this way”."),
        (
            _("Give the details and the steps in order."),
            _("Keep it simple, tidy and in a clear format."),
            _("Show that the risk is controlled and the procedure respected."),
        ),
    ),
    Style.RELATIONAL: StyleGuide(
        Style.RELATIONAL,
        _("Speaks of people, teamwork, participation and growth."),
        (
            _("Start from experiences the person can relate to."),
            _("Use examples and stories of other users."),
            _("Show how it helps the people involved; mind their feelings."),
        ),
    ),
    Style.CONCEPTUAL: StyleGuide(
        Style.CONCEPTUAL,
        _("Likes the big picture, new ideas and the leading edge."),
        (
            _("Start from the big picture and the future."),
            _("Use pictures, colour and metaphors rather than tables."),
            _("Leave room for their ideas; keep details for later."),
        ),
    ),
}

NO_STYLE = _(
    "Style not assessed yet: watch how this person talks (facts, rules, people or ideas) "
    "and record the style after the call."
)
NOT_IN_CIRCLE = _(
    "Not in this deal's decision chain yet: find out what role this person plays in the purchase."
)

#: Winning a coach over when the deal has none (COACHING §3.3, §3.4).
WIN_A_COACH = (
    _("Look for the person at the customer who most wants this project to succeed."),
    _("Be modest, persistent and kind; people help those, not the arrogant or impatient."),
    _("Make your criteria for winning the coach's criteria for winning."),
    _("Tie the product to the coach: our success and the customer's purchase are his success."),
    _("A coach may also be outside the customer or in our own company."),
)
WHY_A_COACH = _(
    "A coach is our eyes and ears: he tells how the project goes, influences whether it is "
    "set up, and helps us find the right person, say the right thing and do the right thing."
)

#: Trust from authority and expertise (COACHING §5.1, §5.2).
BUILD_TRUST = (
    _("Be the expert, or bring an expert's work, advice and views."),
    _("Borrow trust: an introduction or a recommendation from someone the customer trusts."),
    _("Use what you already have: our company, your position and title."),
    _("Make promises and keep them."),
    _("Dress, speak and act like an expert."),
)
TRUST_SOURCES = _(
    "Customers trust two sources most: authorities and experts (respect) and friends "
    "(closeness). Before the relationship is close, earn trust through authority and expertise."
)

#: Before the call: four questions to ask yourself (COACHING §6.3).
BEFORE_THE_CALL = (
    _("How do I build trust with this customer?"),
    _("How do I find out what they need?"),
    _("What reason will I give them to buy from us?"),
    _("How will I make us hard to do without?"),
)

#: Test each question you plan to ask (COACHING §6.4).
QUESTION_CHECK = (
    _("Is it easy for the customer to understand?"),
    _("Does it lead the customer to think before answering?"),
    _("Does it let the customer tell a story he is proud of?"),
    _("Is it tied directly to the customer's goals?"),
)

#: Situation → difficulty → impact → need-payoff (SPIN; COACHING §6.6).
SPIN_STEPS = {
    "situation_questions": _("Situation: the facts of how they work today."),
    "problem_questions": _("Difficulty: where it hurts, what does not work well."),
    "implication_questions": _("Impact: what the difficulty costs them and whom it affects."),
    "need_payoff_questions": _("Need-payoff: let the customer say what a solution is worth."),
}

FAB_HELP = _(
    "For each need the customer stated: a feature of ours → the advantage it gives → the "
    "benefit to this customer, in their words."
)
POWER_STATEMENT_HELP = _(
    "From the customer's point of view: the real benefit, as a vivid picture. Don't sell "
    "health supplements, sell health and happiness."
)

#: The three-step opener (COACHING §6.5).
OPENER_STEPS = {
    "opener_fact": _("1. A fact nobody can dispute."),
    "opener_assessment": _("2. Your own judgement, drawn from your expertise."),
    "opener_question": _("3. An open question."),
}

OBJECTIVE_RULES = _(
    "The objective is the action the customer takes when the call ends: concrete, "
    "measurable, a result and not our activity. Judge the call afterwards by what the "
    "customer did, not by what was said."
)

#: Shaping the decision criteria (决策因素制定; DOMAIN §3.4, COACHING §2.2, §2.3). The
#: sources give the labels only; these readings are the company's own.
CRITERIA_SETTERS = _(
    "Four parties write the decision criteria: the customer's internal team, an outside "
    "consultant, a competitor, and us. Find out who holds the pen for each factor."
)
CRITERIA_STRATEGIES = {
    CriteriaStrategy.BE_FIRST: _(
        "Be first: reach the customer before the criteria are fixed, so ours are written first."
    ),
    CriteriaStrategy.A_TO_B: _(
        "A→B: move the customer's weight off a criterion where we trail onto one where we lead."
    ),
    CriteriaStrategy.A_TO_A_PLUS_1: _(
        "A→A+1: keep the criterion and add to it, or raise the bar, where we are strong."
    ),
    CriteriaStrategy.REPRIORITISE: _(
        "Reset the priorities: change the order of importance so a criterion we win comes first."
    ),
}
DECISIVE_WITHOUT_STRATEGY = _(
    "A decisive factor where we trail has no strategy: choose one and the actions for this call."
)
