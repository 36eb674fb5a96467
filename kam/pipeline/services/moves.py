"""Moving a deal down its funnel, closing it and reopening it (DOMAIN.md §3.1, §3.2).

Each change of stage or status is kept in the stage history (StageChange), which the
time in stage, the forecast's learned win rates and the stall rule read.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core import changes
from kam.core.concurrency import save_versioned
from kam.core.models import Interface, User
from kam.core.providers import Provider
from kam.pipeline.models import Opportunity, Stage, Status
from kam.pipeline.services.opportunities import is_manager, record_stage_change, require_editor


class MoveRefused(ValidationError):
    """A stage move that breaks a rule of §3.1/§3.2."""


@transaction.atomic
def move_opportunity(
    opportunity: Opportunity,
    to_stage: Stage,
    *,
    by: User | None,
    expected_version: int | None,
    via: str = Interface.WEB,
    confirmed_exit_stages: Iterable[int] | None = None,
    override_reason: str = "",
    note: str = "",
) -> Opportunity:
    """Move an open deal to another stage of its own model (§3.1).

    Moving forward needs the exit criteria of every stage left confirmed
    (``confirmed_exit_stages``: their ids); passing the second stage needs a
    qualified opportunity (§3.2) or a manager's override with a reason.
    """
    require_editor(by, opportunity.account)
    current = opportunity.stage
    if opportunity.status != Status.OPEN:
        raise MoveRefused(_("Only an open opportunity can change stage; reopen it first."))
    if to_stage.model_id != current.model_id:
        raise MoveRefused(_("That stage belongs to another stage model."))
    if to_stage.pk == current.pk:
        return opportunity
    exit_text = ""
    override = ""
    if to_stage.order > current.order:
        left = list(
            Stage.objects.filter(
                model_id=current.model_id, order__gte=current.order, order__lt=to_stage.order
            ).order_by("order")
        )
        confirmed = {int(pk) for pk in (confirmed_exit_stages or [])}
        missing = [s for s in left if s.pk not in confirmed]
        if missing:
            raise MoveRefused(
                _("Confirm the exit criteria of the stage being left first: %(stages)s")
                % {"stages": "; ".join(f"{s.name}: {s.exit_criteria}" for s in missing)}
            )
        exit_text = "\n".join(f"{s.name}: {s.exit_criteria}" for s in left)
        second = (
            Stage.objects.filter(model_id=current.model_id)
            .order_by("order")
            .values_list("order", flat=True)[1:2]
        )
        second_order = second[0] if second else None
        if (
            second_order is not None
            and to_stage.order > second_order
            and not opportunity.is_qualified
            and not opportunity.qualification_override_reason
        ):
            reason = (override_reason or "").strip()
            if not reason or not is_manager(by):
                raise MoveRefused(
                    _(
                        "This opportunity is not qualified (need, authority, budget, timeline): "
                        "it cannot pass the second stage unless a manager overrides with a reason."
                    )
                )
            override = reason
    with changes.tracked(opportunity, by=by, via=via):
        if override:
            opportunity.qualification_override_reason = override
            opportunity.qualification_override_by = by
        opportunity.stage = to_stage
        opportunity.stage_entered_at = timezone.now()
        save_versioned(
            opportunity,
            expected_version,
            [
                "stage_id",
                "stage_entered_at",
                "qualification_override_reason",
                "qualification_override_by_id",
            ],
        )
    record_stage_change(
        opportunity,
        from_stage=current,
        to_stage=to_stage,
        status=Status.OPEN,
        by=by,
        exit_criteria=exit_text,
        note=(override_reason or note or "").strip(),
    )
    opportunity.credit_warning = _credit_warning(opportunity, current, to_stage)
    return opportunity


def _no_warning(opportunity: Opportunity, stage: Stage) -> str:
    return ""


#: Entering the commitment stage warns when the deal would break the account's credit limit
#: (§6); receivables answers (``kam.receivables.apps``), a warning never blocks the move.
credit_warning: Provider[[Opportunity, Stage], str] = Provider(
    "the credit warning on a stage move", _no_warning
)


def _credit_warning(opportunity: Opportunity, current: Stage, to_stage: Stage) -> str:
    """Asked once when a forward move enters or skips a stage flagged ``requires_credit_check``.

    The flag, not a stage key, marks the commitment-equivalent stage of every stage model.
    """
    if to_stage.order <= current.order:
        return ""
    checked = (
        Stage.objects.filter(
            model_id=to_stage.model_id,
            requires_credit_check=True,
            order__gt=current.order,
            order__lte=to_stage.order,
        )
        .order_by("order")
        .first()
    )
    if checked is None:
        return ""
    try:
        return credit_warning(opportunity, checked)
    except Exception:  # a warning must never block a move
        return ""


@transaction.atomic
def close_opportunity(
    opportunity: Opportunity,
    *,
    status: str,
    by: User | None,
    expected_version: int | None,
    reason: str = "",
    winning_competitor: str = "",
    closed_on: date | None = None,
    via: str = Interface.WEB,
) -> Opportunity:
    """Won, lost or no decision: terminal states with a reason, which the win/loss report reads.

    A lost deal names the competitor who won (or says none did).
    """
    require_editor(by, opportunity.account)
    if status not in (Status.WON, Status.LOST, Status.NO_DECISION):
        raise ValidationError(_("Choose won, lost or no decision."))
    if opportunity.status != Status.OPEN:
        raise ValidationError(_("This opportunity is already closed."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the deal ended this way.")]})
    winner = (winning_competitor or "").strip()
    if status == Status.LOST and not winner:
        raise ValidationError(
            {"winning_competitor": [_("Name the competitor who won, or write 'none'.")]}
        )
    closed = closed_on or timezone.localdate()
    if closed > timezone.localdate():
        raise ValidationError({"closed_on": [_("A deal cannot close in the future.")]})
    with changes.tracked(opportunity, by=by, via=via):
        opportunity.status = status
        opportunity.closed_on = closed
        opportunity.close_reason = reason
        opportunity.winning_competitor = winner if status == Status.LOST else ""
        save_versioned(
            opportunity,
            expected_version,
            ["status", "closed_on", "close_reason", "winning_competitor"],
        )
    record_stage_change(
        opportunity,
        from_stage=opportunity.stage,
        to_stage=opportunity.stage,
        status=status,
        by=by,
        note=reason,
    )
    return opportunity


@transaction.atomic
def reopen_opportunity(
    opportunity: Opportunity,
    *,
    by: User | None,
    expected_version: int | None,
    reason: str,
    via: str = Interface.WEB,
) -> Opportunity:
    """Reopen a closed deal in the stage it closed in; recorded in the history."""
    require_editor(by, opportunity.account)
    if opportunity.status == Status.OPEN:
        raise ValidationError(_("This opportunity is already open."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the deal is reopened.")]})
    with changes.tracked(opportunity, by=by, via=via) as changed:
        opportunity.status = Status.OPEN
        opportunity.closed_on = None
        opportunity.stage_entered_at = timezone.now()
        if opportunity.expected_close_date < timezone.localdate():
            opportunity.expected_close_date = timezone.localdate() + timedelta(days=30)
        save_versioned(
            opportunity,
            expected_version,
            ["status", "closed_on", "stage_entered_at", "expected_close_date"],
        )
        # The reason is not a field of the deal (the stage history keeps it too).
        changed["reopen_reason"] = ["", reason]
    record_stage_change(
        opportunity,
        from_stage=opportunity.stage,
        to_stage=opportunity.stage,
        status=Status.OPEN,
        by=by,
        note=reason,
    )
    return opportunity
