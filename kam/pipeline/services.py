"""Every change to an opportunity goes through here (DOMAIN.md §3, issue 5).

Each function validates, writes in one transaction, keeps history (StageChange for
stage and status, FieldChange for amount, close date, owner and the like), records
the audit event and returns the instance.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.models import Account
from kam.accounts.visibility import can_edit_account, editable_accounts
from kam.core import audit
from kam.core.concurrency import save_versioned
from kam.core.models import AuditEvent, Role, User
from kam.core.providers import Provider
from kam.pipeline import calculations
from kam.pipeline.models import (
    DecisionFactor,
    Evaluation,
    FieldChange,
    Objection,
    Opportunity,
    OpportunityCompetitor,
    PipelineSettings,
    SmallSale,
    Stage,
    StageChange,
    StageModel,
    Status,
)

# An open deal expected to close more than this long ago is a data-entry mistake.
DISTANT_PAST = timedelta(days=30)
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
COMPANY_CURRENCY = "CNY"

# Fields whose every change is kept with who and when (issue 5, no. 5).
TRACKED_FIELDS = [
    "name",
    "amount",
    "currency",
    "exchange_rate",
    "expected_close_date",
    "owner_id",
    "forecast_category",
]
EDITABLE_FIELDS = [
    "name",
    "amount",
    "currency",
    "exchange_rate",
    "expected_close_date",
    "owner",
    "forecast_category",
    "source",
    "products",
    "competition_status",
    "business_status",
    "application_needs",
    "description",
    "goals",
    "implementation_drivers",
    "decision_who",
    "decision_departments",
    "decision_when",
    "decision_how",
    "element_value",
    "element_need",
    "element_price",
    "element_trust",
    "element_experience",
    "has_need",
    "has_authority",
    "has_budget",
    "has_timeline",
]


def _require_editor(user: User | None, account: Account) -> None:
    if user is not None and not can_edit_account(user, account):
        raise ValidationError(_("You may not change opportunities of this account."))


def is_manager(user: User | None) -> bool:
    return user is not None and (
        user.role in (Role.MANAGER, Role.DIRECTOR, Role.ADMIN) or user.is_superuser
    )


def _validate(opportunity: Opportunity) -> None:
    """The rules of a valid opportunity record; raises one ValidationError with all of them."""
    errors: dict[str, list[str]] = {}
    try:
        amount = Decimal(opportunity.amount)
    except (InvalidOperation, TypeError):
        amount = None
    if amount is None or not amount.is_finite():
        errors.setdefault("amount", []).append(_("Enter an amount."))
    elif amount < 0:
        errors.setdefault("amount", []).append(_("The amount cannot be negative."))
    currency = (opportunity.currency or "").upper()
    if not CURRENCY_RE.match(currency):
        errors.setdefault("currency", []).append(
            _("Enter a three-letter currency code, such as CNY or USD.")
        )
    rate = opportunity.exchange_rate
    if currency == COMPANY_CURRENCY:
        opportunity.exchange_rate = Decimal(1)
    elif rate is None or Decimal(rate) <= 0:
        errors.setdefault("exchange_rate", []).append(
            _("Give the rate of this currency to CNY (greater than zero).")
        )
    opportunity.currency = currency
    if not opportunity.name or not opportunity.name.strip():
        errors.setdefault("name", []).append(_("Give the opportunity a name."))
    close = opportunity.expected_close_date
    if close is None:
        errors.setdefault("expected_close_date", []).append(_("Enter the expected close date."))
    elif opportunity.status == Status.OPEN and close < timezone.localdate() - DISTANT_PAST:
        errors.setdefault("expected_close_date", []).append(
            _("An open deal cannot be expected to close in the distant past; move the date on.")
        )
    if errors:
        raise ValidationError(errors)


def _stage_rate(stage: Stage) -> Decimal:
    return stage.win_rate


def _change(
    opportunity: Opportunity,
    *,
    from_stage: Stage | None,
    to_stage: Stage,
    status: str,
    by: User | None,
    exit_criteria: str = "",
    note: str = "",
) -> StageChange:
    """Record a stage move (or a close or reopen), which is progress for the stall rule."""
    change = StageChange.objects.create(
        opportunity=opportunity,
        from_stage=from_stage,
        to_stage=to_stage,
        status=status,
        changed_at=timezone.now(),
        changed_by=by if by is not None and by.pk else None,
        win_rate=_stage_rate(to_stage),
        exit_criteria_confirmed=exit_criteria,
        note=note,
    )
    if opportunity.progressed_at is None or opportunity.progressed_at < change.changed_at:
        opportunity.progressed_at = change.changed_at
        Opportunity.objects.filter(pk=opportunity.pk).update(progressed_at=change.changed_at)
    return change


def _display(field: str, value: Any) -> str:
    if value is None:
        return ""
    if field == "owner_id":
        user = User.objects.filter(pk=value).first()
        return str(user) if user else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if field == "amount":
        return f"{Decimal(value):.2f}"
    return str(value)[:300]


@transaction.atomic
def create_opportunity(
    *,
    account: Account,
    name: str,
    amount: Decimal,
    owner: User,
    expected_close_date: date,
    by: User | None,
    via: str = "web",
    stage: Stage | None = None,
    currency: str = COMPANY_CURRENCY,
    team: Iterable[User] = (),
    **fields: Any,
) -> Opportunity:
    """Open a deal at an account, in the first stage of the default model unless told.

    Records the first StageChange, so time in stage and "reached stage X" work from day one.
    """
    _require_editor(by, account)
    if stage is None:
        stage = (
            Stage.objects.filter(model__is_default=True).order_by("order").select_related("model")
        ).first()
        if stage is None:
            raise ValidationError(_("No default stage model is configured."))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown opportunity fields: {sorted(unknown)}")
    now = timezone.now()
    opportunity = Opportunity(
        account=account,
        name=(name or "").strip(),
        amount=amount,
        owner=owner,
        expected_close_date=expected_close_date,
        stage=stage,
        currency=currency,
        stage_entered_at=now,
        **fields,
    )
    _validate(opportunity)
    opportunity.save()
    if team:
        opportunity.team.set(list(team))
    _change(opportunity, from_stage=None, to_stage=stage, status=Status.OPEN, by=by)
    audit.record(
        AuditEvent.Action.CREATE,
        opportunity,
        by=by,
        via=via,
        changes=audit.snapshot(opportunity, ["name", "amount", "currency", "stage_id", "owner_id"]),
    )
    return opportunity


def new_opportunity(
    *,
    account: Account,
    name: str,
    amount: Decimal,
    owner: User,
    expected_close_date: date,
    by: User | None,
    stage: Stage,
    currency: str = COMPANY_CURRENCY,
    **fields: Any,
) -> Opportunity:
    """An unsaved opportunity that passes the rules of :func:`create_opportunity`, for
    :func:`create_opportunities` to write with others (imports, issue 8).

    Whether ``by`` may change the account is checked once per account when they are written.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown opportunity fields: {sorted(unknown)}")
    opportunity = Opportunity(
        account=account,
        name=(name or "").strip(),
        amount=amount,
        owner=owner,
        expected_close_date=expected_close_date,
        stage=stage,
        currency=currency,
        **fields,
    )
    _validate(opportunity)
    return opportunity


