"""Off-funnel sales (§5.3) and the administrators' funnel configuration (§3.1)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.models import Account
from kam.core import audit, changes
from kam.core.models import AuditEvent, Interface, User
from kam.pipeline import calculations, screening
from kam.pipeline.models import PipelineSettings, SmallSale, Stage, StageModel
from kam.pipeline.services.deal_room import required
from kam.pipeline.services.opportunities import COMPANY_CURRENCY, require_editor
from kam.pipeline.services.screening import refresh_screening, screen_rules

# --- off-funnel sales (§5.3) ----------------------------------------------------------------


@transaction.atomic
def record_small_sale(
    *,
    account: Account,
    owner: User,
    description: str,
    amount: Decimal,
    sold_on: date,
    by: User | None,
    currency: str = COMPANY_CURRENCY,
    via: str = Interface.WEB,
) -> SmallSale:
    """Record an order below the threshold outside the funnel; it still counts as a sale."""
    require_editor(by, account)
    threshold = PipelineSettings.current().small_sale_threshold
    errors: dict[str, list[str]] = {}
    if amount is None or amount < 0:
        errors["amount"] = [_("The amount cannot be negative.")]
    elif amount >= threshold:
        errors["amount"] = [
            _(
                "Orders of %(threshold)s CNY or more belong in the funnel: "
                "create an opportunity instead."
            )
            % {"threshold": f"{threshold:,.0f}"}
        ]
    if sold_on is None or sold_on > timezone.localdate():
        errors["sold_on"] = [_("A sale cannot be dated in the future.")]
    if errors:
        raise ValidationError(errors)
    sale = SmallSale(
        account=account,
        owner=owner,
        description=required(description, "description", _("Describe what was sold.")),
        amount=amount,
        currency=currency,
        sold_on=sold_on,
    )
    return changes.create(sale, by=by, via=via, clean=None)


@transaction.atomic
def update_pipeline_settings(
    *,
    by: User,
    small_sale_threshold: Decimal,
    stall_days: int,
    gate_pass_mark: int | None = None,
    critical_questions: Iterable[object] | None = None,
    evaluation_max_age_days: int | None = None,
    worth_gate_stages: Iterable[Stage] | None = None,
    via: str = Interface.WEB,
) -> PipelineSettings:
    """Administrators set the off-funnel threshold, the stall rule's N days and the funnel
    screen (§3.3): the gates' pass mark, the critical questions, when an evaluation is due
    again and, per stage model, from which stage failing "Is it worth it?" is a red flag.
    A new pass mark or critical question re-screens every evaluated deal at once."""
    if not by.is_kam_admin:
        raise ValidationError(_("Only administrators may change the funnel settings."))
    row = PipelineSettings.current()
    errors: dict[str, list[str]] = {}
    if small_sale_threshold is None or small_sale_threshold < 0:
        errors["small_sale_threshold"] = [_("The threshold cannot be negative.")]
    if not stall_days or stall_days < 1:
        errors["stall_days"] = [_("Enter at least one day.")]
    if gate_pass_mark is not None and not 0 <= gate_pass_mark <= calculations.GATE_MAX:
        errors["gate_pass_mark"] = [_("A gate scores 0 to 10 points.")]
    if evaluation_max_age_days is not None and evaluation_max_age_days < 1:
        errors["evaluation_max_age_days"] = [_("Enter at least one day.")]
    stages = list(worth_gate_stages) if worth_gate_stages is not None else None
    if stages is not None and len({s.model_id for s in stages}) < len(stages):
        errors["worth_gate_stages"] = [_("Choose at most one stage of each stage model.")]
    if errors:
        raise ValidationError(errors)
    before = screen_rules(row)
    with changes.tracked(row, by=by, via=via, always=True) as changed:
        row.small_sale_threshold = small_sale_threshold
        row.stall_days = stall_days
        if gate_pass_mark is not None:
            row.gate_pass_mark = gate_pass_mark
        if critical_questions is not None:
            row.critical_questions = sorted(screening.critical_choices(critical_questions))
        if evaluation_max_age_days is not None:
            row.evaluation_max_age_days = evaluation_max_age_days
        row.save()
        if stages is not None:
            old = sorted(row.worth_gate_stages.values_list("pk", flat=True))
            new = sorted(s.pk for s in stages)
            if old != new:
                row.worth_gate_stages.set(stages)
                changed["worth_gate_stages"] = [old, new]
    after = screen_rules(row)
    if (after.pass_mark, after.critical) != (before.pass_mark, before.critical):
        refresh_screening(rules=after)
    return row


# --- stage model administration (§3.1) -----------------------------------------------------


@transaction.atomic
def update_stage(stage: Stage, *, by: User, via: str = Interface.WEB, **fields: Any) -> Stage:
    """Administrators edit names, rate, exit criteria. History keeps the old rates
    (StageChange.win_rate), so this never rewrites the past."""
    if not by.is_kam_admin:
        raise ValidationError(_("Only administrators may change stage models."))
    allowed = {
        "name_zh",
        "name_en",
        "win_rate",
        "our_step_zh",
        "our_step_en",
        "exit_criteria_zh",
        "exit_criteria_en",
        "requires_credit_check",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown stage fields: {sorted(unknown)}")
    with changes.tracked(stage, by=by, via=via, always=True):
        for name, value in fields.items():
            setattr(stage, name, value)
        stage.full_clean()
        stage.save()
    return stage


@transaction.atomic
def add_stage(
    model: StageModel, *, by: User, key: str, via: str = Interface.WEB, **fields: Any
) -> Stage:
    """Append a stage at the end of a model."""
    if not by.is_kam_admin:
        raise ValidationError(_("Only administrators may change stage models."))
    last = model.stages.aggregate(m=Max("order"))["m"] or 0
    stage = Stage(model=model, key=key, order=last + 1, **fields)
    return changes.create(stage, by=by, via=via, clean=changes.full_check)


@transaction.atomic
def reorder_stages(
    model: StageModel, stage_ids: list[int], *, by: User, via: str = Interface.WEB
) -> None:
    """Set the order of a model's stages; open deals keep their stage."""
    if not by.is_kam_admin:
        raise ValidationError(_("Only administrators may change stage models."))
    stages = {s.pk: s for s in model.stages.all()}
    if sorted(stage_ids) != sorted(stages):
        raise ValidationError(_("List every stage of the model exactly once."))
    offset = len(stages) + 100
    # Two passes so the unique (model, order) constraint never sees a duplicate.
    for position, pk in enumerate(stage_ids, start=1):
        Stage.objects.filter(pk=pk).update(order=offset + position)
    for position, pk in enumerate(stage_ids, start=1):
        Stage.objects.filter(pk=pk).update(order=position)
    # The stages' rows are renumbered in bulk: the model's event keeps the new order.
    audit.record(
        AuditEvent.Action.UPDATE, model, by=by, via=via, changes={"order": [None, stage_ids]}
    )
