"""The demo tenant: every deal has a realistic buying circle, several have flags worth fixing."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from kam.pipeline.models import Opportunity, Status
from kam.stakeholders.models import Assessment, PaymentApprovalStep, Stakeholder
from kam.stakeholders.red_flags import red_flags_for_opportunities

pytestmark = pytest.mark.django_db


def test_every_demo_deal_has_a_buying_circle_and_several_have_red_flags():
    from kam.core import demo

    demo.build(today=date(2026, 11, 25), log=lambda _line: None)
    deals = Opportunity.objects.all()
    assert deals.exists()
    assert not deals.filter(stakeholders=None).exists()
    sizes = Counter(Stakeholder.objects.values_list("opportunity_id", flat=True))
    assert min(sizes.values()) >= 3
    assert Stakeholder.objects.filter(contact=None, is_coach=True).exists()  # coaches from outside
    assert Stakeholder.objects.filter(is_user=True, is_technical_gatekeeper=True).exists()
    assert Assessment.objects.values("stakeholder").distinct().count() > 100
    assert PaymentApprovalStep.objects.exists()

    open_deals = Opportunity.objects.filter(status=Status.OPEN).select_related("stage")
    flags = red_flags_for_opportunities(open_deals, today=date(2026, 11, 25))
    codes = Counter(f.code for deal_flags in flags.values() for f in deal_flags)
    for code in ("no_coach", "opponent_unaddressed", "decider_not_trusting", "new_face"):
        assert codes[code] >= 3, codes
    clean = sum(1 for deal_flags in flags.values() if len(deal_flags) <= 2)
    assert clean >= len(flags) // 5, "most demo deals should look reasonably worked"
