"""The deals, sales and visits of the account pages come from the areas above accounts
through providers (kam.accounts.selectors.facts): answered when those areas are
installed, neutral without them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from kam.accounts import selectors
from kam.accounts.selectors import facts
from tests.accounts.factories import AccountFactory, won
from tests.factories import ActivityFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

PROVIDERS = [
    facts.open_deal_figures,
    facts.sales_records,
    facts.sales_by_year,
    facts.recent_activities,
    facts.segment_spend,
]


def test_the_pipeline_and_the_activities_answer_every_question_of_the_account_pages():
    assert all(provider._answer is not None for provider in PROVIDERS)


def test_the_account_pages_read_the_deals_sales_and_visits_through_them(org):
    account = AccountFactory(owner=org.rep)
    OpportunityFactory(account=account, owner=org.rep, amount=Decimal(1000))
    won(account, Decimal(5000), days_ago=10)
    ActivityFactory(account=account, owner=org.rep)
    row = selectors.account_list(org.rep, selectors.AccountFilters()).get(pk=account.pk)
    assert row.open_opportunities == 1
    detail = selectors.account_detail(org.rep, account.pk)
    assert len(getattr(detail, "recent_activities")) == 1  # noqa: B009
    assert selectors.assessment_for(account).sales_12m == Decimal(5000)


def test_without_the_higher_areas_the_pages_show_no_deals_no_sales_and_no_visits(org, monkeypatch):
    account = AccountFactory(owner=org.rep)
    OpportunityFactory(account=account, owner=org.rep, amount=Decimal(1000))
    won(account, Decimal(5000), days_ago=10)
    ActivityFactory(account=account, owner=org.rep)
    for provider in PROVIDERS:
        monkeypatch.setattr(provider, "_answer", None)
    row = selectors.account_list(org.rep, selectors.AccountFilters()).get(pk=account.pk)
    assert (row.open_opportunities, row.open_amount) == (0, None)
    detail = selectors.account_detail(org.rep, account.pk)
    assert getattr(detail, "recent_activities") == []  # noqa: B009
    assert selectors.assessment_for(account).sales_12m == Decimal(0)
    assert selectors.value_pyramid(org.rep).rows[0].revenue == Decimal(0)
    _points, _unplaced, allocation = selectors.attack_defend_matrix(
        org.rep, year=timezone.localdate().year
    )
    assert all(row.activities == 0 for row in allocation)
