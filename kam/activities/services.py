"""Every change to an activity goes through here (DOMAIN.md §4, §3.6)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam.accounts.models import Account, PlanAction
from kam.accounts.visibility import require_edit
from kam.activities.calculations import objective_problem
from kam.activities.models import (
    Activity,
    ActivityStatus,
    CalendarFeed,
    Kind,
    Outcome,
    OutcomeReceipt,
)
from kam.core import audit, changes
from kam.core.concurrency import save_versioned
from kam.core.models import AuditEvent, Interface, User
from kam.pipeline.models import Opportunity, StageChange
from kam.stakeholders.models import Contact

#: The refusal of a change by someone who may not edit the account (shown on the form).
NOT_YOUR_ACTIVITIES = gettext_lazy("You may not change activities of this account.")


PROGRESS_OUTCOMES = (Outcome.ADVANCE, Outcome.ORDER)


def refresh_deal_progress(opportunities: Iterable[int | None] | QuerySet[Opportunity]) -> int:
    """Recompute what the stall rule reads on each deal (``Opportunity.last_outcome``,
    ``previous_outcome``, ``progressed_at``) from its activities and stage moves: one UPDATE
    however many deals. Every service that changes an activity's outcome, status, time or
    deal calls it; returns the number of deals written.

    ``opportunities`` is ids (``None`` entries are skipped) or a queryset of deals.
    """
    if isinstance(opportunities, QuerySet):
        deals = opportunities
    else:
        ids = {pk for pk in opportunities if pk is not None}
        if not ids:
            return 0
        deals = Opportunity.objects.filter(pk__in=ids)
    judged = Activity.objects.filter(
        opportunity_id=OuterRef("pk"), status=ActivityStatus.DONE
    ).exclude(outcome="")
    newest = judged.order_by("-starts_at", "-pk").values("outcome")
    last_advance = (
        judged.filter(outcome__in=PROGRESS_OUTCOMES).order_by("-starts_at").values("starts_at")[:1]
    )
    last_move = (
        StageChange.objects.filter(opportunity_id=OuterRef("pk"))
        .order_by("-changed_at")
        .values("changed_at")[:1]
    )
    return deals.update(
        last_outcome=Coalesce(Subquery(newest[:1]), Value("")),
        previous_outcome=Coalesce(Subquery(newest[1:2]), Value("")),
        progressed_at=Greatest(
            F("created_at"),
            Coalesce(Subquery(last_advance), F("created_at")),
            Coalesce(Subquery(last_move), F("created_at")),
        ),
    )


def _link_plan_action(activity: Activity, action: PlanAction, *, by: User | None, via: str) -> None:
    """Tie the activity to an action of its account's plan (§1.5); the link lives on the
    action, as the account plan sets it."""
    if action.objective.plan.account_id != activity.account_id:
        raise ValidationError({"plan_action": [_("Choose an action of this account's plan.")]})
    if action.activity_id == activity.pk:
        return
    with changes.tracked(action, by=by, via=via):
        action.activity = activity
        action.save(update_fields=["activity"])


def _validate_plan(
    *,
    account: Account,
    kind: str,
    starts_at: datetime | None,
    objective: str,
    opportunity: Opportunity | None,
    contacts: Iterable[Contact],
    duration_minutes: int | None,
    expenses: Decimal | None,
) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in Kind.values:
        errors["kind"] = [_("Choose what kind of activity this is.")]
    if starts_at is None:
        errors["starts_at"] = [_("Say when the activity takes place.")]
    problem = objective_problem(objective)
    if problem:
        errors["objective"] = [problem]
    if opportunity is not None and opportunity.account_id != account.pk:
        errors["opportunity"] = [_("The opportunity belongs to another account.")]
    if any(c.account_id != account.pk for c in contacts):
        errors["contacts"] = [_("Choose people of this account.")]
    if duration_minutes is not None and duration_minutes <= 0:
        errors["duration_minutes"] = [_("The duration must be positive.")]
    if expenses is not None and expenses < 0:
        errors["expenses"] = [_("Expenses cannot be negative.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def plan_activity(
    *,
    account: Account,
    kind: str,
    owner: User,
    starts_at: datetime,
    objective: str,
    by: User | None,
    via: str = Interface.WEB,
    opportunity: Opportunity | None = None,
    location: str = "",
    purpose: str = "",
    contacts: Iterable[Contact] = (),
    staff: Iterable[User] = (),
    duration_minutes: int | None = None,
    expenses: Decimal = Decimal(0),
    plan_action: PlanAction | None = None,
) -> Activity:
    """Plan an activity with the 5W (§4): who (contacts), what (kind), why (purpose),
    where (location), when (starts_at), and an objective the customer will act on."""
    require_edit(by, account, str(NOT_YOUR_ACTIVITIES), refusal=ValidationError)
    contacts = list(contacts)
    _validate_plan(
        account=account,
        kind=kind,
        starts_at=starts_at,
        objective=objective,
        opportunity=opportunity,
        contacts=contacts,
        duration_minutes=duration_minutes,
        expenses=expenses,
    )
    activity = Activity(
        account=account,
        opportunity=opportunity,
        kind=kind,
        owner=owner,
        starts_at=starts_at,
        location=(location or "").strip(),
        purpose=(purpose or "").strip(),
        objective=" ".join(objective.split()),
        duration_minutes=duration_minutes,
        expenses=expenses or Decimal(0),
    )
    changes.create(activity, by=by, via=via, clean=None)
    if contacts:
        activity.contacts.set(contacts)
    staff = list(staff)
    if staff:
        activity.staff.set(staff)
    if plan_action is not None:
        _link_plan_action(activity, plan_action, by=by, via=via)
    return activity


@transaction.atomic
def update_activity(
    activity: Activity,
    *,
    by: User | None,
    expected_version: int | None,
    via: str = Interface.WEB,
    contacts: Iterable[Contact] | None = None,
    staff: Iterable[User] | None = None,
    plan_action: PlanAction | None = None,
    **fields: Any,
) -> Activity:
    """Change a planned activity's 5W, objective, opportunity, duration or expenses."""
    require_edit(by, activity.account, str(NOT_YOUR_ACTIVITIES), refusal=ValidationError)
    allowed = {
        "kind",
        "starts_at",
        "location",
        "purpose",
        "objective",
        "opportunity",
        "owner",
        "duration_minutes",
        "expenses",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown activity fields: {sorted(unknown)}")
    previous_deal = activity.opportunity_id
    with changes.tracked(activity, by=by, via=via, always=True):
        for name, value in fields.items():
            setattr(activity, name, value)
        new_contacts = list(contacts) if contacts is not None else list(activity.contacts.all())
        _validate_plan(
            account=activity.account,
            kind=activity.kind,
            starts_at=activity.starts_at,
            objective=activity.objective,
            opportunity=activity.opportunity,
            contacts=new_contacts,
            duration_minutes=activity.duration_minutes,
            expenses=activity.expenses,
        )
        activity.objective = " ".join(activity.objective.split())
        save_versioned(
            activity,
            expected_version,
            [f.attname for f in Activity._meta.concrete_fields if f.name in fields],
        )
        if contacts is not None:
            activity.contacts.set(new_contacts)
        if staff is not None:
            activity.staff.set(list(staff))
        if plan_action is not None:
            _link_plan_action(activity, plan_action, by=by, via=via)
        if activity.status == ActivityStatus.DONE:
            refresh_deal_progress([previous_deal, activity.opportunity_id])
    return activity


DRAFT_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")


def _already_received(activity: Activity, key: str, by: User | None) -> bool:
    """Whether the outcome draft ``key`` was recorded before; else claim the key.

    The claim is written in the caller's transaction, so a refused outcome leaves no
    receipt. Two sends of one draft racing each other meet at the unique key: the
    second waits for the first and then finds its receipt. A key only ever answers
    for its own activity and sender, so it cannot touch anything else.
    """
    if not DRAFT_KEY.fullmatch(key):
        raise ValidationError({"idempotency_key": [_("This draft has an invalid key.")]})
    receipt = OutcomeReceipt.objects.filter(key=key).first()
    if receipt is None:
        try:
            with transaction.atomic():
                OutcomeReceipt.objects.create(key=key, activity=activity, user=by)
        except IntegrityError:
            receipt = OutcomeReceipt.objects.get(key=key)
        else:
            return False
    if receipt.activity_id != activity.pk or receipt.user_id != (by.pk if by else None):
        raise ValidationError(
            {"idempotency_key": [_("This draft was already used for another outcome: discard it.")]}
        )
    return True


@transaction.atomic
def record_outcome(
    activity: Activity,
    *,
    outcome: str,
    note: str,
    by: User | None,
    expected_version: int | None,
    via: str = Interface.WEB,
    duration_minutes: int | None = None,
    expenses: Decimal | None = None,
    idempotency_key: str = "",
) -> Activity:
    """Record what happened (§3.6): order, advance, continuation or no sale, and what
    the customer agreed to do. An advance or an order needs that concrete action.

    ``idempotency_key`` names a draft kept on a phone: sent again, the draft returns the
    activity as it was recorded instead of recording the outcome twice."""
    require_edit(by, activity.account, str(NOT_YOUR_ACTIVITIES), refusal=ValidationError)
    if idempotency_key and _already_received(activity, idempotency_key, by):
        activity.refresh_from_db()
        return activity
    errors: dict[str, list[str]] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Choose order, advance, continuation or no sale.")]
    note = (note or "").strip()
    if outcome in (Outcome.ADVANCE, Outcome.ORDER) and not note:
        errors["outcome_note"] = [
            _("An advance is something the customer agreed to do: write down what.")
        ]
    if activity.status == ActivityStatus.CANCELLED:
        errors["outcome"] = [_("A cancelled activity has no outcome.")]
    if activity.starts_at > timezone.now():
        errors.setdefault("outcome", []).append(
            _("The activity has not happened yet: record its outcome afterwards.")
        )
    if duration_minutes is not None and duration_minutes <= 0:
        errors["duration_minutes"] = [_("The duration must be positive.")]
    if expenses is not None and expenses < 0:
        errors["expenses"] = [_("Expenses cannot be negative.")]
    if errors:
        raise ValidationError(errors)
    values: dict[str, Any] = {
        "outcome": outcome,
        "outcome_note": note,
        "status": ActivityStatus.DONE,
        "outcome_recorded_at": timezone.now(),
    }
    if duration_minutes is not None:
        values["duration_minutes"] = duration_minutes
    if expenses is not None:
        values["expenses"] = expenses
    changes.update(
        activity,
        values,
        by=by,
        via=via,
        expected_version=expected_version,
        clean=None,
        always=True,
    )
    refresh_deal_progress([activity.opportunity_id])
    return activity


@transaction.atomic
def cancel_activity(
    activity: Activity, *, by: User | None, expected_version: int | None, via: str = Interface.WEB
) -> Activity:
    """Call off a planned activity; one done or already cancelled stays as it is."""
    require_edit(by, activity.account, str(NOT_YOUR_ACTIVITIES), refusal=ValidationError)
    if activity.status != ActivityStatus.PLANNED:
        raise ValidationError(_("Only a planned activity can be cancelled."))
    changes.update(
        activity,
        {"status": ActivityStatus.CANCELLED},
        by=by,
        via=via,
        expected_version=expected_version,
        clean=None,
    )
    return activity


@transaction.atomic
def issue_calendar_token(
    user: User, *, by: User | None = None, via: str = Interface.WEB
) -> CalendarFeed:
    """Give ``user`` a new secret feed URL; the old one stops working at once."""
    token = secrets.token_urlsafe(32)
    feed, _created = CalendarFeed.objects.update_or_create(user=user, defaults={"token": token})
    # A secret, like an API token: the trail says a new one was issued, never its value.
    audit.record(AuditEvent.Action.UPDATE, feed, by=by or user, via=via, changes={"token": "new"})
    return feed


@transaction.atomic
def revoke_calendar_token(user: User, *, by: User | None = None, via: str = Interface.WEB) -> None:
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is not None:
        audit.record(AuditEvent.Action.DELETE, feed, by=by or user, via=via)
        feed.delete()