@transaction.atomic
def create_opportunities(
    opportunities: list[Opportunity], *, by: User | None, via: str = "web"
) -> list[Opportunity]:
    """Open many deals at once, each built by :func:`new_opportunity`: the same rules, the
    same first StageChange and audit event as :func:`create_opportunity`, in bulk inserts."""
    now = timezone.now()
    if by is not None:
        account_ids = {o.account_id for o in opportunities}
        editable = set(
            editable_accounts(by).filter(pk__in=account_ids).values_list("pk", flat=True)
        )
        if account_ids - editable:
            raise ValidationError(_("You may not change opportunities of this account."))
    for opportunity in opportunities:
        _validate(opportunity)
        opportunity.stage_entered_at = now
    created = Opportunity.objects.bulk_create(opportunities, batch_size=500)
    StageChange.objects.bulk_create(
        [
            StageChange(
                opportunity=o,
                from_stage=None,
                to_stage=o.stage,
                status=Status.OPEN,
                changed_at=now,
                changed_by=by if by is not None and by.pk else None,
                win_rate=_stage_rate(o.stage),
            )
            for o in created
        ],
        batch_size=1000,
    )
    audit.record_many(
        AuditEvent.Action.CREATE,
        [
            (o, audit.snapshot(o, ["name", "amount", "currency", "stage_id", "owner_id"]))
            for o in created
        ],
        by=by,
        via=via,
    )
    return created


