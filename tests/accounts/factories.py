"""Factories and helpers for the accounts area's tests."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from kam.accounts.models import (
    AccountNote,
    AccountPlan,
    CompetitorPresence,
    GrowthLever,
    InformationSource,
    InstalledProduct,
    LatentNeed,
    PlanAction,
    PlanObjective,
    PurchasingDepartment,
    SwotItem,
    ValuePeriod,
)
from kam.pipeline.models import Opportunity, Status
from tests.factories import AccountFactory, AccountMemberFactory, OpportunityFactory

__all__ = ["AccountFactory", "AccountMemberFactory", "won"]


def won(account, amount, days_ago: int = 30) -> Opportunity:  # type: ignore[no-untyped-def]
    """Business won from ``account`` ``days_ago`` days ago."""
    return OpportunityFactory(
        account=account,
        amount=Decimal(amount),
        status=Status.WON,
        closed_on=timezone.localdate() - timedelta(days=days_ago),
    )


class InstalledProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InstalledProduct

    account = factory.SubFactory(AccountFactory)
    product = factory.Sequence(lambda n: f"路由器{n}")
    brand = "华为"


class PurchasingDepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PurchasingDepartment

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"采购部{n}")


class CompetitorPresenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompetitorPresence

    account = factory.SubFactory(AccountFactory)
    competitor = factory.Sequence(lambda n: f"竞争对手{n}")


class AccountNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountNote

    account = factory.SubFactory(AccountFactory)
    text = factory.Sequence(lambda n: f"客户年报显示收入增长{n}%")
    source = InformationSource.CUSTOMER_ANNUAL_REPORT
    observed_on = factory.LazyFunction(timezone.localdate)
    author = factory.LazyAttribute(lambda o: o.account.owner)


class SwotItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SwotItem

    account = factory.SubFactory(AccountFactory)
    kind = "S"
    factor = "brand"
    text = factory.Sequence(lambda n: f"品牌强{n}")


class LatentNeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LatentNeed

    account = factory.SubFactory(AccountFactory)
    quadrant = "SO"
    text = factory.Sequence(lambda n: f"借助品牌优势扩展5G专网{n}")


class ValuePeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ValuePeriod

    account = factory.SubFactory(AccountFactory)
    year = factory.Sequence(lambda n: 2000 + n)


class AccountPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountPlan

    account = factory.SubFactory(AccountFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year)


class GrowthLeverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GrowthLever

    plan = factory.SubFactory(AccountPlanFactory)
    kind = "cross_sell"
    description = factory.Sequence(lambda n: f"交叉销售安全产品{n}")


class PlanObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanObjective

    plan = factory.SubFactory(AccountPlanFactory)
    text = factory.Sequence(lambda n: f"目标{n}")


class PlanActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanAction

    objective = factory.SubFactory(PlanObjectiveFactory)
    text = factory.Sequence(lambda n: f"行动{n}")
    owner = factory.LazyAttribute(lambda o: o.objective.plan.account.owner)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))
