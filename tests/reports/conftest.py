"""A small book of business across two teams, for the dashboards and reports."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kam.activities.models import ActivityStatus, Outcome
from tests.factories import AccountFactory, ActivityFactory, ContactFactory
from tests.forecasting.factories import deal
from tests.receivables.factories import contract_for, invoice_for


def at(day, hour=10):  # type: ignore[no-untyped-def]
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def book(org):  # type: ignore[no-untyped-def]
    """The Shanghai rep's and the Beijing rep's accounts, deals, activities and invoices."""

    class Book:
        pass

    b = Book()
    today = timezone.localdate()
    b.today = today
    b.mine = AccountFactory(name="上海客户甲", owner=org.rep)
    b.colleague = AccountFactory(name="上海客户乙", owner=org.rep2)
    b.theirs = AccountFactory(name="北京客户丙", owner=org.north_rep)
    b.my_deal = deal(b.mine, "300000", "design", close=today, name="上海甲扩容")
    b.colleague_deal = deal(b.colleague, "200000", "interest", close=today, name="上海乙新建")
    b.their_deal = deal(b.theirs, "9000000", "design", close=today, name="北京丙大单")
    # Two continuations in a row: the rule of issue 5 no. 10 calls the deal stalled.
    for days_ago in (3, 2):
        ActivityFactory(
            account=b.mine,
            opportunity=b.my_deal,
            status=ActivityStatus.DONE,
            outcome=Outcome.CONTINUATION,
            starts_at=at(today - timedelta(days=days_ago)),
        )
        ActivityFactory(
            account=b.theirs,
            opportunity=b.their_deal,
            status=ActivityStatus.DONE,
            outcome=Outcome.CONTINUATION,
            starts_at=at(today - timedelta(days=days_ago)),
        )
    b.planned_today = ActivityFactory(
        account=b.mine, starts_at=at(today, 23), objective="客户确认技术方案评审日期"
    )
    b.my_contract = contract_for(b.mine, org.rep, amount="100000", signed_on=today - timedelta(90))
    b.my_invoice = invoice_for(
        b.my_contract, org.finance, amount="40000", issued_on=today - timedelta(60), due_in=30
    )
    b.their_contract = contract_for(
        b.theirs, org.north_rep, amount="500000", signed_on=today - timedelta(90)
    )
    b.their_invoice = invoice_for(
        b.their_contract, org.finance, amount="500000", issued_on=today - timedelta(60)
    )
    b.my_person = ContactFactory(account=b.mine, name="王总")
    b.their_person = ContactFactory(account=b.theirs, name="赵总")
    return b


MONEY = Decimal("0.01")