@transaction.atomic
def update_opportunity(
    opportunity: Opportunity,
    *,
    by: User | None,
    expected_version: int | None,
    via: str = "web",
    team: Iterable[User] | None = None,
    **fields: Any,
) -> Opportunity:
    """Edit the record; amount, close date, owner and the like are kept in FieldChange."""
    _require_editor(by, opportunity.account)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown opportunity fields: {sorted(unknown)}")
    before = audit.snapshot(opportunity)
    for name, value in fields.items():
        setattr(opportunity, name, value)
    if isinstance(opportunity.name, str):
        opportunity.name = opportunity.name.strip()
    _validate(opportunity)
    after = audit.snapshot(opportunity)
    changes = audit.diff(before, after)
    save_versioned(
        opportunity,
        expected_version,
        [f.attname for f in Opportunity._meta.concrete_fields if f.name in fields]
        + (["exchange_rate", "currency"] if "currency" in fields else []),
    )
    now = timezone.now()
    FieldChange.objects.bulk_create(
        [
            FieldChange(
                opportunity=opportunity,
                field=name.removesuffix("_id"),
                old_value=_display(name, old),
                new_value=_display(name, new),
                changed_at=now,
                changed_by=by if by is not None and by.pk else None,
            )
            for name, (old, new) in changes.items()
            if name in TRACKED_FIELDS
        ]
    )
    if team is not None:
        old_team = set(opportunity.team.values_list("pk", flat=True))
        new_team = {u.pk for u in team}
        if old_team != new_team:
            opportunity.team.set(list(new_team))
            changes["team"] = [sorted(old_team), sorted(new_team)]
    audit.record(AuditEvent.Action.UPDATE, opportunity, by=by, via=via, changes=changes)
    return opportunity


class MoveRefused(ValidationError):
    """A stage move that breaks a rule of §3.1/§3.2."""


@transaction.atomic
def move_opportunity(
    opportunity: Opportunity,
    to_stage: Stage,
    *,
    by: User | None,
    expected_version: int | None,
    via: str = "web",
    confirmed_exit_stages: Iterable[int] | None = None,
    override_reason: str = "",
    note: str = "",
) -> Opportunity:
    """Move an open deal to another stage of its own model (§3.1).

    Moving forward needs the exit criteria of every stage left confirmed
    (``confirmed_exit_stages``: their ids); passing the second stage needs a
    qualified opportunity (§3.2) or a manager's override with a reason.
    """
    _require_editor(by, opportunity.account)
    current = opportunity.stage
    if opportunity.status != Status.OPEN:
        raise MoveRefused(_("Only an open opportunity can change stage; reopen it first."))
    if to_stage.model_id != current.model_id:
        raise MoveRefused(_("That stage belongs to another stage model."))
    if to_stage.pk == current.pk:
        return opportunity
    exit_text = ""
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
            opportunity.qualification_override_reason = reason
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
    _change(
        opportunity,
        from_stage=current,
        to_stage=to_stage,
        status=Status.OPEN,
        by=by,
        exit_criteria=exit_text,
        note=(override_reason or note or "").strip(),
    )
    audit.record(
        AuditEvent.Action.UPDATE,
        opportunity,
        by=by,
        via=via,
        changes={"stage_id": [current.pk, to_stage.pk]},
    )
    opportunity.credit_warning = _credit_warning(opportunity, to_stage)  # type: ignore[attr-defined]
    return opportunity


def _no_warning(opportunity: Opportunity, stage: Stage) -> str:
    return ""


#: Entering Commitment warns when the deal would break the account's credit limit (§6);
#: receivables answers (``kam.receivables.apps``), a warning never blocks the move.
credit_warning: Provider[[Opportunity, Stage], str] = Provider(
    "the credit warning on a stage move", _no_warning
)


def _credit_warning(opportunity: Opportunity, stage: Stage) -> str:
    if stage.key != "commitment":
        return ""
    try:
        return credit_warning(opportunity, stage)
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
    via: str = "web",
) -> Opportunity:
    """Won, lost or no decision: terminal states with a reason (issue 5, no. 7).

    A lost deal names the competitor who won (or says none did).
    """
    _require_editor(by, opportunity.account)
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
    old_status = opportunity.status
    opportunity.status = status
    opportunity.closed_on = closed
    opportunity.close_reason = reason
    opportunity.winning_competitor = winner if status == Status.LOST else ""
    save_versioned(
        opportunity,
        expected_version,
        ["status", "closed_on", "close_reason", "winning_competitor"],
    )
    _change(
        opportunity,
        from_stage=opportunity.stage,
        to_stage=opportunity.stage,
        status=status,
        by=by,
        note=reason,
    )
    audit.record(
        AuditEvent.Action.UPDATE,
        opportunity,
        by=by,
        via=via,
        changes={"status": [old_status, status], "close_reason": ["", reason]},
    )
    return opportunity


