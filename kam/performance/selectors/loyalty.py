"""Customer loyalty from the surveys (§1.5), and the survey facts other areas ask for."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Avg, QuerySet
from django.utils import timezone

from kam.accounts import calculations as account_calculations
from kam.accounts.models import Account, Tier
from kam.accounts.visibility import scope_to_visible_accounts
from kam.core.models import User
from kam.performance import calculations
from kam.performance.models import (
    PerformanceSettings,
    SurveyInvitation,
    SurveyResponse,
)
from kam.performance.selectors.scorecard import ZERO


@dataclass(frozen=True)
class Loyalty:
    account: Account
    answers: int
    latest: Decimal | None
    previous: Decimal | None
    supplier: Decimal | None
    falling: bool
    quarters: list[tuple[tuple[int, int], Decimal]]


def visible_responses(user: User) -> QuerySet[SurveyResponse]:
    return scope_to_visible_accounts(SurveyResponse.objects.all(), user)


def visible_invitations(user: User) -> QuerySet[SurveyInvitation]:
    return scope_to_visible_accounts(SurveyInvitation.objects.all(), user).select_related(
        "account", "contact", "created_by"
    )


def _loyalty(accounts: list[Account], since: date) -> list[Loyalty]:
    answers: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    supplier: dict[int, list[Decimal]] = defaultdict(list)
    for account_id, day, loyalty, rating in SurveyResponse.objects.filter(
        account__in=[a.pk for a in accounts], answered_on__gte=since
    ).values_list("account", "answered_on", "loyalty_score", "supplier_score"):
        answers[account_id].append((day, loyalty))
        supplier[account_id].append(rating)
    drop = PerformanceSettings.current().loyalty_drop_points
    result = []
    for a in accounts:
        quarters = calculations.loyalty_by_quarter(answers.get(a.pk, []))
        trend = calculations.loyalty_trend(answers.get(a.pk, []))
        rated = supplier.get(a.pk, [])
        result.append(
            Loyalty(
                account=a,
                answers=len(answers.get(a.pk, [])),
                latest=quarters[-1][1] if quarters else None,
                previous=trend[0] if trend else None,
                supplier=calculations.mean(rated),
                falling=a.tier == Tier.KEY and calculations.loyalty_falling(trend, drop),
                quarters=quarters,
            )
        )
    return result


def loyalty_overview(user: User, *, today: date | None = None) -> list[Loyalty]:
    """Every visible account with survey answers in the last two years: the loyal first,
    the slipping key accounts flagged (§1.5)."""
    today = today or timezone.localdate()
    since = today - timedelta(days=730)
    ids = visible_responses(user).filter(answered_on__gte=since).values("account")
    accounts = list(Account.objects.filter(pk__in=ids).select_related("owner"))
    rows = _loyalty(accounts, since)
    rows.sort(key=lambda r: (not r.falling, -(r.latest or ZERO), r.account.name))
    return rows


def loyalty_of(account: Account, *, today: date | None = None) -> Loyalty:
    today = today or timezone.localdate()
    return _loyalty([account], today - timedelta(days=730))[0]


def falling_loyalty(
    account_ids: list[int], *, today: date | None = None
) -> dict[int, tuple[Decimal, Decimal]]:
    """Key accounts among ``account_ids`` whose quarterly loyalty fell past the company's
    threshold: (previous, latest) per account. Read by the red flags (§2.3); at most two
    queries, one when no key account was surveyed."""
    today = today or timezone.localdate()
    answers: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for account_id, day, score in SurveyResponse.objects.filter(
        account__in=account_ids,
        account__tier=Tier.KEY,
        answered_on__gte=today - timedelta(days=730),
        answered_on__lte=today,
    ).values_list("account", "answered_on", "loyalty_score"):
        answers[account_id].append((day, score))
    if not answers:
        return {}
    drop = PerformanceSettings.current().loyalty_drop_points
    found = {}
    for account_id, rows in answers.items():
        trend = calculations.loyalty_trend(rows)
        if trend is not None and calculations.loyalty_falling(trend, drop):
            found[account_id] = trend
    return found


def openness_from_surveys(account_ids: list[int], today: date) -> dict[int, Decimal]:
    """Mean answer (1-5) to "open to our ideas" over the last 12 months, per account:
    the data behind key-account criterion 7 (§1.2)."""
    start, end, _bs, _be = account_calculations.year_window(today)
    return {
        account_id: Decimal(mean).quantize(Decimal("0.01"))
        for account_id, mean in SurveyResponse.objects.filter(
            account__in=account_ids, answered_on__gte=start, answered_on__lte=end
        )
        .values("account")
        .annotate(mean=Avg("open_to_ideas"))
        .values_list("account", "mean")
        if mean is not None
    }
