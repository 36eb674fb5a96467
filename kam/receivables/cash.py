"""The cash forecast's sums, bucketed by the database (issue 7 no. 10, issue 9).

A director's forecast reads every open invoice, every plan line not yet invoiced and
every open deal of the company: a hundred thousand rows. Bringing them into Python to
move each date by its account's habit and drop it into a week or a month took seconds;
here one query does it and returns a sum per source and bucket.

The rules, item by item in plain Python, are ``tests/receivables/cash_rules.py``
(``habitual_delay_days``, ``uninvoiced_lines``, ``expected_payment_date``,
``cash_forecast``); ``tests/receivables/test_cash_sql.py`` holds this SQL equal to them
on random books. Dates are
compared as day numbers (``date.toordinal()``), which is plain integer arithmetic in
SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import F, QuerySet

from kam.receivables.calculations import CENT, INSTALLMENTS, INVOICES, PIPELINE

#: julianday('0001-01-01') is 1721425.5: this turns SQLite's julian day into an ordinal.
_SQLITE_ORDINAL_OFFSET = 1721424


def _sql(queryset: QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    sql, params = queryset.order_by().query.sql_with_params()
    return sql, tuple(params)


def _day(column: str) -> str:
    """The SQL of a date column's ordinal, as ``date.toordinal()`` gives it."""
    if connection.vendor == "sqlite":
        return f"(CAST(julianday({column}) AS INTEGER) - {_SQLITE_ORDINAL_OFFSET})"
    return f"({column} - DATE '0001-01-01' + 1)"


def _days_between(later: str, earlier: str) -> str:
    return f"({_day(later)} - {_day(earlier)})"


def _greatest(*terms: str) -> str:
    name = "MAX" if connection.vendor == "sqlite" else "GREATEST"
    return f"{name}({', '.join(terms)})"


def _bucket(day: str, bounds: Sequence[int]) -> tuple[str, list[int]]:
    """CASE giving the index of the bucket a day number falls in: ``bounds`` are the first
    days of the buckets after the first, then the first day after the last bucket; a day
    before the first bound (the past included) is in bucket 0, one past the last, "later"."""
    whens = " ".join(f"WHEN {day} < %s THEN {i}" for i in range(len(bounds)))
    return f"CASE {whens} ELSE {len(bounds)} END", list(bounds)


