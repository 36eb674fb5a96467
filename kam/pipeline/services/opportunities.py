"""Opening and editing deals (DOMAIN.md §3).

Each function validates, writes in one transaction, keeps the stage history
(StageChange) and records the audit event, whose before/after of each field is the
deal's change history, and returns the instance.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.models import Account
from kam.accounts.visibility import editable_accounts, require_edit
from kam.core import changes
from kam.core.concurrency import save_versioned
from kam.core.models import Interface, Role, User
from kam.pipeline.models import Opportunity, Stage, StageChange, Status

# An open deal expected to close more than this long ago is a data-entry mistake.
DISTANT_PAST = timedelta(days=30)
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
COMPANY_CURRENCY = "CNY"

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


def editor_refusal() -> str:
    """What a user who may not change the deal's account is told (on the form)."""
    return _("You may not change opportunities of this account.")


def require_editor(user: User | None, account: Account) -> None:
    """Refuse with :func:`editor_refusal` as a ValidationError, so a form shows it."""
    require_edit(user, account, editor_refusal(), ValidationError)


def is_manager(user: User | None) -> bool:
    return user is not None and (
        user.role in (Role.MANAGER, Role.DIRECTOR, Role.ADMIN) or user.is_superuser
    )


def validate(opportunity: Opportunity) -> None:
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


def record_stage_change(
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
        win_rate=to_stage.win_rate,
        exit_criteria_confirmed=exit_criteria,
        note=note,
    )
    if opportunity.progressed_at is None or opportunity.progressed_at < change.changed_at:
        opportunity.progressed_at = change.changed_at
        Opportunity.objects.filter(pk=opportunity.pk).update(progressed_at=change.changed_at)
    return change


def _known_fields(fields: Iterable[str]) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown opportunity fields: {sorted(unknown)}")


@transaction.atomic
def create_opportunity(
    *,
    account: Account,
    name: str,
    amount: Decimal,
    owner: User,
    expected_close_date: date,
    by: User | None,
    via: str = Interface.WEB,
    stage: Stage | None = None,
    currency: str = COMPANY_CURRENCY,
    team: Iterable[User] = (),
    **fields: Any,
) -> Opportunity:
    """Open a deal at an account, in the first stage of the default model unless told.

    Records the first StageChange, so time in stage and "reached stage X" work from day one.
    """
    require_editor(by, account)
    if stage is None:
        stage = (
            Stage.objects.filter(model__is_default=True).order_by("order").select_related("model")
        ).first()
        if stage is None:
            raise ValidationError(_("No default stage model is configured."))
    _known_fields(fields)
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
    changes.create(opportunity, by=by, via=via, clean=validate)
    if team:
        opportunity.team.set(list(team))
    record_stage_change(opportunity, from_stage=None, to_stage=stage, status=Status.OPEN, by=by)
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
    :func:`create_opportunities` to write with others (imports).

    Whether ``by`` may change the account is checked once per account when they are written.
    """
    _known_fields(fields)
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
    validate(opportunity)
    return opportunity


@transaction.atomic
def create_opportunities(
    opportunities: list[Opportunity], *, by: User | None, via: str = Interface.WEB
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
            raise ValidationError(editor_refusal())
    for opportunity in opportunities:
        validate(opportunity)
        opportunity.stage_entered_at = now
    created = changes.create_many(opportunities, by=by, via=via, clean=None, batch_size=500)
    StageChange.objects.bulk_create(
        [
            StageChange(
                opportunity=o,
                from_stage=None,
                to_stage=o.stage,
                status=Status.OPEN,
                changed_at=now,
                changed_by=by if by is not None and by.pk else None,
                win_rate=o.stage.win_rate,
            )
            for o in created
        ],
        batch_size=1000,
    )
    return created


@transaction.atomic
def update_opportunity(
    opportunity: Opportunity,
    *,
    by: User | None,
    expected_version: int | None,
    via: str = Interface.WEB,
    team: Iterable[User] | None = None,
    **fields: Any,
) -> Opportunity:
    """Edit the record. The audit event keeps the before/after of every changed field:
    the deal page's "changes to the record" are read from it
    (:func:`kam.pipeline.selectors.field_history`)."""
    require_editor(by, opportunity.account)
    _known_fields(fields)
    with changes.tracked(opportunity, by=by, via=via, always=True) as changed:
        for name, value in fields.items():
            setattr(opportunity, name, value)
        if isinstance(opportunity.name, str):
            opportunity.name = opportunity.name.strip()
        validate(opportunity)
        save_versioned(
            opportunity,
            expected_version,
            [f.attname for f in Opportunity._meta.concrete_fields if f.name in fields]
            + (["exchange_rate", "currency"] if "currency" in fields else []),
        )
        if team is not None:
            old_team = set(opportunity.team.values_list("pk", flat=True))
            new_team = {u.pk for u in team}
            if old_team != new_team:
                opportunity.team.set(list(new_team))
                changed["team"] = [sorted(old_team), sorted(new_team)]
    return opportunity
