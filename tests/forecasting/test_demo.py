"""The demo tenant carries a year of weekly snapshots, so progress has a trend from day one."""

from __future__ import annotations

from datetime import date

import pytest

from kam.core import demo
from kam.forecasting.models import OpportunityOdds, PipelineSnapshot, SnapshotWeek, WinModel
from kam.forecasting.periods import Week
from kam.forecasting.progress import progress_weeks, week_changes
from kam.forecasting.scopes import resolve_scope
from kam.pipeline.models import Opportunity, Status

pytestmark = pytest.mark.django_db


def test_demo_has_a_year_of_weekly_snapshots_and_trained_odds():
    ctx = demo.build(today=date(2026, 11, 25), log=lambda _line: None)
    weeks = list(SnapshotWeek.objects.order_by("week").values_list("week", flat=True))
    assert len(weeks) == 52 and weeks[-1] == date(2026, 11, 16)
    assert PipelineSnapshot.objects.filter(week=weeks[-1]).count() > 50
    director = ctx.users["director"]
    company = resolve_scope(director, "company")
    trend = progress_weeks(director, company)
    assert len(trend) == 13 and trend[-1].pipeline > 0
    assert sum(c.count for c in week_changes(director, company, Week(weeks[-1]))) > 0
    assert WinModel.objects.exists()
    assert OpportunityOdds.objects.count() == Opportunity.objects.filter(status=Status.OPEN).count()
