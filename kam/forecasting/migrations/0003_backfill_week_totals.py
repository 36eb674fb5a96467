"""Link the snapshot rows of weeks taken before the links existed to the week before, and total
each such week (kam.forecasting.snapshots). Reversing drops the totals; the links are kept."""

from django.db import migrations


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    from kam.forecasting import snapshots

    SnapshotWeek = apps.get_model("forecasting", "SnapshotWeek")
    weeks = list(SnapshotWeek.objects.filter(opportunities__gt=0).values_list("week", flat=True))
    snapshots.backfill(
        weeks,
        snapshots=apps.get_model("forecasting", "PipelineSnapshot"),
        totals=apps.get_model("forecasting", "PipelineWeekTotal"),
    )


def drop_totals(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("forecasting", "PipelineWeekTotal").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("forecasting", "0002_snapshot_links_and_week_totals")]

    operations = [migrations.RunPython(backfill, drop_totals)]
