"""The navigation of the UI shell: every area of the product, in the user's language."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url: str
    active: bool


_AREAS = [
    ("accounts", _("Accounts"), "accounts:list", "/accounts/"),
    ("stakeholders", _("Decision chain"), "stakeholders:list", "/people/"),
    ("pipeline", _("Opportunities"), "pipeline:list", "/opportunities/"),
    ("activities", _("Activities"), "activities:list", "/activities/"),
    ("tasks", _("Tasks"), "tasks:list", "/tasks/"),
    ("forecasting", _("Forecast"), "forecasting:index", "/forecast/"),
    ("receivables", _("Receivables"), "receivables:index", "/receivables/"),
    ("reports", _("Reports"), "reports:index", "/reports/"),
]
# Visited less often than the daily areas: under "More", so the bar stays on one line
# from 1280 px wide in either language.
_MORE_AREAS = [
    ("performance", _("Team performance"), "performance:index", "/performance/"),
    ("imports", _("Import"), "imports:index", "/imports/"),
    ("playbook", _("Objection playbook"), "coach:playbook", "/coach/playbook/"),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [
        NavItem(key, str(label), reverse(name), request.path.startswith(prefix))
        for key, label, name, prefix in _AREAS
    ]
    more = [
        NavItem(key, str(label), reverse(name), request.path.startswith(prefix))
        for key, label, name, prefix in _MORE_AREAS
    ]
    if getattr(user, "is_kam_admin", False):
        more.append(
            NavItem(
                "settings",
                str(_("Settings")),
                reverse("core:user_list"),
                request.path.startswith("/settings/"),
            )
        )
    return {"nav_items": items, "nav_more": more, "nav_more_active": any(i.active for i in more)}
