"""Large tenant, last step: each account's purchase potential and average margin, then its
qualification score and attack / defend segment computed from the data (§1.2–§1.4), as
the small demo and daily use have them. The tiers stay as generated.

It runs after the deals and the receivables, because an account's score and segment read
its last twelve months of sales and payments; it draws from the tenant's random stream
last, so everything generated before it is the same with or without it.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from kam.accounts import selectors
from kam.accounts.models import Account
from kam.core.demo_large import LargeContext, batched

#: Accounts assessed per round: a fixed number of queries each, whatever the size.
CHUNK = 2000
#: The share of accounts whose average margin someone entered.
WITH_MARGIN = 0.85


def load(ctx: LargeContext) -> None:
    rng = ctx.rng
    ops = connection.ops
    year_start = ctx.today - timedelta(days=364)
    assessed_at = ops.adapt_datetimefield_value(
        timezone.make_aware(datetime.combine(ctx.today, time(6, 0)))
    )
    table = ops.quote_name(Account._meta.db_table)
    # A table name from the model's meta; every value is a parameter.
    update = (
        f"UPDATE {table} SET purchase_potential = %s, margin_pct = %s, "  # noqa: S608
        "qualification_score = %s, segment = %s, qualified_at = %s WHERE id = %s"
    )
    counts: dict[str, int] = {}
    for ids in batched(ctx.extra["account_ids"], CHUNK):
        accounts = list(Account.objects.filter(pk__in=ids).order_by("pk"))
        sales = selectors.sales_by_account(ids, year_start, ctx.today)
        for account in accounts:
            bought = sales.get(account.pk, Decimal(0))
            # What it buys in a year from everyone: from all of it to a twelfth ours.
            if bought > 0:
                potential = bought * Decimal(rng.randint(100, 1200)) / 100
                account.purchase_potential = potential.quantize(Decimal(10000))
            else:
                account.purchase_potential = Decimal(rng.randint(5, 200) * 100_000)
            if rng.random() < WITH_MARGIN:
                account.margin_pct = Decimal(rng.randint(800, 3500)) / 100
        assessments = selectors.assessments_for(accounts, today=ctx.today)
        rows = []
        for account in accounts:
            found = assessments[account.pk]
            segment = found.strategy or ""
            counts[segment] = counts.get(segment, 0) + 1
            rows.append(
                [
                    ops.adapt_decimalfield_value(account.purchase_potential),
                    ops.adapt_decimalfield_value(account.margin_pct),
                    ops.adapt_decimalfield_value(found.qualification.total),
                    segment,
                    assessed_at,
                    account.pk,
                ]
            )
        with connection.cursor() as cursor:
            cursor.executemany(update, rows)
    ctx.log(f"accounts qualified: {sum(counts.values()):,} ({counts})")
