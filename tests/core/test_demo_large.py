"""The benchmark tenant's generator (issue 9), on a tiny tenant of the same shape."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import F, Sum

from kam.activities.models import Activity
from kam.core.demo_large import Size, build_large
from kam.forecasting.models import PipelineSnapshot, SnapshotWeek
from kam.forecasting.services import last_completed_week
from kam.pipeline.models import Opportunity, Status
from kam.receivables.models import Allocation, Contract, Invoice, Payment

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)
TINY = Size(
    teams=8,
    reps=6,
    accounts=40,
    contacts_per_account=2,
    opportunities=300,
    activities=600,
    invoices=240,
    payments=320,
)


@pytest.fixture
def tenant() -> None:
    build_large(today=TODAY, size=TINY, log=lambda line: None)


def test_rows_match_the_size_asked_for(tenant: None) -> None:
    assert Opportunity.objects.count() == TINY.opportunities
    assert Activity.objects.count() == TINY.activities
    assert Activity.contacts.through.objects.count() == TINY.activities
    won = Opportunity.objects.filter(status=Status.WON).count()
    assert Contract.objects.count() == won
    # Invoices stop at today and payments at what has been paid, so both land near the size.
    assert 0.6 * TINY.invoices < Invoice.objects.count() <= 1.3 * TINY.invoices
    assert 0.5 * TINY.payments < Payment.objects.count() <= 1.3 * TINY.payments


def test_the_ledger_adds_up(tenant: None) -> None:
    for invoice in Invoice.objects.annotate(allocated=Sum("allocations__amount")):
        assert invoice.amount == invoice.paid_amount + invoice.open_amount
        assert invoice.paid_amount == (invoice.allocated or Decimal(0))
        assert invoice.due_day == invoice.due_date.toordinal()
        assert invoice.issued_on <= TODAY
    assert not Payment.objects.exclude(unapplied_amount=0).exists()
    for payment in Payment.objects.annotate(allocated=Sum("allocations__amount")):
        assert payment.amount == payment.allocated
        assert payment.received_on <= TODAY
    for contract in Contract.objects.annotate(billed=Sum("invoices__amount")):
        assert contract.invoiced_amount == (contract.billed or Decimal(0))
    assert Allocation.objects.count() == Payment.objects.count()
    # Some money is still owed, some of it overdue, or the aging report has nothing to show.
    assert Invoice.objects.filter(open_amount__gt=0, due_date__lt=TODAY).exists()


def test_a_year_of_weekly_snapshots_of_deals_open_at_each_week_end(tenant: None) -> None:
    weeks = list(SnapshotWeek.objects.order_by("week").values_list("week", "opportunities"))
    assert len(weeks) == 52
    assert weeks[-1][0] == last_completed_week(TODAY).monday
    per_week = Counter(PipelineSnapshot.objects.values_list("week", flat=True))
    assert {week: n for week, n in weeks} == {week: per_week[week] for week, _n in weeks}
    assert weeks[-1][1] > 0
    snapshots = PipelineSnapshot.objects.select_related("opportunity")
    for row in snapshots.filter(week=weeks[-1][0]):
        deal = row.opportunity
        sunday = row.week.toordinal() + 6
        assert deal.closed_on is None or deal.closed_on.toordinal() > sunday
        assert row.stage_order <= deal.stage.order
        assert row.weighted == row.amount * row.win_rate / 100
    # Every open deal of last week is in last week's snapshot.
    open_now = set(Opportunity.objects.filter(status=Status.OPEN).values_list("pk", flat=True))
    last = set(
        PipelineSnapshot.objects.filter(week=weeks[-1][0]).values_list("opportunity", flat=True)
    )
    assert open_now <= last
    assert not PipelineSnapshot.objects.exclude(team_id=F("owner__team_id")).exists()


def test_every_account_is_qualified_from_its_data(tenant: None) -> None:
    from kam.accounts.models import Account
    from kam.accounts.selectors import assessments_for

    accounts = list(Account.objects.order_by("pk"))
    assert all(a.purchase_potential and a.qualified_at for a in accounts)
    assert sum(a.margin_pct is not None for a in accounts) > len(accounts) / 2
    # The stored score and segment are what an assessment of the same data finds.
    fresh = assessments_for(accounts, today=TODAY)
    for account in accounts:
        assert account.qualification_score == fresh[account.pk].qualification.total
        assert account.segment == (fresh[account.pk].strategy or "")
    assert len({a.segment for a in accounts}) >= 3  # the matrix has something to show
