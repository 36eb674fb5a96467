"""Widen the snapshot's (team, week) index with what the weekly pipeline sums.

A manager's progress reads a team's weeks of snapshot rows: with the close date,
the account (the viewer's visibility), the rate and the amount in the index, SQLite
reads them from the index alone instead of looking each row up in the table. The
narrow index goes: the wide one starts with the same columns, and the weekly insert
of every open deal keeps one index to maintain, not two.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("forecasting", "0004_snapshot_fewer_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="pipelinesnapshot",
            index=models.Index(
                fields=["team", "week", "expected_close_date", "account", "win_rate", "amount"],
                name="snapshot_team_week_pipeline",
            ),
        ),
        migrations.RemoveIndex(
            model_name="pipelinesnapshot",
            name="snapshot_team_week",
        ),
    ]
