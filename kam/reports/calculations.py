"""Pure arithmetic of the dashboards and reports, over plain values (no database)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

ZERO = Decimal(0)

#: Outcomes that move a sale forward (§3.6): an order or an advance.
ADVANCING = ("order", "advance")


def week_bounds(today: date) -> tuple[date, date]:
    """Monday and Sunday of the ISO week that contains ``today``."""
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=6)


def rate(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """``part / whole`` as a fraction rounded to four places; None when there is no whole."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


@dataclass
class OutcomeTally:
    """Done activities of one group (a rep, a kind) counted per outcome."""

    key: str | int | None
    label: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def advancing(self) -> int:
        return sum(self.counts.get(o, 0) for o in ADVANCING)

    @property
    def advance_rate(self) -> Decimal | None:
        """Share of the judged activities that ended in an order or an advance."""
        return rate(self.advancing, self.total)


def tally(
    rows: Iterable[tuple[str | int | None, str]],
    counts: Mapping[tuple[str | int | None, str], int],
    outcomes: Iterable[str],
) -> list[OutcomeTally]:
    """One tally per group key (in the order given), with a count for every outcome."""
    outcomes = list(outcomes)
    return [
        OutcomeTally(key, label, {o: counts.get((key, o), 0) for o in outcomes})
        for key, label in rows
    ]


def total_tally(tallies: Iterable[OutcomeTally], label: str) -> OutcomeTally:
    result = OutcomeTally(None, label)
    for t in tallies:
        for outcome, n in t.counts.items():
            result.counts[outcome] = result.counts.get(outcome, 0) + n
    return result


@dataclass(frozen=True)
class WinLossLine:
    """Closed deals sharing one value (a reason, a competitor, a stage, a month)."""

    key: str
    label: str
    count: int
    amount: Decimal


@dataclass(frozen=True)
class WinRates:
    won: int
    lost: int
    won_amount: Decimal
    lost_amount: Decimal

    @property
    def by_count(self) -> Decimal | None:
        """Won ÷ (won + lost); deals closed without a decision do not count."""
        return rate(self.won, self.won + self.lost)

    @property
    def by_amount(self) -> Decimal | None:
        return rate(self.won_amount, self.won_amount + self.lost_amount)


_CJK = "\u3000-\u9fff\uff00-\uffef"
_SPACE_BY_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")


def normalise_reason(text: str) -> str:
    """Reasons are free text: the same words with other spacing, width or case are one reason.

    Full-width letters become plain ones (NFKC), runs of spaces one space, and
    spaces beside Chinese characters go (``价格  太高`` is ``价格太高``).
    """
    plain = " ".join(unicodedata.normalize("NFKC", text or "").split())
    return _SPACE_BY_CJK.sub("", plain).casefold()


def group_lines(
    items: Iterable[tuple[str, str, Decimal]], *, limit: int | None = None
) -> list[WinLossLine]:
    """(key, label, amount) items → one line per key, most deals first, then amount."""
    return group_counted(((key, label, 1, value) for key, label, value in items), limit=limit)


def group_counted(
    items: Iterable[tuple[str, str, int, Decimal]], *, limit: int | None = None
) -> list[WinLossLine]:
    """(key, label, deals, amount) items, each already a group of deals → one line per key.

    As :func:`group_lines`: the first label given for a key is the line's label.
    """
    count: dict[str, int] = {}
    amount: dict[str, Decimal] = {}
    labels: dict[str, str] = {}
    for key, label, n, value in items:
        count[key] = count.get(key, 0) + n
        amount[key] = amount.get(key, ZERO) + value
        labels.setdefault(key, label)
    lines = [WinLossLine(k, labels[k], count[k], amount[k]) for k in count]
    lines.sort(key=lambda line: (-line.count, -line.amount, line.label))
    return lines[:limit] if limit else lines


def amount_of_cents(cents: int | None) -> Decimal:
    """A database sum of whole cents as the amount a sum of the deals' amounts would be.

    Two places, as a sum of ``DecimalField(decimal_places=2)`` values (``150000.00``,
    not ``150000``), so a grouped figure shows and exports exactly as before.
    """
    return Decimal(int(cents or 0)).scaleb(-2)


def month_key(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def months_from(start: date, n: int) -> list[str]:
    """``n`` month keys starting with the month of ``start``."""
    keys, year, month = [], start.year, start.month
    for _i in range(n):
        keys.append(f"{year}-{month:02d}")
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return keys
