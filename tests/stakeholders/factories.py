"""Factories of the decision chain."""

from __future__ import annotations

import factory
from django.utils import timezone

from kam.stakeholders.models import InfluenceLine, Stakeholder
from tests.factories import ContactFactory, OpportunityFactory


class StakeholderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stakeholder

    opportunity = factory.SubFactory(OpportunityFactory)
    contact = factory.SubFactory(
        ContactFactory, account=factory.SelfAttribute("..opportunity.account")
    )
    added_on = factory.LazyFunction(lambda: timezone.localdate() - timezone.timedelta(days=90))


class InfluenceLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InfluenceLine

    account = factory.SelfAttribute("source.account")
    source = factory.SubFactory(ContactFactory)
    target = factory.SubFactory(ContactFactory, account=factory.SelfAttribute("..source.account"))
