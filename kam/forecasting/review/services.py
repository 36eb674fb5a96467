"""Recording the funnel review: the manager's decision per deal and its next step.

The first decision of a week opens the team's review (:class:`FunnelReview`) and keeps
the red flags every deal of the team shows at that moment, so next week's agenda lists
only the new ones. Each next step becomes the deal owner's task
(:func:`kam.activities.todos.services.create_task`, source "funnel review"), shown on
the rep's list and on the deal.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.activities.models import TaskSource
from kam.activities.todos.services import create_task
from kam.core import changes
from kam.core.models import Interface, Team, User
from kam.forecasting.models import FunnelReview, ReviewDecision
from kam.forecasting.periods import Week
from kam.forecasting.review.agenda import current_red_flags, flag_codes
from kam.forecasting.services import can_manage
from kam.pipeline.models import Opportunity, Status
from kam.pipeline.selectors import visible_opportunities


def open_review(team: Team, week: Week, *, by: User, via: str = Interface.WEB) -> FunnelReview:
    """The team's review of ``week``, opened now (with the flags seen) if not yet held."""
    existing = FunnelReview.objects.filter(team=team, week=week.monday).first()
    if existing is not None:
        return existing
    members = list(
        User.objects.filter(team__path__startswith=team.path).values_list("pk", flat=True)
    )
    deals = visible_opportunities(by).filter(status=Status.OPEN, owner_id__in=members)
    flags = flag_codes(current_red_flags(deals, timezone.localdate()))
    review = FunnelReview(
        team=team, week=week.monday, held_at=timezone.now(), held_by=by, red_flags=flags
    )
    try:
        with transaction.atomic():
            return changes.create(review, by=by, via=via)
    except IntegrityError:
        # Someone opened it a moment before: theirs is the review.
        return FunnelReview.objects.get(team=team, week=week.monday)


@transaction.atomic
def record_decision(
    *,
    team: Team,
    week: Week,
    opportunity: Opportunity,
    decision: str,
    next_step: str,
    due_on: date | None = None,
    by: User,
    via: str = Interface.WEB,
) -> ReviewDecision:
    """Record what the review decided for ``opportunity`` and give its owner the next step.

    Only the team's manager (or a director) decides, for an open deal of the team they
    may see; a deal without an owner cannot be given a task and is refused.
    """
    if not can_manage(by, team=team):
        raise PermissionDenied(_("Only the team's manager records the funnel review."))
    members = set(
        User.objects.filter(team__path__startswith=team.path).values_list("pk", flat=True)
    )
    if not visible_opportunities(by).filter(pk=opportunity.pk).exists():
        raise PermissionDenied(_("You may not see this opportunity."))
    if opportunity.status != Status.OPEN or opportunity.owner_id not in members:
        raise ValidationError(_("Only the team's open opportunities are reviewed."))
    decision = (decision or "").strip()
    next_step = " ".join((next_step or "").split())
    errors = {}
    if not decision:
        errors["decision"] = [_("Say what the review decided.")]
    if not next_step:
        errors["next_step"] = [_("Say what the rep does next.")]
    if errors:
        raise ValidationError(errors)
    review = open_review(team, week, by=by, via=via)
    label = _("Funnel review %(week)s") % {"week": week.key}
    task = create_task(
        title=next_step,
        owner=opportunity.owner,
        by=by,
        via=via,
        due_on=due_on,
        opportunity=opportunity,
        source=TaskSource.FUNNEL_REVIEW,
        notes=f"{label}: {decision}",
    )
    record = ReviewDecision(
        review=review,
        opportunity=opportunity,
        decision=decision,
        next_step=next_step,
        due_on=due_on,
        task=task,
        decided_by=by,
        decided_at=timezone.now(),
    )
    return changes.create(record, by=by, via=via)