@transaction.atomic
def reopen_opportunity(
    opportunity: Opportunity,
    *,
    by: User | None,
    expected_version: int | None,
    reason: str,
    via: str = "web",
) -> Opportunity:
    """Reopen a closed deal in the stage it closed in; recorded in the history."""
    _require_editor(by, opportunity.account)
    if opportunity.status == Status.OPEN:
        raise ValidationError(_("This opportunity is already open."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the deal is reopened.")]})
    old_status = opportunity.status
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
    _change(
        opportunity,
        from_stage=opportunity.stage,
        to_stage=opportunity.stage,
        status=Status.OPEN,
        by=by,
        note=reason,
    )
    audit.record(
        AuditEvent.Action.UPDATE,
        opportunity,
        by=by,
        via=via,
        changes={"status": [old_status, Status.OPEN], "reopen_reason": ["", reason]},
    )
    return opportunity


# --- the twenty-question evaluation (§3.3) ---------------------------------------------


@transaction.atomic
def record_evaluation(
    opportunity: Opportunity,
    *,
    answers: Mapping[int, str],
    notes: Mapping[int, str] | None = None,
    by: User | None,
    via: str = "web",
) -> Evaluation:
    """Answer the twenty questions; each pass is kept, the newest is the scorecard."""
    _require_editor(by, opportunity.account)
    notes = notes or {}
    clean: dict[str, dict[str, str]] = {}
    for number in calculations.QUESTION_NUMBERS:
        answer = answers.get(number, "") or ""
        if answer not in ("", *calculations.ANSWER_POINTS):
            raise ValidationError(_("Answer each question yes, unsure or no."))
        note = (notes.get(number) or "").strip()
        if answer or note:
            clean[str(number)] = {"answer": answer, "note": note}
    if not any(v["answer"] for v in clean.values()):
        raise ValidationError(_("Answer at least one of the twenty questions."))
    card = calculations.score_evaluation({int(k): v["answer"] for k, v in clean.items()})
    evaluation = Evaluation.objects.create(
        opportunity=opportunity,
        evaluated_at=timezone.now(),
        evaluated_by=by if by is not None and by.pk else None,
        answers=clean,
        project_score=card.project,
        ours_score=card.ours,
        win_score=card.win,
        worth_score=card.worth,
        total_score=card.total,
    )
    audit.record(
        AuditEvent.Action.CREATE, evaluation, by=by, via=via, changes={"total": card.total}
    )
    return evaluation


# --- competitors, decision factors, objections -------------------------------------------


def _required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: [message]})
    return value


@transaction.atomic
def add_competitor(
    opportunity: Opportunity, *, name: str, by: User | None, via: str = "web", **fields: Any
) -> OpportunityCompetitor:
    """Record a competitor in the deal; knowing one is present updates the competition status."""
    _require_editor(by, opportunity.account)
    competitor = OpportunityCompetitor(
        opportunity=opportunity,
        name=_required(name, "name", _("Name the competitor.")),
        **fields,
    )
    competitor.full_clean()
    competitor.save()
    if opportunity.competition_status != "present":
        opportunity.competition_status = "present"
        save_versioned(opportunity, None, ["competition_status"])
    audit.record(AuditEvent.Action.CREATE, competitor, by=by, via=via)
    return competitor


@transaction.atomic
def update_competitor(
    competitor: OpportunityCompetitor, *, by: User | None, via: str = "web", **fields: Any
) -> OpportunityCompetitor:
    _require_editor(by, competitor.opportunity.account)
    before = audit.snapshot(competitor)
    for name, value in fields.items():
        setattr(competitor, name, value)
    competitor.name = _required(competitor.name, "name", _("Name the competitor."))
    competitor.full_clean()
    competitor.save()
    audit.record(
        AuditEvent.Action.UPDATE,
        competitor,
        by=by,
        via=via,
        changes=audit.diff(before, audit.snapshot(competitor)),
    )
    return competitor


@transaction.atomic
def remove_competitor(
    competitor: OpportunityCompetitor, *, by: User | None, via: str = "web"
) -> None:
    _require_editor(by, competitor.opportunity.account)
    audit.record(AuditEvent.Action.DELETE, competitor, by=by, via=via)
    competitor.delete()


@transaction.atomic
def add_decision_factor(
    opportunity: Opportunity, *, name: str, by: User | None, via: str = "web", **fields: Any
) -> DecisionFactor:
    """A criterion the customer decides by, its type, priority and how we stand (§3.4)."""
    _require_editor(by, opportunity.account)
    factor = DecisionFactor(
        opportunity=opportunity,
        name=_required(name, "name", _("Name the decision factor.")),
        **fields,
    )
    factor.full_clean()
    factor.save()
    audit.record(AuditEvent.Action.CREATE, factor, by=by, via=via)
    return factor


