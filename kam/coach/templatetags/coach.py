"""The coach's panels on the activity pages: ``{% load coach %}``.

The activity page and the outcome form include them with one line each, so call
preparation stays in its own app above the activities.
"""

from __future__ import annotations

from typing import Any

from django import template

from kam.activities.models import Activity, ActivityStatus
from kam.coach import selectors
from kam.coach.calculations import check_call_objective
from kam.coach.forms import ObjectiveMetForm

register = template.Library()


@register.inclusion_tag("coach/_activity_panel.html")
def call_preparation_panel(activity: Activity) -> dict[str, Any]:
    """The link to prepare the call and, before it, the warning on a weak objective."""
    plan = selectors.plan_of(activity)
    return {
        "activity": activity,
        "plan": plan,
        "planned": activity.status == ActivityStatus.PLANNED,
        "verdict": check_call_objective(plan.objective if plan else activity.objective),
    }


@register.inclusion_tag("coach/_beside_outcome.html", takes_context=True)
def call_plan_beside_outcome(context: template.Context, activity: Activity) -> dict[str, Any]:
    """The plan beside the outcome form, asking which objective was met."""
    plan = selectors.plan_of(activity)
    return {
        "csrf_token": context.get("csrf_token"),
        "activity": activity,
        "plan": plan,
        "expected_labels": selectors.expected_labels(plan),
        "met_form": ObjectiveMetForm(
            initial={
                "objective_met": plan.objective_met if plan else "",
                "version": plan.version if plan else None,
            },
            has_fallback=bool(plan and plan.fallback_objective),
        ),
        "error": "",
    }
