"""What the benchmark measures: pages, headline figures, jobs.

Each area adds its pages here as it grows; the floors are the issue's
(300 ms p95 for pages and API calls, 200 ms for single-record pages).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
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
    # Measured only as these roles (None: rep, manager and director).
    roles: tuple[str, ...] | None = None
    # The state of the tenant the page is measured in (default: the steady state).
    state: Callable[[], AbstractContextManager[object]] = field(default=nullcontext)


def steady_state() -> None:
    """The tenant as a production deployment keeps it: the accounts' payment habits hold
    for today. ``kam db_worker`` stores them within seconds of the day's first cash
    forecast, which queues the refresh; here no worker runs, so it is done before
    measuring, whatever day the tenant was generated on."""
    from django.utils import timezone

    from kam.receivables.models import PaymentHabitsAsOf
    from kam.receivables.services import refresh_payment_habits

    today = timezone.localdate()
    if not PaymentHabitsAsOf.objects.filter(pk=1, as_of=today).exists():
        refresh_payment_habits(as_of=today)


@contextmanager
def habits_not_yet_refreshed() -> Iterator[None]:
    """The day's first minutes, before the worker has refreshed the payment habits: they
    hold for yesterday, so each cash forecast computes them from a year of payments."""
    from django.utils import timezone

    from kam.receivables.models import PaymentHabitsAsOf

    marker = PaymentHabitsAsOf.objects.filter(pk=1)
    saved = marker.values("as_of", "requested_on").first()
    marker.update(as_of=timezone.localdate() - timedelta(days=1))
    try:
        yield
    finally:
        if saved is not None:
            marker.update(**saved)


# The benchmark's user for each kind of dashboard.
DASHBOARD_ROLE = {"rep": "rep", "manager": "manager", "executive": "director"}


def _panel_url(name: str) -> Callable[[User], str]:
    return lambda _user: f"/reports/dashboard/{name}/"


def dashboard_panels() -> list[Page]:
    """Each panel of each role's dashboard: the frame loads them, one request apiece."""
    from kam.reports.views import PANELS

    return [
        Page(
            f"dashboard panel {kind}/{panel.name}",
            _panel_url(panel.name),
            roles=(DASHBOARD_ROLE[kind],),
        )
        for kind, panels in PANELS.items()
        for panel in panels
    ]


def api_dashboard_panels() -> list[Page]:
    """The dashboard API asked for one panel at a time, as a client refreshing one figure."""
    from kam.reports.selectors import DASHBOARD_PANELS

    return [
        Page(
            f"API dashboard panel {kind}/{name}",
            lambda _user, name=name: f"/api/v1/reports/dashboard/?panel={name}",
            roles=(DASHBOARD_ROLE[kind],),
        )
        for kind, names in DASHBOARD_PANELS.items()
        for name in names
    ]


def aging_panels() -> list[Page]:
    """The aging page's side panels, which it loads one request apiece."""
    from kam.receivables.views import PANEL_CONTEXT

    return [
        Page(f"aging report panel {name}", lambda _user, name=name: f"/receivables/panels/{name}/")
        for name in PANEL_CONTEXT
    ]


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


def team_scope(user: User) -> str:
    """The forecast scope of the busiest rep's team when the user may see it, else their first."""
    from kam.forecasting.scopes import scope_choices

    keys = [key for key, _label in scope_choices(user) if key.startswith("team:")]
    busiest = f"team:{busiest_rep().team_id}"
    return busiest if busiest in keys else (keys[0] if keys else "company")


