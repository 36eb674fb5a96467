"""The payment habits the cash forecast applies (DOMAIN.md §6), stored and kept fresh."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from kam.accounts.models import Account
from kam.receivables import cash
from kam.receivables.models import PaymentHabit, PaymentHabitsAsOf


def _habits_marker() -> QuerySet[PaymentHabitsAsOf]:
    """The one row saying for which day the stored payment habits hold (made on first use)."""
    PaymentHabitsAsOf.objects.get_or_create(pk=1)
    return PaymentHabitsAsOf.objects.filter(pk=1)


def refresh_payment_habits(
    accounts: Iterable[int] | None = None, *, as_of: date | None = None
) -> bool:
    """Store the payment habits the cash forecast applies (§6).

    Without ``accounts``, every account's, for the year before ``as_of`` (default today):
    the stored habits then hold for that day (the daily job). With ``accounts``, theirs
    only, for the day the table holds for: called in the transaction of each payment or
    contract that changes them. Returns whether anything was stored (nothing for some
    accounts while the table holds for no day: forecasts compute the habits then).
    """
    with transaction.atomic():
        # One row, locked: a refresh of everything and one of a few accounts do not cross.
        marker = _habits_marker().select_for_update().get()
        day = marker.as_of
        if accounts is None:
            day = as_of or timezone.localdate()
            stored = PaymentHabit.objects.all()
            scope = None
        else:
            ids = sorted(set(accounts))
            if day is None or not ids:
                return False
            stored = PaymentHabit.objects.filter(account_id__in=ids)
            scope = Account.objects.filter(pk__in=ids)
        stored.delete()
        sql, params = cash.habits_query(
            delay_since=day - timedelta(days=cash.DELAY_HISTORY_DAYS), accounts=scope
        )
        table = PaymentHabit._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (account_id, delay_days, terms_days) {sql}", params
            )
        if accounts is None:
            marker.as_of = day
            marker.save(update_fields=["as_of"])
    return True


def request_payment_habits_refresh(today: date) -> bool:
    """Queue the refresh of every account's payment habits, once a day (the first
    forecast that finds them stale asks; the others compute them meanwhile)."""
    from kam.receivables.tasks import refresh_payment_habits_job

    asked = _habits_marker().exclude(requested_on__gte=today).update(requested_on=today)
    if asked:
        transaction.on_commit(lambda: refresh_payment_habits_job.enqueue(today.isoformat()))
    return bool(asked)
