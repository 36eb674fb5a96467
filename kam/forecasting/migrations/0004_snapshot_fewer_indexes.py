"""Drop the single-column indexes of the snapshot's week, opportunity, owner and team: the
multi-column ones cover them, and each costs the weekly insert of every open deal.

Only the indexes are dropped (altering the fields would make SQLite copy the table)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

COLUMNS = ("week", "opportunity_id", "owner_id", "team_id")


def drop_single_column_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    model = apps.get_model("forecasting", "PipelineSnapshot")
    for column in COLUMNS:
        # Exactly [column]: the multi-column indexes starting with it stay.
        for name in schema_editor._constraint_names(model, [column], index=True, unique=False):
            schema_editor.execute(schema_editor._delete_index_sql(model, name))


def add_single_column_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    model = apps.get_model("forecasting", "PipelineSnapshot")
    for column in COLUMNS:
        field = next(f for f in model._meta.local_fields if f.column == column)
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_cache_table"),
        ("forecasting", "0003_backfill_week_totals"),
        ("pipeline", "0005_board_column_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(drop_single_column_indexes, add_single_column_indexes)
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="pipelinesnapshot",
                    name="opportunity",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="snapshots",
                        to="pipeline.opportunity",
                    ),
                ),
                migrations.AlterField(
                    model_name="pipelinesnapshot",
                    name="owner",
                    field=models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="pipelinesnapshot",
                    name="team",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="core.team",
                    ),
                ),
                migrations.AlterField(
                    model_name="pipelinesnapshot",
                    name="week",
                    field=models.DateField(verbose_name="week (Monday)"),
                ),
            ],
        ),
    ]
