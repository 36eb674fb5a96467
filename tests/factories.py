"""factory_boy factories for KAM's models; each area adds its own here."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from kam.accounts.models import Account, AccountMember
from kam.activities.models import Activity, Kind
from kam.activities.services import refresh_deal_progress
from kam.core.models import Role, Team, User
from kam.core.services.teams import save_team
from kam.pipeline.models import Opportunity, Stage
from kam.stakeholders.models import Contact

PASSWORD = "Test-password-2026"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"团队{n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        return save_team(
            model_class(),
            name=kwargs["name"],
            parent=kwargs.get("parent"),
            manager=kwargs.get("manager"),
            by=None,
        )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "张"
    first_name = factory.Sequence(lambda n: f"测{n}")
    role = Role.REP
    team = factory.SubFactory(TeamFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            obj.save()


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"测试客户{n}有限公司")
    owner = factory.SubFactory(UserFactory)
    city = "上海"


class AccountMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountMember

    account = factory.SubFactory(AccountFactory)
    user = factory.SubFactory(UserFactory)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"李{n}")
    title = "采购部经理"


def default_stage(key: str = "interest") -> Stage:
    return Stage.objects.get(model__is_default=True, key=key)


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"商机{n}")
    amount = Decimal("100000.00")
    stage = factory.LazyFunction(default_stage)
    owner = factory.LazyAttribute(lambda o: o.account.owner)
    expected_close_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=60))


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    account = factory.SubFactory(AccountFactory)
    kind = Kind.SALES_VISIT
    owner = factory.LazyAttribute(lambda o: o.account.owner)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    objective = "客户同意安排技术演示"

    @factory.post_generation
    def deal_progress(obj: Activity, create: bool, extracted: object, **kwargs: object) -> None:
        """Written past the services, the activity still updates its deal's stall summary,
        as :func:`kam.activities.services.record_outcome` does."""
        if create and obj.opportunity_id:
            refresh_deal_progress([obj.opportunity_id])