@transaction.atomic
def remove_decision_factor(factor: DecisionFactor, *, by: User | None, via: str = "web") -> None:
    _require_editor(by, factor.opportunity.account)
    audit.record(AuditEvent.Action.DELETE, factor, by=by, via=via)
    factor.delete()


@transaction.atomic
def log_objection(
    opportunity: Opportunity,
    *,
    kind: str,
    said: str,
    by: User | None,
    response: str = "",
    resolved: bool = False,
    raised_on: date | None = None,
    via: str = "web",
) -> Objection:
    """Log an objection of one of the eight kinds (§3.5) and our response."""
    _require_editor(by, opportunity.account)
    objection = Objection(
        opportunity=opportunity,
        kind=kind,
        said=_required(said, "said", _("Write down what the customer said.")),
        response=(response or "").strip(),
        resolved=resolved,
        raised_on=raised_on or timezone.localdate(),
        created_by=by if by is not None and by.pk else None,
    )
    objection.full_clean(exclude=["created_by"])
    objection.save()
    audit.record(AuditEvent.Action.CREATE, objection, by=by, via=via)
    return objection


@transaction.atomic
def update_objection(
    objection: Objection,
    *,
    by: User | None,
    response: str | None = None,
    resolved: bool | None = None,
    via: str = "web",
) -> Objection:
    _require_editor(by, objection.opportunity.account)
    before = audit.snapshot(objection)
    if response is not None:
        objection.response = response.strip()
    if resolved is not None:
        objection.resolved = resolved
    objection.save(update_fields=["response", "resolved"])
    audit.record(
        AuditEvent.Action.UPDATE,
        objection,
        by=by,
        via=via,
        changes=audit.diff(before, audit.snapshot(objection)),
    )
    return objection


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
    via: str = "web",
) -> SmallSale:
    """Record an order below the threshold outside the funnel; it still counts as a sale."""
    _require_editor(by, account)
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
        description=_required(description, "description", _("Describe what was sold.")),
        amount=amount,
        currency=currency,
        sold_on=sold_on,
    )
    sale.save()
    audit.record(AuditEvent.Action.CREATE, sale, by=by, via=via)
    return sale


@transaction.atomic
def update_pipeline_settings(
    *, by: User, small_sale_threshold: Decimal, stall_days: int, via: str = "web"
) -> PipelineSettings:
    """Administrators set the off-funnel threshold and the stall rule's N days."""
    if not by.is_kam_admin:
        raise ValidationError(_("Only administrators may change the funnel settings."))
    row = PipelineSettings.current()
    before = audit.snapshot(row)
    if small_sale_threshold is None or small_sale_threshold < 0:
        raise ValidationError({"small_sale_threshold": [_("The threshold cannot be negative.")]})
    if not stall_days or stall_days < 1:
        raise ValidationError({"stall_days": [_("Enter at least one day.")]})
    row.small_sale_threshold = small_sale_threshold
    row.stall_days = stall_days
    row.save()
    audit.record(
        AuditEvent.Action.UPDATE,
        row,
        by=by,
        via=via,
        changes=audit.diff(before, audit.snapshot(row)),
    )
    return row


# --- stage model administration (§3.1) -----------------------------------------------------


@transaction.atomic
def update_stage(stage: Stage, *, by: User, via: str = "web", **fields: Any) -> Stage:
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
    }
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown stage fields: {sorted(unknown)}")
    before = audit.snapshot(stage)
    for name, value in fields.items():
        setattr(stage, name, value)
    stage.full_clean()
    stage.save()
    audit.record(
        AuditEvent.Action.UPDATE,
        stage,
        by=by,
        via=via,
        changes=audit.diff(before, audit.snapshot(stage)),
    )
    return stage


@transaction.atomic
def add_stage(model: StageModel, *, by: User, key: str, via: str = "web", **fields: Any) -> Stage:
    """Append a stage at the end of a model."""
    if not by.is_kam_admin:
        raise ValidationError(_("Only administrators may change stage models."))
    last = model.stages.aggregate(m=Max("order"))["m"] or 0
    stage = Stage(model=model, key=key, order=last + 1, **fields)
    stage.full_clean()
    stage.save()
    audit.record(AuditEvent.Action.CREATE, stage, by=by, via=via)
    return stage


@transaction.atomic
def reorder_stages(model: StageModel, stage_ids: list[int], *, by: User, via: str = "web") -> None:
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
    audit.record(
        AuditEvent.Action.UPDATE, model, by=by, via=via, changes={"order": [None, stage_ids]}
    )