def pages() -> list[Page]:
    # Role dashboards are added here by their area (issue 9 lists them among the pages).
    return [
        # The first page after sign-in is the role's dashboard: run as a rep, a
        # manager and a director it measures the three dashboards.
        Page("dashboard of the role", lambda u: "/"),
        *dashboard_panels(),
        Page("account list", lambda u: "/accounts/"),
        Page("account list, searched", lambda u: "/accounts/?q=上海&tier=key"),
        Page("account 360", lambda u: f"/accounts/{biggest_account_of(u).pk}/", RECORD_FLOOR),
        Page("people list", lambda u: "/people/"),
        Page("opportunity list", lambda u: "/opportunities/"),
        Page("activity list", lambda u: "/activities/"),
        Page("forecast", lambda u: "/forecast/"),
        Page("forecast, team", lambda u: f"/forecast/?scope={team_scope(u)}"),
        Page("funnel report", lambda u: "/forecast/funnel/"),
        Page("funnel report, team", lambda u: f"/forecast/funnel/?scope={team_scope(u)}"),
        Page("weekly progress", lambda u: "/forecast/progress/"),
        Page("opportunity board", lambda u: "/opportunities/board/"),
        Page(
            "opportunity page",
            lambda u: f"/opportunities/{biggest_opportunity_of(u)}/",
            RECORD_FLOOR,
        ),
        Page("red flags of my pipeline", lambda u: "/people/red-flags/"),
        Page("stalled deals", lambda u: "/activities/stalled/"),
        Page("influence map", lambda u: f"/people/accounts/{biggest_account_of(u).pk}/map/"),
        Page("aging report", lambda u: "/receivables/"),
        *aging_panels(),
        Page("overdue list", lambda u: "/receivables/overdue/"),
        Page("calendar", lambda u: "/activities/calendar/"),
        Page("win/loss report", lambda u: "/reports/win-loss/"),
        Page("activity effectiveness report", lambda u: "/reports/activities/"),
        Page("cash forecast", lambda u: "/receivables/cash-forecast/"),
        Page(
            "cash forecast, habits stale",
            lambda u: "/receivables/cash-forecast/",
            state=habits_not_yet_refreshed,
        ),
        Page("API accounts", lambda u: "/api/v1/accounts/"),
        # The role's whole dashboard in one answer: the sum of its panels (the page
        # loads them one request apiece), and each panel alone.
        Page("API dashboard", lambda u: "/api/v1/reports/dashboard/"),
        Page(
            "API dashboard, habits stale",
            lambda u: "/api/v1/reports/dashboard/",
            roles=("director",),
            state=habits_not_yet_refreshed,
        ),
        *api_dashboard_panels(),
    ]


