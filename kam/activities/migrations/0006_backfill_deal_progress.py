"""Fill in what the stall rule now reads from each deal (pipeline 0009), from the
activities and stage moves already recorded: the same computation as
``kam.activities.services.refresh_deal_progress``, written against this migration's models."""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Greatest


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    Activity = apps.get_model("activities", "Activity")
    Opportunity = apps.get_model("pipeline", "Opportunity")
    StageChange = apps.get_model("pipeline", "StageChange")
    judged = Activity.objects.filter(opportunity_id=OuterRef("pk"), status="done").exclude(
        outcome=""
    )
    newest = judged.order_by("-starts_at", "-pk").values("outcome")
    last_advance = (
        judged.filter(outcome__in=["advance", "order"]).order_by("-starts_at").values("starts_at")
    )
    last_move = (
        StageChange.objects.filter(opportunity_id=OuterRef("pk"))
        .order_by("-changed_at")
        .values("changed_at")
    )
    Opportunity.objects.update(
        last_outcome=Coalesce(Subquery(newest[:1]), Value("")),
        previous_outcome=Coalesce(Subquery(newest[1:2]), Value("")),
        progressed_at=Greatest(
            F("created_at"),
            Coalesce(Subquery(last_advance[:1]), F("created_at")),
            Coalesce(Subquery(last_move[:1]), F("created_at")),
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0005_outcomes_index"),
        ("pipeline", "0009_deal_progress_for_the_stall_rule"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
