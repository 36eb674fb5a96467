"""The audit rows of targets: first set with its values, then changed from → to."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from kam.core.models import AuditEvent
from kam.forecasting.models import Metric
from kam.forecasting.periods import QUARTER, Period
from kam.forecasting.services import set_target

pytestmark = pytest.mark.django_db


def test_a_target_records_its_amount_and_who_set_it_then_each_change(org):
    quarter = Period.of(QUARTER, timezone.localdate())
    target = set_target(
        metric=Metric.BOOKINGS, period=quarter, amount="100000", user=org.rep, by=org.director
    )
    created = AuditEvent.objects.filter(object_type="forecasting.target").latest("pk")
    assert created.action == AuditEvent.Action.CREATE
    assert Decimal(created.changes["amount"]) == Decimal(100000)
    assert created.changes["user_id"] == org.rep.pk

    set_target(
        metric=Metric.BOOKINGS,
        period=quarter,
        amount="120000",
        user=org.rep,
        by=org.east_manager,
        expected_version=target.version,
    )
    changed = AuditEvent.objects.filter(object_type="forecasting.target").latest("pk")
    assert (changed.action, changed.actor) == (AuditEvent.Action.UPDATE, org.east_manager)
    assert [Decimal(v) for v in changed.changes["amount"]] == [Decimal(100000), Decimal(120000)]
    assert changed.changes["set_by_id"] == [org.director.pk, org.east_manager.pk]