def expected_cash(
    *,
    invoices: QuerySet[Any],
    contracts: QuerySet[Any],
    deals: QuerySet[Any],
    accounts: QuerySet[Any] | None,
    bounds: Sequence[date],
    delay_since: date,
    today: date,
    default_terms_days: int,
) -> dict[tuple[str, int], Decimal]:
    """Sums of expected cash per (source, bucket index), from three row sets:

    - ``invoices``: open invoices, expected at the due date plus the account's delay;
    - ``contracts``: contracts whose plan lines not yet invoiced (``left_to_invoice``, the
      invoiced total consuming the oldest line first) are expected at their due date plus
      the delay;
    - ``deals``: open deals, each weighted by its stage's win rate (to the cent),
      expected at the close date (today at the earliest) plus the account's average
      payment terms (else ``default_terms_days``) and its delay.

    ``accounts`` are those whose habits are looked up (the viewer's; ``None``: all); an
    account's delay is its average lateness on invoices paid since ``delay_since``,
    rounded, never negative. ``bounds`` as for the buckets: see :func:`_bucket`.
    """
    cte_params: list[Any] = [connection.ops.adapt_datefield_value(delay_since)]
    only_visible = ""
    if accounts is not None:
        accounts_sql, accounts_params = _sql(accounts.values("pk"))
        only_visible = f" AND account_id IN ({accounts_sql})"
        cte_params += accounts_params
    late = _days_between("paid_on", "due_date")
    delays = (
        "delays AS (SELECT account_id, "
        # An integer, so each row's day is integer arithmetic (PostgreSQL's ROUND of an
        # average is a numeric, which made every bucket comparison a numeric one).
        "CAST(CASE WHEN AVG(late) > 0 THEN ROUND(AVG(late)) ELSE 0 END AS INTEGER) AS days FROM ("
        f"SELECT account_id, {late} AS late FROM receivables_invoice "
        f"WHERE paid_on >= %s{only_visible}) AS paid GROUP BY account_id)"
    )
    # int() of the average, as Python truncates: SQLite's CAST does, PostgreSQL's rounds.
    average_terms = "AVG(payment_terms_days)"
    if connection.vendor != "sqlite":
        average_terms = f"FLOOR({average_terms})"
    terms = (
        f"terms AS (SELECT account_id, CAST({average_terms} AS INTEGER) AS days "
        f"FROM receivables_contract WHERE 1 = 1{only_visible} GROUP BY account_id)"
    )
    if accounts is not None:
        cte_params += accounts_params

    # Each row set is read by the ORM with its own filters (visibility, scope), then
    # joined to the accounts' habits row by row (grouping first only cost time: nearly
    # every invoice and deal has a due or close date of its own).
    invoice_sql, invoice_params = _sql(
        invoices.values(a=F("account_id"), due=F("due_day"), owed=F("open_amount"))
    )
    from_invoices = (
        f"SELECT '{INVOICES}' AS source, i.due + COALESCE(d.days, 0) AS day, i.owed AS amount "
        f"FROM ({invoice_sql}) AS i LEFT JOIN delays d ON d.account_id = i.a"
    )
    params: list[Any] = list(invoice_params)

    # The lines still to invoice, as the services keep them on each line (the invoiced
    # total consuming the oldest line first): one walk of a partial index.
    contract_sql, contract_params = _sql(contracts.values(cid=F("pk"), a=F("account_id")))
    from_lines = (
        f"SELECT '{INSTALLMENTS}' AS source, {_day('p.due_date')} + COALESCE(d.days, 0) AS day, "
        "p.left_to_invoice AS amount "
        "FROM receivables_installment p "
        f"JOIN ({contract_sql}) AS c ON c.cid = p.contract_id "
        "LEFT JOIN delays d ON d.account_id = c.a "
        "WHERE p.left_to_invoice > 0"
    )
    params += contract_params

    deal_sql, deal_params = _sql(
        deals.values(
            "amount", a=F("account_id"), close=F("expected_close_date"), rate=F("stage__win_rate")
        )
    )
    # 100.0, not 100: SQLite stores whole amounts and rates as integers, and divides them so.
    from_deals = (
        f"SELECT '{PIPELINE}' AS source, "
        f"{_greatest(_day('g.close'), '%s')} + COALESCE(t.days, %s) + COALESCE(d.days, 0) AS day, "
        f"ROUND(g.amount * g.rate / 100.0, 2) AS amount FROM ({deal_sql}) AS g "
        "LEFT JOIN terms t ON t.account_id = g.a "
        "LEFT JOIN delays d ON d.account_id = g.a"
    )
    params += [today.toordinal(), default_terms_days, *deal_params]

    bucket, bucket_params = _bucket("e.day", [b.toordinal() for b in bounds])
    sql = (
        f"WITH {delays}, {terms} SELECT e.source, {bucket} AS bucket, SUM(e.amount) FROM ("
        f"{from_invoices} UNION ALL {from_lines} UNION ALL {from_deals}"
        ") AS e GROUP BY e.source, bucket"
    )
    # In the order of the text: the CTEs, the SELECT list's bounds, then the row sets.
    with connection.cursor() as cursor:
        cursor.execute(sql, [*cte_params, *bucket_params, *params])
        rows = cursor.fetchall()
    return {
        (source, int(bucket)): Decimal(str(total)).quantize(CENT, ROUND_HALF_UP)
        for source, bucket, total in rows
        if total is not None
    }
