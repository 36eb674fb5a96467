"""Who may see and coach whose skills, and the latest assessment of each (§7)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, QuerySet

from kam.core.models import User
from kam.core.visibility import managed_team_ids
from kam.performance import calculations
from kam.performance.models import (
    SkillAssessment,
    SkillDimension,
)


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
