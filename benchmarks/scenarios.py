"""What the benchmark measures: pages, headline figures, jobs.

Each area adds its pages here as it grows; the floors are the issue's
(300 ms p95 for pages and API calls, 200 ms for single-record pages).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Count

from kam.accounts.models import Account
from kam.core.models import Role, User
from kam.pipeline.models import Opportunity, Stage, Status

LIST_FLOOR = 300.0
RECORD_FLOOR = 200.0


@dataclass(frozen=True)
class Page:
    name: str
    url: Callable[[User], str]
    floor_ms: float = LIST_FLOOR


def biggest_account_of(user: User) -> Account:
    from kam.accounts.visibility import visible_accounts

    return (
        visible_accounts(user).annotate(n=Count("opportunities")).order_by("-n", "pk").first()
        or Account.objects.order_by("pk").first()
    )  # type: ignore[return-value]


def biggest_opportunity_of(user: User) -> int:
    from kam.pipeline.selectors import visible_opportunities

    found = visible_opportunities(user).order_by("-amount", "pk").values_list("pk", flat=True)
    return found.first() or 0


def pages() -> list[Page]:
    return [
        # The first page after sign-in is the role's dashboard: run as a rep, a
        # manager and a director it measures the three dashboards.
        Page("dashboard of the role", lambda u: "/"),
        Page("account list", lambda u: "/accounts/"),
        Page("account list, searched", lambda u: "/accounts/?q=上海&tier=key"),
        Page("account 360", lambda u: f"/accounts/{biggest_account_of(u).pk}/", RECORD_FLOOR),
        Page("people list", lambda u: "/people/"),
        Page("opportunity list", lambda u: "/opportunities/"),
        Page("activity list", lambda u: "/activities/"),
        Page("forecast", lambda u: "/forecast/"),
        Page("funnel report", lambda u: "/forecast/funnel/"),
        Page("weekly progress", lambda u: "/forecast/progress/"),
        Page("opportunity board", lambda u: "/opportunities/board/"),
        Page(
            "opportunity page",
            lambda u: f"/opportunities/{biggest_opportunity_of(u)}/",
            RECORD_FLOOR,
        ),
        Page("red flags of my pipeline", lambda u: "/people/red-flags/"),
        Page("influence map", lambda u: f"/people/accounts/{biggest_account_of(u).pk}/map/"),
        Page("aging report", lambda u: "/receivables/"),
        Page("overdue list", lambda u: "/receivables/overdue/"),
        Page("calendar", lambda u: "/activities/calendar/"),
        Page("win/loss report", lambda u: "/reports/win-loss/"),
        Page("activity effectiveness report", lambda u: "/reports/activities/"),
        Page("cash forecast", lambda u: "/reports/cash/"),
        Page("API accounts", lambda u: "/api/v1/accounts/"),
    ]


def users_by_role() -> dict[str, User]:
    """The busiest rep, the manager of the busiest team, and a director."""
    rep_id = (
        Opportunity.objects.filter(status=Status.OPEN)
        .values("owner_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "owner_id")
        .values_list("owner_id", flat=True)
        .first()
    )
    rep = User.objects.get(pk=rep_id) if rep_id else User.objects.filter(role=Role.REP).first()
    manager = (
        User.objects.filter(role=Role.MANAGER, managed_teams=rep.team_id).first()
        or User.objects.filter(role=Role.MANAGER).order_by("pk").first()
    )
    director = User.objects.filter(role=Role.DIRECTOR).order_by("pk").first()
    return {"rep": rep, "manager": manager, "director": director}  # type: ignore[dict-item]


@dataclass(frozen=True)
class Figure:
    name: str
    kam: Callable[[], object]
    sql: Callable[[], object]


def _company_funnel_kam() -> list[tuple[int, int, Decimal]]:
    from kam.forecasting.selectors import funnel_rows
    from kam.pipeline.selectors import default_stage_model

    director = User.objects.filter(role=Role.DIRECTOR).order_by("pk").first()
    rows = funnel_rows(director, default_stage_model())  # type: ignore[arg-type]
    return [(r.stage_id, r.count, r.total) for r in rows]


def _company_funnel_sql() -> list[tuple[int, int, Decimal]]:
    stage_ids = list(
        Stage.objects.filter(model__is_default=True).order_by("order").values_list("pk", flat=True)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT stage_id, COUNT(*), SUM(amount) FROM pipeline_opportunity "
            "WHERE status = %s GROUP BY stage_id",
            [Status.OPEN],
        )
        found = {stage: (n, Decimal(total)) for stage, n, total in cursor.fetchall()}
    return [(s, *found.get(s, (0, Decimal(0)))) for s in stage_ids]  # type: ignore[misc]


def figures() -> list[Figure]:
    return [Figure("company funnel report", _company_funnel_kam, _company_funnel_sql)]


def timed_jobs() -> Iterator[tuple[str, Callable[[], object]]]:
    return iter(())
