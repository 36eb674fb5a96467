"""Reads that feed the funnel report; aggregation happens in the database."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Sum

from kam.core.models import User
from kam.forecasting.calculations import FunnelRow
from kam.pipeline.models import Stage, StageModel, Status
from kam.pipeline.selectors import visible_opportunities


def funnel_rows(user: User, stage_model: StageModel) -> list[FunnelRow]:
    """Per stage of ``stage_model``: count and total of the open opportunities the user sees."""
    aggregates = {
        row["stage_id"]: row
        for row in visible_opportunities(user)
        .filter(status=Status.OPEN, stage__model=stage_model)
        .values("stage_id")
        .annotate(n=Count("pk"), total=Sum("amount"))
    }
    rows = []
    for stage in Stage.objects.filter(model=stage_model).order_by("order"):
        found = aggregates.get(stage.pk, {})
        rows.append(
            FunnelRow(
                stage_id=stage.pk,
                stage_name=stage.name,
                win_rate=stage.win_rate,
                count=found.get("n", 0),
                total=found.get("total") or Decimal(0),
            )
        )
    return rows
