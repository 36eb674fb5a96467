"""Writes of call preparation and the objection playbook (DOMAIN.md §3.5, §4).

Each validates, writes in one transaction and records the change through
:mod:`kam.core.changes`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.visibility import require_edit
from kam.activities.models import Activity, ActivityStatus
from kam.coach.calculations import check_call_objective
from kam.coach.models import CallPlan, ObjectionResponse, ObjectiveMet, PlaybookEntry
from kam.coach.selectors import can_edit_playbook
from kam.core import changes
from kam.core.models import Interface, User
from kam.pipeline import services as pipeline_services
from kam.pipeline.models import Objection, ObjectionKind

#: What the rep writes into a call plan.
PLAN_FIELDS = (
    "objective",
    "fallback_objective",
    "situation_questions",
    "problem_questions",
    "implication_questions",
    "need_payoff_questions",
    "fab",
    "power_statement",
    "opener_fact",
    "opener_assessment",
    "opener_question",
    "trust_plan",
    "coach_plan",
    "expected_objections",
)
PLAYBOOK_FIELDS = (
    "surface_zh",
    "surface_en",
    "root_cause_zh",
    "root_cause_en",
    "response_zh",
    "response_en",
)


def _objection_kinds(kinds: Iterable[str]) -> list[str]:
    chosen = set(kinds)
    unknown = chosen - set(ObjectionKind.values)
    if unknown:
        raise ValidationError(
            {
                "expected_objections": _("Unknown objection: %(kinds)s.")
                % {"kinds": ", ".join(sorted(unknown))}
            }
        )
    return [kind for kind in ObjectionKind.values if kind in chosen]


def _judge(values: dict[str, Any]) -> None:
    """Refuse an objective that is not a concrete, measurable customer action (§4)."""
    errors: dict[str, str] = {}
    verdict = check_call_objective(values.get("objective", ""))
    if not verdict.accepted:
        errors["objective"] = verdict.reason
    fallback = (values.get("fallback_objective") or "").strip()
    if fallback:
        fallback_verdict = check_call_objective(fallback)
        if not fallback_verdict.accepted:
            errors["fallback_objective"] = fallback_verdict.reason
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_call_plan(
    activity: Activity,
    *,
    by: User | None,
    via: str = Interface.WEB,
    expected_version: int | None = None,
    **fields: Any,
) -> CallPlan:
    """Create or change the call plan of a planned activity (COACHING §6).

    The objective (and a fallback one, if given) must name what the customer will do,
    concretely and measurably; otherwise nothing is saved and the reason is given.
    """
    require_edit(by, activity.account)
    if activity.status != ActivityStatus.PLANNED:
        raise ValidationError(_("Only a planned activity can be prepared."))
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"unknown call plan fields: {sorted(unknown)}")
    values = {
        name: (value.strip() if isinstance(value, str) else value) for name, value in fields.items()
    }
    if "expected_objections" in values:
        values["expected_objections"] = _objection_kinds(values["expected_objections"] or [])
    try:
        plan: CallPlan | None = CallPlan.objects.select_for_update().get(activity=activity)
    except CallPlan.DoesNotExist:
        plan = None
    if plan is None:
        _judge(values)
        return changes.create(
            CallPlan(activity=activity, author=by if by is not None and by.pk else None, **values),
            by=by,
            via=via,
        )
    current = {name: getattr(plan, name) for name in ("objective", "fallback_objective")}
    _judge({**current, **values})
    changes.update(plan, values, by=by, via=via, expected_version=expected_version)
    return plan


@transaction.atomic
def record_objective_met(
    plan: CallPlan,
    *,
    met: str,
    by: User | None,
    via: str = Interface.WEB,
    expected_version: int | None = None,
) -> CallPlan:
    """After the call: which of the plan's objectives the customer's action met (§3.6)."""
    activity = plan.activity
    require_edit(by, activity.account)
    if activity.status == ActivityStatus.CANCELLED or activity.starts_at > timezone.now():
        raise ValidationError(_("Say which objective was met once the call has taken place."))
    if met not in ObjectiveMet.values:
        raise ValidationError({"objective_met": _("Choose which objective was met.")})
    if met == ObjectiveMet.FALLBACK and not plan.fallback_objective:
        raise ValidationError({"objective_met": _("This plan has no fallback objective.")})
    changes.update(
        plan,
        {"objective_met": met, "objective_met_at": timezone.now()},
        by=by,
        via=via,
        expected_version=expected_version,
    )
    return plan


@transaction.atomic
def update_playbook_entry(
    entry: PlaybookEntry,
    *,
    by: User,
    via: str = Interface.WEB,
    expected_version: int | None = None,
    **fields: str,
) -> PlaybookEntry:
    """Change the playbook's answer to one objection; managers only (COACHING §7)."""
    if not can_edit_playbook(by):
        raise PermissionDenied(_("Only managers change the objection playbook."))
    unknown = set(fields) - set(PLAYBOOK_FIELDS)
    if unknown:
        raise TypeError(f"unknown playbook fields: {sorted(unknown)}")
    values: dict[str, Any] = {name: value.strip() for name, value in fields.items()}
    values["edited_by"] = by
    changes.update(entry, values, by=by, via=via, expected_version=expected_version)
    return entry


@transaction.atomic
def log_response(
    objection: Objection,
    *,
    by: User | None,
    entry: PlaybookEntry | None = None,
    response: str = "",
    activity: Activity | None = None,
    resolved: bool | None = None,
    via: str = Interface.WEB,
) -> ObjectionResponse:
    """Log the answer given to an objection and the playbook entry it came from (§3.5).

    With no text of its own the entry's answer (in the user's language) is the one used.
    The objection's own response becomes this answer, so the deal page shows it too.
    """
    require_edit(by, objection.opportunity.account)
    text = (response or "").strip() or (entry.response if entry is not None else "")
    if not text:
        raise ValidationError({"response": _("Write down the answer you gave.")})
    if activity is not None and activity.opportunity_id != objection.opportunity_id:
        raise ValidationError({"activity": _("This activity is not about the objection's deal.")})
    used = changes.create(
        ObjectionResponse(
            objection=objection,
            entry=entry,
            activity=activity,
            response=text,
            used_by=by if by is not None and by.pk else None,
        ),
        by=by,
        via=via,
    )
    pipeline_services.update_objection(objection, by=by, response=text, resolved=resolved, via=via)
    return used
