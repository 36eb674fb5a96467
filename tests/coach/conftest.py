from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kam.pipeline import services as pipeline_services
from kam.stakeholders.models import Assessment, Style, Support
from tests.factories import AccountFactory, ActivityFactory, ContactFactory
from tests.pipeline.factories import new_opportunity
from tests.stakeholders.factories import StakeholderFactory


class Deal:
    """A deal with a decision chain and a planned visit to two of its people."""


@pytest.fixture
def deal(org):  # type: ignore[no-untyped-def]
    d = Deal()
    d.account = AccountFactory(owner=org.rep, name="上海移动")
    d.opportunity = new_opportunity(d.account, application_needs="核心网容量三年内翻倍")
    d.gatekeeper = ContactFactory(
        account=d.account, name="王工", title="网络部主任", phone="13900001111"
    )
    d.user = ContactFactory(account=d.account, name="赵经理", title="运维经理")
    d.stake = StakeholderFactory(
        opportunity=d.opportunity,
        contact=d.gatekeeper,
        is_technical_gatekeeper=True,
        support=Support.SUPPORTER,
        business_result="割接零中断",
    )
    Assessment.objects.create(
        stakeholder=d.stake, assessed_on=timezone.localdate(), style=Style.ANALYTICAL
    )
    StakeholderFactory(opportunity=d.opportunity, contact=d.user, is_user=True)
    d.activity = ActivityFactory(
        account=d.account,
        opportunity=d.opportunity,
        objective="介绍产品给客户",
        starts_at=timezone.now() + timedelta(days=2),
    )
    d.activity.contacts.set([d.gatekeeper, d.user])
    d.objection = pipeline_services.log_objection(
        d.opportunity, kind="no_money", said="今年没有预算", by=org.rep
    )
    return d
