"""The cash forecast (DOMAIN.md §6): expected collections per week or month against the
collection targets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import F

from kam.accounts.visibility import scope_to_visible_accounts, sees_all_accounts, visible_accounts
from kam.core.models import User
from kam.pipeline.models import Opportunity, Status
from kam.receivables import calculations, cash
from kam.receivables.models import ZERO, PaymentHabitsAsOf

if TYPE_CHECKING:  # django-stubs-ext is a development dependency
    from kam.forecasting.scopes import Scope
from kam.receivables.selectors.scope import today_or_now, visible_contracts, visible_invoices

# --- cash forecast (§6) ------------------------------------------------

CASH_HORIZON = {"week": 13, "month": 6}
DEFAULT_TERMS_DAYS = 30
DELAY_HISTORY_DAYS = cash.DELAY_HISTORY_DAYS


@dataclass(frozen=True)
class CashForecast:
    scope: Scope
    granularity: str
    today: date
    buckets: list[calculations.CashBucket]
    later: Decimal

    @property
    def totals(self) -> calculations.CashBucket:
        first, last = self.buckets[0], self.buckets[-1]
        return calculations.CashBucket(
            start=first.start,
            end=last.end,
            invoices=sum((b.invoices for b in self.buckets), ZERO),
            installments=sum((b.installments for b in self.buckets), ZERO),
            pipeline=sum((b.pipeline for b in self.buckets), ZERO),
            # A total target only when every bucket has one: a partial sum would flatter.
            target=(
                sum((b.target or ZERO for b in self.buckets), ZERO)
                if all(b.target is not None for b in self.buckets)
                else None
            ),
        )


def payment_habits(user: User, today: date) -> cash.Habits:
    """The accounts' payment habits for a forecast made ``today``: those stored when they
    hold for today (a key lookup per row), else computed by the forecast's queries from
    a year of payments, the viewer's accounts only; a refresh is then asked for, once a
    day whoever asks (:func:`kam.receivables.services.request_payment_habits_refresh`)."""
    from kam.receivables.services import request_payment_habits_refresh

    as_of = PaymentHabitsAsOf.objects.filter(pk=1).values_list("as_of", flat=True).first()
    if as_of == today:
        return cash.STORED_HABITS
    request_payment_habits_refresh(today)
    return cash.computed_habits(
        delay_since=today - timedelta(days=DELAY_HISTORY_DAYS),
        accounts=None if sees_all_accounts(user) else visible_accounts(user),
    )


def cash_forecast(
    user: User, scope: Scope, granularity: str = "month", today: date | None = None
) -> CashForecast:
    """Expected collections per week or month (§6).

    Three sources, each moved by the paying account's own habitual delay: open invoices
    at their due dates, plan installments not yet invoiced at theirs, and open deals'
    weighted value (amount × stage win rate) at their close date plus the payment terms
    the account usually signs. Set against the collection targets of each month.
    """
    from kam.forecasting.models import Metric
    from kam.forecasting.periods import MONTH, Period
    from kam.forecasting.selectors import TargetBook

    today = today_or_now(today)
    granularity = granularity if granularity in CASH_HORIZON else "month"
    count = CASH_HORIZON[granularity]
    horizon_end = calculations.cash_bucket_starts(today, granularity, count + 1)[-1]

    starts = calculations.cash_bucket_starts(today, granularity, count)
    sums = cash.expected_cash(
        invoices=scope.filter(visible_invoices(user)).filter(open_amount__gt=0),
        contracts=scope.filter(visible_contracts(user)).filter(amount__gt=F("invoiced_amount")),
        deals=scope.filter(
            scope_to_visible_accounts(Opportunity.objects.all(), user).filter(
                status=Status.OPEN, expected_close_date__lt=horizon_end
            )
        ),
        habits=payment_habits(user, today),
        bounds=[*starts[1:], horizon_end],
        today=today,
        default_terms_days=DEFAULT_TERMS_DAYS,
    )
    buckets = [
        calculations.CashBucket(
            start=start,
            end=end - timedelta(days=1),
            **{source: sums.get((source, i), ZERO) for source in calculations.CASH_SOURCES},
        )
        for i, (start, end) in enumerate(zip(starts, [*starts[1:], horizon_end], strict=True))
    ]
    later = sum((sums.get((source, count), ZERO) for source in calculations.CASH_SOURCES), ZERO)
    if granularity == "month":
        for bucket in buckets:
            book = TargetBook(Metric.COLLECTIONS, Period.of(MONTH, bucket.start))
            figure = book.for_scope(scope, viewer=user)
            bucket.target = figure.effective
    return CashForecast(scope, granularity, today, buckets, later)
