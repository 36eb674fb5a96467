"""Reads for call preparation; every one starts from account visibility.

:func:`call_preparation` gathers what KAM knows before a visit: the people to meet with
their place in the decision chain (never their personal information), the deal's open
objections with the playbook's answers, whether the deal has a coach, the needs the
customer stated, and the plan's pre-filled values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from kam.accounts.visibility import scope_to_visible_accounts
from kam.activities.models import Activity, ActivityStatus
from kam.coach import guidance
from kam.coach.calculations import Verdict, check_call_objective
from kam.coach.models import CallPlan, ObjectionResponse, PlaybookEntry
from kam.core.models import Role, User
from kam.pipeline.calculations import DECISIVE_PRIORITY
from kam.pipeline.models import DecisionFactor, Objection, ObjectionKind
from kam.stakeholders.models import (
    Assessment,
    Contact,
    Influence,
    InnovationAttitude,
    Relationship,
    Stakeholder,
    Style,
    Support,
)
from kam.stakeholders.selectors import buying_circle

#: Who may change the playbook; everyone else reads it.
PLAYBOOK_EDITORS = (Role.MANAGER, Role.DIRECTOR, Role.ADMIN)


def can_edit_playbook(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active) and (
        user.role in PLAYBOOK_EDITORS or user.is_superuser
    )


def visible_activities(user: User) -> QuerySet[Activity]:
    return scope_to_visible_accounts(Activity.objects.all(), user)


def visible_activity(user: User, pk: int) -> Activity:
    """One activity the user may see, with what the plan reads; 404 otherwise."""
    try:
        return (
            visible_activities(user)
            .select_related("account", "opportunity", "owner", "call_plan")
            .prefetch_related("contacts")
            .get(pk=pk)
        )
    except Activity.DoesNotExist:
        raise Http404 from None


def visible_plans(user: User) -> QuerySet[CallPlan]:
    return scope_to_visible_accounts(
        CallPlan.objects.all(), user, account_field="activity__account"
    ).select_related("activity", "activity__account")


def visible_objections(user: User) -> QuerySet[Objection]:
    return scope_to_visible_accounts(
        Objection.objects.all(), user, account_field="opportunity__account"
    ).select_related("opportunity", "opportunity__account")


def visible_responses(user: User) -> QuerySet[ObjectionResponse]:
    return scope_to_visible_accounts(
        ObjectionResponse.objects.all(), user, account_field="objection__opportunity__account"
    ).select_related("objection", "entry", "used_by")


def playbook() -> list[PlaybookEntry]:
    """The eight entries in the order of §3.5."""
    order = {kind: n for n, kind in enumerate(ObjectionKind.values)}
    return sorted(PlaybookEntry.objects.select_related("edited_by"), key=lambda e: order[e.kind])


def plan_of(activity: Activity) -> CallPlan | None:
    try:
        return activity.call_plan  # type: ignore[attr-defined, no-any-return]
    except CallPlan.DoesNotExist:
        return None


@dataclass(frozen=True)
class PersonBrief:
    """One person to meet, as the decision chain knows them (no personal information)."""

    name: str
    title: str
    in_circle: bool
    roles: list[str]
    role_guides: list[guidance.RoleGuide]
    style: str
    style_guide: guidance.StyleGuide | None
    support: str
    relationship: str
    innovation: str
    influence: str
    business_result: str
    personal_win: str


@dataclass(frozen=True)
class FactorBrief:
    """A decision factor of the deal, who sets it and how we shape it (§3.4, 决策因素制定)."""

    name: str
    priority: str
    standing: str
    set_by: str
    strategy: str
    strategy_label: str
    strategy_guide: str
    actions: str
    decisive: bool
    needs_strategy: bool


def _factor(factor: DecisionFactor) -> FactorBrief:
    guide = guidance.CRITERIA_STRATEGIES.get(factor.strategy) if factor.strategy else None  # type: ignore[call-overload]
    return FactorBrief(
        name=factor.name,
        priority=str(factor.get_priority_display()),
        standing=str(factor.get_standing_display()),
        set_by=str(factor.get_set_by_display()) if factor.set_by else "",
        strategy=factor.strategy,
        strategy_label=str(factor.get_strategy_display()) if factor.strategy else "",
        strategy_guide=str(guide) if guide else "",
        actions=factor.strategy_actions,
        decisive=factor.priority == DECISIVE_PRIORITY,
        needs_strategy=factor.needs_strategy,
    )


@dataclass
class Preparation:
    """Everything the call-plan page and the API show for one activity."""

    activity: Activity
    plan: CallPlan | None
    people: list[PersonBrief]
    people_from_circle: bool
    has_coach: bool
    coach_candidates: list[str]
    open_objections: list[Objection]
    entries: dict[str, PlaybookEntry]
    stated_needs: list[str]
    verdict: Verdict
    factors: list[FactorBrief] = field(default_factory=list)
    initial: dict[str, Any] = field(default_factory=dict)

    @property
    def factors_without_strategy(self) -> list[FactorBrief]:
        """Decisive factors where we trail and no strategy is chosen: flagged on the plan."""
        return [f for f in self.factors if f.needs_strategy]

    @property
    def is_planned(self) -> bool:
        return self.activity.status == ActivityStatus.PLANNED

    @property
    def objections_with_answers(self) -> list[tuple[Objection, PlaybookEntry | None]]:
        return [(o, self.entries.get(o.kind)) for o in self.open_objections]

    @property
    def expected(self) -> list[PlaybookEntry]:
        """The playbook entries of the objections the plan expects, in §3.5 order."""
        kinds = set(self.plan.expected_objections if self.plan else self.initial["expected"])
        return [self.entries[k] for k in ObjectionKind.values if k in kinds and k in self.entries]


def _latest(assessments: list[Assessment], name: str) -> str:
    for assessment in reversed(assessments):
        value = getattr(assessment, name)
        if value:
            return str(value)
    return ""


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value else ""


def _brief(contact: Contact | None, stake: Stakeholder | None) -> PersonBrief:
    assessments = list(stake.assessments.all()) if stake is not None else []
    style = _latest(assessments, "style")
    roles = stake.roles if stake is not None else []
    return PersonBrief(
        name=str(contact.name if contact is not None else (stake.display_name if stake else "")),
        title=contact.title if contact is not None else "",
        in_circle=stake is not None,
        roles=[str(label) for label in (stake.role_labels if stake else [])],
        role_guides=[guidance.ROLE_GUIDES[role] for role in roles],  # type: ignore[index]
        style=_label(Style, style),
        style_guide=guidance.STYLE_GUIDES.get(style) if style else None,  # type: ignore[call-overload]
        support=_label(Support, stake.support) if stake else "",
        relationship=_label(Relationship, stake.relationship) if stake else "",
        innovation=_label(InnovationAttitude, _latest(assessments, "innovation")),
        influence=_label(Influence, stake.influence) if stake else "",
        business_result=stake.business_result if stake else "",
        personal_win=stake.personal_win if stake else "",
    )


def call_preparation(activity: Activity) -> Preparation:
    """What KAM knows before the call (DOMAIN §2, §3.5, §4; COACHING §3–§7)."""
    plan = plan_of(activity)
    opportunity = activity.opportunity
    circle = buying_circle(opportunity) if opportunity is not None else []
    by_contact = {stake.contact_id: stake for stake in circle if stake.contact_id}
    contacts = list(activity.contacts.all())
    people_from_circle = not contacts
    if contacts:
        people = [_brief(contact, by_contact.get(contact.pk)) for contact in contacts]
    else:
        people = [_brief(stake.contact, stake) for stake in circle if stake.contact_id is not None]
    has_coach = any(stake.is_coach for stake in circle)
    candidates = [
        stake.contact.name
        for stake in circle
        if stake.contact is not None and not stake.is_coach and stake.support == Support.SUPPORTER
    ]
    objections = (
        list(
            Objection.objects.filter(opportunity=opportunity, resolved=False).prefetch_related(
                Prefetch(
                    "responses_used",
                    queryset=ObjectionResponse.objects.select_related("used_by"),
                )
            )
        )
        if opportunity is not None
        else []
    )
    entries = {entry.kind: entry for entry in PlaybookEntry.objects.all()}
    needs = [opportunity.application_needs] if opportunity and opportunity.application_needs else []
    needs += [stake.business_result for stake in circle if stake.business_result]
    verdict = check_call_objective(plan.objective if plan else activity.objective)
    factors = (
        [_factor(f) for f in opportunity.decision_factors.all()] if opportunity is not None else []
    )
    preparation = Preparation(
        activity=activity,
        plan=plan,
        people=people,
        people_from_circle=people_from_circle,
        has_coach=has_coach,
        coach_candidates=candidates,
        open_objections=objections,
        entries=entries,
        stated_needs=needs,
        verdict=verdict,
        factors=factors,
    )
    preparation.initial = _prefill(preparation)
    return preparation


def _prefill(preparation: Preparation) -> dict[str, Any]:
    """The plan's starting values from what KAM knows; the rep completes them."""
    activity = preparation.activity
    fab = "\n".join(
        _("Need: %(need)s → feature: … → advantage: … → benefit: …") % {"need": need}
        for need in preparation.stated_needs
    )
    problems = "\n".join(
        _("What makes “%(need)s” hard today?") % {"need": need} for need in preparation.stated_needs
    )
    coach = ""
    if not preparation.has_coach and preparation.coach_candidates:
        coach = _("Possible coaches (supporters): %(names)s") % {
            "names": ", ".join(preparation.coach_candidates)
        }
    expected = sorted(
        {o.kind for o in preparation.open_objections},
        key=ObjectionKind.values.index,
    )
    return {
        "objective": activity.objective,
        "problem_questions": problems,
        "fab": fab,
        "coach_plan": coach,
        "expected": expected,
        "expected_objections": expected,
    }


def expected_labels(plan: CallPlan | None) -> list[str]:
    if plan is None:
        return []
    return [str(ObjectionKind(kind).label) for kind in plan.expected_objections]