def busiest_rep() -> User:
    rep_id = (
        Opportunity.objects.filter(status=Status.OPEN)
        .values("owner_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "owner_id")
        .values_list("owner_id", flat=True)
        .first()
    )
    if rep_id:
        return User.objects.get(pk=rep_id)
    return User.objects.filter(role=Role.REP).order_by("pk").first()  # type: ignore[return-value]


def users_by_role() -> dict[str, User]:
    """The busiest rep, the manager of the busiest team, and a director."""
    rep = busiest_rep()
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

    rows = funnel_rows(_director(), default_stage_model())
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


@functools.cache
def _director() -> User:
    """Looked up once: a request has its user already, and the SQL side needs none."""
    return User.objects.filter(role=Role.DIRECTOR).order_by("pk").first()  # type: ignore[return-value]


def _cents(value: object) -> int:
    return int((Decimal(value) * 100).quantize(Decimal(1)))  # type: ignore[arg-type]


def _company_forecast_kam() -> tuple[int, int]:
    """This quarter's company forecast as the forecast page computes it: closed and
    weighted (the figure alone; the page then reads it against the target)."""
    from django.utils import timezone

    from kam.forecasting.periods import QUARTER, Period
    from kam.forecasting.scopes import COMPANY, Scope
    from kam.forecasting.selectors import forecast_figure

    period = Period.of(QUARTER, timezone.localdate())
    forecast = forecast_figure(_director(), Scope(COMPANY), period)
    return _cents(forecast.closed), _cents(forecast.weighted)


def _company_forecast_sql() -> tuple[int, int]:
    """Closed = won deals and small sales closed in the quarter; weighted = Σ amount × stage
    rate over the deals open and expected by the quarter's end, in exact integer cents."""
    from django.utils import timezone

    from kam.forecasting.periods import QUARTER, Period

    period = Period.of(QUARTER, timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT"
            " (SELECT COALESCE(SUM(CAST(ROUND(amount * 100) AS BIGINT)), 0)"
            "  FROM pipeline_opportunity WHERE status = %s AND closed_on BETWEEN %s AND %s)"
            " + (SELECT COALESCE(SUM(CAST(ROUND(amount * 100) AS BIGINT)), 0)"
            "  FROM pipeline_smallsale WHERE sold_on BETWEEN %s AND %s),"
            " (SELECT COALESCE(SUM(CAST(ROUND(o.amount * 100) AS BIGINT)"
            "   * CAST(ROUND(s.win_rate * 100) AS BIGINT)), 0)"
            "  FROM pipeline_opportunity o JOIN pipeline_stage s ON s.id = o.stage_id"
            "  WHERE o.status = %s AND o.expected_close_date <= %s)",
            [
                Status.WON,
                period.start,
                period.end,
                period.start,
                period.end,
                Status.OPEN,
                period.end,
            ],
        )
        closed, weighted = cursor.fetchone()
    # cents × hundredths of a percent ÷ 10,000 = cents
    return int(closed), _cents(Decimal(int(weighted)) / 1_000_000)


def _aging_kam() -> list[int]:
    from kam.receivables.selectors import BUCKET_KEYS, aging

    totals = aging(_director(), "company").totals
    return [_cents(getattr(totals, key)) for key in BUCKET_KEYS]


def _aging_sql() -> list[int]:
    """Open receivables per aging bucket, days overdue from the stored due-day ordinal."""
    from django.utils import timezone

    from kam.receivables.calculations import BUCKETS

    today = timezone.localdate().toordinal()
    parts, params = [], []
    for _key, low, high in BUCKETS:
        condition = "due_day <= %s" + ("" if high is None else " AND due_day >= %s")
        parts.append(
            f"COALESCE(SUM(CASE WHEN {condition} THEN CAST(ROUND(open_amount * 100) AS BIGINT)"
            " ELSE 0 END), 0)"
        )
        params += [today - low] + ([] if high is None else [today - high])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(parts)} FROM receivables_invoice WHERE open_amount > 0",
            params,
        )
        return [int(v) for v in cursor.fetchone()]


def figures() -> list[Figure]:
    return [
        Figure("company forecast", _company_forecast_kam, _company_forecast_sql),
        Figure("company funnel report", _company_funnel_kam, _company_funnel_sql),
        Figure("aging (company)", _aging_kam, _aging_sql),
    ]


class _Rollback(Exception):
    pass


def _undone(job: Callable[[], object]) -> Callable[[], object]:
    """Run ``job`` in a transaction rolled back afterwards, so the tenant stays as generated
    and every run of the benchmark measures the same work."""
    from django.db import transaction

    def run() -> object:
        try:
            with transaction.atomic():
                result = job()
                raise _Rollback
        except _Rollback:
            return result

    return run


def _snapshot() -> object:
    """The weekly job: the current week's snapshot of the whole open pipeline."""
    from django.utils import timezone

    from kam.forecasting.services import take_snapshot

    marker, created = take_snapshot(timezone.localdate())
    if not created:
        raise RuntimeError("the current week already had a snapshot")
    return marker.opportunities


def _training() -> object:
    """Learning the win probability from two years of closed deals; scores every open deal."""
    from kam.forecasting.services import train_win_model

    return train_win_model().examples


def timed_jobs() -> Iterator[tuple[str, Callable[[], object]]]:
    yield "weekly pipeline snapshot", _undone(_snapshot)
    yield "win-probability training", _undone(_training)
