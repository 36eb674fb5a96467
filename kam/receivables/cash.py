"""The cash forecast's sums, bucketed by the database (DOMAIN.md §6).

A director's forecast reads every open invoice, every plan line not yet invoiced and
every open deal of the company: a hundred thousand rows. Rather than bring them into
Python to move each date by its account's habit and drop it into a week or a month, one
query per source does it and returns a sum per bucket.

Each account's habits (its delay and its usual payment terms) come from the table the
services keep (:class:`~kam.receivables.models.PaymentHabit`, as of one day) or, on any
other day, from a subquery computing them from a year of payments: the same SQL
(:func:`habits_query`) fills the table and is the subquery.

The rules, item by item in plain Python, are ``tests/receivables/cash_rules.py``
(``habitual_delay_days``, ``uninvoiced_lines``, ``expected_payment_date``,
``cash_forecast``); ``tests/receivables/test_cash_sql.py`` holds this SQL equal to them
on random books, with the habits stored and computed. Dates are compared as day numbers
(``date.toordinal()``), which is plain integer arithmetic in SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import F, QuerySet

from kam.receivables.calculations import CENT, INSTALLMENTS, INVOICES, PIPELINE
from kam.receivables.models import PaymentHabit

#: An account's delay is its average lateness over the invoices it paid in this many days.
DELAY_HISTORY_DAYS = 365

#: julianday('0001-01-01') is 1721425.5: this turns SQLite's julian day into an ordinal.
_SQLITE_ORDINAL_OFFSET = 1721424


def _sql(queryset: QuerySet[Any], *order: str) -> tuple[str, tuple[Any, ...]]:
    sql, params = queryset.order_by(*order).query.sql_with_params()
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


@dataclass(frozen=True)
class Habits:
    """Where a query reads the accounts' habits (columns ``account_id``, ``delay_days``,
    ``terms_days``): the stored table, or a common table expression computing them
    (``cte``, with its ``params``) named ``relation``."""

    relation: str
    cte: str = ""
    params: tuple[Any, ...] = ()


#: The habits as :func:`kam.receivables.services.refresh_payment_habits` stores them.
STORED_HABITS = Habits(PaymentHabit._meta.db_table)


def habits_query(*, delay_since: date, accounts: QuerySet[Any] | None) -> tuple[str, list[Any]]:
    """The SQL of each account's habits: its delay, the rounded average lateness of the
    invoices it paid since ``delay_since``, never negative (0 without any); its terms, the
    whole days of its contracts' average payment terms (NULL without a contract).

    One row per account of ``accounts`` (``None``: every account) having either.
    """
    params: list[Any] = [connection.ops.adapt_datefield_value(delay_since)]
    only = ""
    if accounts is not None:
        accounts_sql, accounts_params = _sql(accounts.values("pk"))
        only = f" AND account_id IN ({accounts_sql})"
        params += accounts_params
    late = _days_between("paid_on", "due_date")
    # An integer, so each row's day is integer arithmetic (PostgreSQL's ROUND of an
    # average is a numeric, which made every bucket comparison a numeric one).
    delay = "CAST(CASE WHEN AVG(late) > 0 THEN ROUND(AVG(late)) ELSE 0 END AS INTEGER)"
    # int() of the average, as Python truncates: SQLite's CAST does, PostgreSQL's rounds.
    average_terms = "AVG(payment_terms_days)"
    if connection.vendor != "sqlite":
        average_terms = f"FLOOR({average_terms})"
    sql = (
        "SELECT account_id, COALESCE(MAX(delay_days), 0) AS delay_days, "
        "MAX(terms_days) AS terms_days FROM ("
        f"SELECT account_id, {delay} AS delay_days, NULL AS terms_days FROM ("
        f"SELECT account_id, {late} AS late FROM receivables_invoice "
        f"WHERE paid_on >= %s{only}) AS paid GROUP BY account_id "
        "UNION ALL "
        f"SELECT account_id, NULL, CAST({average_terms} AS INTEGER) FROM receivables_contract "
        f"WHERE 1 = 1{only} GROUP BY account_id"
        ") AS habit GROUP BY account_id"
    )
    if accounts is not None:
        params += accounts_params
    return sql, params


def computed_habits(*, delay_since: date, accounts: QuerySet[Any] | None) -> Habits:
    """The habits computed by the query that reads them (a scan of a year of payments)."""
    sql, params = habits_query(delay_since=delay_since, accounts=accounts)
    return Habits("habits", f"habits AS ({sql})", tuple(params))


def expected_cash(
    *,
    invoices: QuerySet[Any],
    contracts: QuerySet[Any],
    deals: QuerySet[Any],
    habits: Habits,
    bounds: Sequence[date],
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

    Each account's delay and terms are read from ``habits``. ``bounds`` as for the
    buckets: see :func:`_bucket`.
    """
    # Each row set is read by the ORM with its own filters (visibility, scope) and gives
    # (account, first day, amount).
    # On SQLite the open invoices are read in account order: the planner then walks the
    # covering (account, due day, open amount) index and looks each habit up next to the
    # last, instead of visiting every invoice's row (benchmarks/README.md has the figures).
    # PostgreSQL would only sort them for nothing.
    in_account_order = ("account_id",) if connection.vendor == "sqlite" else ()
    invoice_sql, invoice_params = _sql(
        invoices.values(a=F("account_id"), due=F("due_day"), owed=F("open_amount")),
        *in_account_order,
    )
    from_invoices = f"SELECT i.a AS a, i.due AS day, i.owed AS amount FROM ({invoice_sql}) AS i"

    # The lines still to invoice, as the services keep them on each line (the invoiced
    # total consuming the oldest line first): one walk of a partial index, whose condition
    # SQLite recognises only as Django wrote it, '0' (with 0 it scanned every contract
    # and looked up its lines).
    contract_sql, contract_params = _sql(contracts.values(cid=F("pk"), a=F("account_id")))
    from_lines = (
        f"SELECT c.a AS a, {_day('p.due_date')} AS day, p.left_to_invoice AS amount "
        "FROM receivables_installment p "
        f"JOIN ({contract_sql}) AS c ON c.cid = p.contract_id "
        "WHERE p.left_to_invoice > '0'"
    )

    deal_sql, deal_params = _sql(
        deals.values(
            "amount", a=F("account_id"), close=F("expected_close_date"), rate=F("stage__win_rate")
        )
    )
    # 100.0, not 100: SQLite stores whole amounts and rates as integers, and divides them so.
    from_deals = (
        f"SELECT g.a AS a, {_greatest(_day('g.close'), '%s')} AS day, "
        f"ROUND(g.amount * g.rate / 100.0, 2) AS amount FROM ({deal_sql}) AS g"
    )

    bucket, bucket_params = _bucket("x.day", [b.toordinal() for b in bounds])
    # Each source joins the habits on its own and sums its buckets: a union of the three
    # row sets joined once cost SQLite a third more (every row through a co-routine). A
    # deal is paid its account's usual terms after it closes; an invoice or a plan line
    # falls due on its own date. Every row is then moved by the account's delay.
    parts, params = [], list(habits.params)
    for source, rows_sql, rows_params, terms in (
        (INVOICES, from_invoices, invoice_params, ""),
        (INSTALLMENTS, from_lines, contract_params, ""),
        (PIPELINE, from_deals, [today.toordinal(), *deal_params], " + COALESCE(h.terms_days, %s)"),
    ):
        parts.append(
            f"SELECT '{source}', {bucket} AS bucket, SUM(x.amount) FROM ("
            f"SELECT e.day + COALESCE(h.delay_days, 0){terms} AS day, e.amount AS amount "
            f"FROM ({rows_sql}) AS e LEFT JOIN {habits.relation} h ON h.account_id = e.a"
            ") AS x GROUP BY bucket"
        )
        # In the order of the text: the bounds, the terms, the rows.
        params += [*bucket_params, *([default_terms_days] if terms else []), *rows_params]
    # Computed habits are computed once, for the three (PostgreSQL materialises the
    # expression used three times; SQLite, as measured, costs no more than before).
    sql = (f"WITH {habits.cte} " if habits.cte else "") + " UNION ALL ".join(parts)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {
        (source, int(bucket_index)): Decimal(str(total)).quantize(CENT, ROUND_HALF_UP)
        for source, bucket_index, total in rows
        if total is not None
    }
