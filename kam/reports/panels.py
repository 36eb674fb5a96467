"""The role dashboards' panels, each read once for the page and the API.

A panel's builder reads its figures through the selectors and answers them as plain
data, named as in the panel's template (``reports/panels/<kind>_<name>.html``): the page
renders them with what only a screen needs (charts, links; :mod:`kam.reports.views`),
the API serialises them as JSON (:mod:`kam.reports.api`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from kam.accounts import selectors as account_selectors
from kam.activities.todos import selectors as task_selectors
from kam.core.models import User
from kam.forecasting import selectors as forecast_selectors
from kam.forecasting.scopes import COMPANY, Scope, default_scope
from kam.pipeline.funnel_screen import screen_summary
from kam.pipeline.selectors import visible_opportunities
from kam.receivables import selectors as receivable_selectors
from kam.reports import selectors, services

#: A panel's figures: what it shows, as plain data named as in its template.
Figures = dict[str, Any]
#: Reads a panel's figures for the user on that day; ``via`` is the interface asking
#: (a panel whose reading is logged records it).
Builder = Callable[[User, date, str], Figures]


# --- a rep's own -----------------------------------------------------------------------


def _rep_agenda(user: User, today: date, via: str) -> Figures:
    return {"board": selectors.rep_agenda(user, today)}


def _tasks(user: User, today: date, via: str) -> Figures:
    return {"due": task_selectors.due_soon(user, today)}


def _rep_forecast(user: User, today: date, via: str) -> Figures:
    report = selectors.rep_forecast(user, today)
    return {"forecast": report.forecast, "breakdown": report.breakdown}


def _rep_flags(user: User, today: date, via: str) -> Figures:
    return {"flagged": selectors.my_flagged(user)}


def _rep_stalled(user: User, today: date, via: str) -> Figures:
    return {"stalled": selectors.stalled_by_amount(user, selectors.rep_scope(user), today=today)}


def _rep_receivables(user: User, today: date, via: str) -> Figures:
    return {"board": selectors.rep_receivables(user, today)}


def _rep_special_days(user: User, today: date, via: str) -> Figures:
    days = selectors.birthdays_this_week(user, today)
    services.log_special_days_shown(days, by=user, via=via)
    return {"special_days": days}


def _plans(user: User, *, owned_only: bool) -> Figures:
    """Key accounts whose plan is missing, not approved or overdue for review (§1.5), and
    the plans waiting for this user's review."""
    warnings = account_selectors.plan_warnings(user, owned_only=owned_only)
    return {
        "plan_warnings": warnings[: account_selectors.PANEL_ROWS],
        "plan_warning_count": len(warnings),
        "plans_to_review": [] if owned_only else account_selectors.plans_to_review(user),
    }


def _rep_plans(user: User, today: date, via: str) -> Figures:
    return _plans(user, owned_only=True)


def _team_plans(user: User, today: date, via: str) -> Figures:
    return _plans(user, owned_only=False)


# --- a manager's team ------------------------------------------------------------------


def _team_forecast(user: User, today: date, via: str) -> Figures:
    scope = default_scope(user)
    report = forecast_selectors.forecast_report(
        user, scope, selectors.current_quarter(today), today=today
    )
    return {"scope": scope, "forecast": report.forecast, "breakdown": report.breakdown}


def _team_progress(user: User, today: date, via: str) -> Figures:
    scope = default_scope(user)
    return {"scope": scope, "progress": selectors.team_progress(user, scope)}


def _team_flags(user: User, today: date, via: str) -> Figures:
    return {"flagged": selectors.team_flagged(user, default_scope(user))}


def _team_stalled(user: User, today: date, via: str) -> Figures:
    return {"stalled": selectors.stalled_by_amount(user, default_scope(user), today=today)}


def _team_screen(user: User, today: date, via: str) -> Figures:
    """The twenty questions as the team's funnel screen (§3.3)."""
    scope = default_scope(user)
    return {"screen": screen_summary(scope.filter(visible_opportunities(user)))}


def _team_aging(user: User, today: date, via: str) -> Figures:
    return {"aging": receivable_selectors.aging(user, "rep", today)}


def _team_activities(user: User, today: date, via: str) -> Figures:
    scope = default_scope(user)
    return {"scope": scope, "activities": selectors.team_activities(user, scope, today)}


# --- the company -----------------------------------------------------------------------


def _company_forecast(user: User, today: date, via: str) -> Figures:
    report = forecast_selectors.forecast_report(
        user, Scope(COMPANY), selectors.current_quarter(today), today=today
    )
    return {"forecast": report.forecast, "breakdown": report.breakdown}


def _company_pyramid(user: User, today: date, via: str) -> Figures:
    return {"pyramid": account_selectors.value_pyramid(user, today=today)}


def _company_matrix(user: User, today: date, via: str) -> Figures:
    segments, unplaced = selectors.segment_counts(user)
    return {"segments": segments, "unplaced": unplaced}


def _company_cash(user: User, today: date, via: str) -> Figures:
    return {"cash": receivable_selectors.cash_forecast(user, Scope(COMPANY), "month", today=today)}


def _company_risks(user: User, today: date, via: str) -> Figures:
    overdue_total, overdue = selectors.company_overdue(user, today)
    flagged = selectors.flagged_by_amount(visible_opportunities(user))
    return {"overdue_total": overdue_total, "overdue": overdue, "flagged": flagged}


#: Each role's dashboard, in page order, under the names of ``selectors.DASHBOARD_PANELS``.
BUILDERS: dict[str, dict[str, Builder]] = {
    selectors.REP: {
        "agenda": _rep_agenda,
        "tasks": _tasks,
        "forecast": _rep_forecast,
        "flags": _rep_flags,
        "stalled": _rep_stalled,
        "receivables": _rep_receivables,
        "special_days": _rep_special_days,
        "plans": _rep_plans,
    },
    selectors.MANAGER: {
        "forecast": _team_forecast,
        "progress": _team_progress,
        "aging": _team_aging,
        "flags": _team_flags,
        "stalled": _team_stalled,
        "screen": _team_screen,
        "tasks": _tasks,
        "activities": _team_activities,
        "plans": _team_plans,
    },
    selectors.EXECUTIVE: {
        "forecast": _company_forecast,
        "pyramid": _company_pyramid,
        "matrix": _company_matrix,
        "cash": _company_cash,
        "risks": _company_risks,
        "plans": _team_plans,
    },
}


def figures(kind: str, name: str, user: User, today: date, *, via: str) -> Figures:
    """The figures of one panel of a kind of dashboard, read for ``user`` on ``today``."""
    return BUILDERS[kind][name](user, today, via)
