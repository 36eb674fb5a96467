"""The seven-criteria qualification of accounts, with the sales it weighs (DOMAIN.md §1.2)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import timezone

from kam.accounts import calculations
from kam.accounts.models import Account, AccountPolicy, CreditStanding, QualificationCriterion
from kam.accounts.selectors.facts import sales_records
from kam.core.providers import Provider

ZERO = Decimal(0)


def sales_by_account(
    accounts: QuerySet[Account] | list[int], since: date, until: date
) -> dict[int, Decimal]:
    """Won business (closed in [since, until]) plus off-funnel sales, per account."""
    ids: Any = accounts if isinstance(accounts, list) else accounts.values("pk")
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for records in sales_records(since, until):
        for row in records.filter(account__in=ids).values("account").annotate(total=Sum("amount")):
            totals[row["account"]] += row["total"] or ZERO
    return totals


# --- qualification (§1.2) -------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    qualification: calculations.Qualification
    payment: calculations.PaymentParts
    criteria: dict[str, QualificationCriterion]
    suggested_tier: str
    strategy: str | None
    sales_12m: Decimal
    sales_prev_12m: Decimal
    share_pct: Decimal | None

    @property
    def lines(self) -> list[tuple[QualificationCriterion, calculations.ScoreLine]]:
        return [(self.criteria[line.key], line) for line in self.qualification.lines]


def criteria() -> list[QualificationCriterion]:
    return list(QualificationCriterion.objects.order_by("order"))


def current_policy() -> AccountPolicy:
    # The services create the policy's row when it is missing; they read these selectors.
    from kam.accounts.services.qualification import policy

    return policy()


@dataclass(frozen=True)
class ReceivablesFacts:
    """What signed contracts and invoices say about an account over the last 12 months."""

    margin_pct: Decimal | None = None
    payment_days: Decimal | None = None
    #: the payment record: the share of the amount fallen due that was paid on time (%)
    on_time_pct: Decimal | None = None
    #: finance put the account on credit hold: its credit standing is poor
    on_credit_hold: bool = False


def _no_receivables_facts(ids: list[int], today: date) -> dict[int, ReceivablesFacts]:
    return {pk: ReceivablesFacts() for pk in ids}


#: Margin of the contracts signed and payment cycle of the invoices paid (or overdue) in the
#: last 12 months, per account (§1.2 criteria 2 and 5); receivables answers
#: (``kam.receivables.apps``).
receivables_facts: Provider[[list[int], date], dict[int, ReceivablesFacts]] = Provider(
    "the receivables facts of qualification", _no_receivables_facts
)


def _by_data_or_hand(
    from_data: Decimal | None, by_hand: Decimal | int | None
) -> tuple[Decimal | None, bool]:
    if from_data is not None:
        return from_data, True
    return (Decimal(by_hand) if by_hand is not None else None), False


def _criteria_values(
    account: Account,
    sales: Decimal,
    previous: Decimal,
    facts: ReceivablesFacts,
    openness: Decimal | None = None,
) -> dict[str, Any]:
    """The value of each criterion: from the data where it exists, else as entered."""
    return {
        "sales_volume": (sales, True),
        "margin": _by_data_or_hand(facts.margin_pct, account.margin_pct),
        "growth": (calculations.growth_pct(sales, previous), True),
        "potential": (calculations.headroom(sales, account.purchase_potential), False),
        "payment": _by_data_or_hand(facts.payment_days, account.payment_cycle_days),
        "goal_access": (
            Decimal(account.goal_access) if account.goal_access is not None else None,
            False,
        ),
        "openness": _by_data_or_hand(openness, account.openness),
    }


def _payment_parts(account: Account, facts: ReceivablesFacts) -> calculations.PaymentParts:
    """Credit standing (a credit hold from finance, else as judged by hand) and the payment
    record (from the invoices) beside the payment cycle: criterion 5 of §1.2."""
    standing: str = CreditStanding.POOR if facts.on_credit_hold else account.credit_standing
    computed = facts.on_credit_hold
    return calculations.PaymentParts(
        on_time_pct=facts.on_time_pct,
        on_time_computed=facts.on_time_pct is not None,
        credit_standing=standing,
        credit_computed=computed,
    )


def _no_surveys(ids: list[int], today: date) -> dict[int, Decimal]:
    return {}


#: Criterion 7 from the customers' own answers to the loyalty survey, where they exist;
#: performance answers (``kam.performance.apps``).
surveyed_openness: Provider[[list[int], date], dict[int, Decimal]] = Provider(
    "the surveyed openness of qualification", _no_surveys
)


def _assess(
    account: Account,
    sales: Decimal,
    previous: Decimal,
    rows: list[QualificationCriterion],
    rules: AccountPolicy,
    facts: ReceivablesFacts,
    openness: Decimal | None = None,
) -> Assessment:
    payment = _payment_parts(account, facts)
    result = calculations.qualify(
        _criteria_values(account, sales, previous, facts, openness),
        [calculations.Criterion(c.key, c.weight, c.zero_at, c.full_at) for c in rows],
        payment,
    )
    share = calculations.share_of_wallet(sales, account.purchase_potential)
    return Assessment(
        qualification=result,
        payment=payment,
        criteria={c.key: c for c in rows},
        suggested_tier=calculations.tier_for(
            result.total, rules.key_min_score, rules.important_min_score
        ),
        strategy=calculations.strategy_for(
            account.purchase_potential,
            share,
            high_potential_from=rules.high_potential_from,
            high_share_from_pct=rules.high_share_from_pct,
            intrude_below_pct=rules.intrude_below_pct,
        ),
        sales_12m=sales,
        sales_prev_12m=previous,
        share_pct=share,
    )


def assessment_for(account: Account, today: date | None = None) -> Assessment:
    """The seven-criteria score of one account with its breakdown, and its segment."""
    today = today or timezone.localdate()
    start, end, previous_start, previous_end = calculations.year_window(today)
    sales = sales_by_account([account.pk], start, end).get(account.pk, ZERO)
    previous = sales_by_account([account.pk], previous_start, previous_end).get(account.pk, ZERO)
    facts = receivables_facts([account.pk], today)[account.pk]
    openness = surveyed_openness([account.pk], today).get(account.pk)
    return _assess(account, sales, previous, criteria(), current_policy(), facts, openness)


def assessments_for(accounts: list[Account], today: date | None = None) -> dict[int, Assessment]:
    """The same for many accounts in a fixed number of queries."""
    today = today or timezone.localdate()
    start, end, previous_start, previous_end = calculations.year_window(today)
    ids = [a.pk for a in accounts]
    sales = sales_by_account(ids, start, end)
    previous = sales_by_account(ids, previous_start, previous_end)
    rows, rules = criteria(), current_policy()
    facts = receivables_facts(ids, today)
    openness = surveyed_openness(ids, today)
    return {
        a.pk: _assess(
            a,
            sales.get(a.pk, ZERO),
            previous.get(a.pk, ZERO),
            rows,
            rules,
            facts[a.pk],
            openness.get(a.pk),
        )
        for a in accounts
    }
