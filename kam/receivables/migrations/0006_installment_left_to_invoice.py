"""What is left to invoice of each payment plan line, stored for the cash forecast.

The backfill applies the rule of ``kam.receivables.calculations.left_to_invoice`` (the
contract's invoiced total consumes the oldest line first, in due-date order) in one
UPDATE: a running sum of the lines before each one, per contract. Rounded to the cent,
as SQLite does its arithmetic in floating point.
"""

from decimal import Decimal

from django.db import migrations, models

BEFORE = (
    "COALESCE(SUM(p.amount) OVER (PARTITION BY p.contract_id ORDER BY p.due_date, p.sequence "
    "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)"
)


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    least, greatest = ("MIN", "MAX") if connection.vendor == "sqlite" else ("LEAST", "GREATEST")
    left = (
        f"ROUND(p.amount - {least}(p.amount, {greatest}(c.invoiced_amount - {BEFORE}, 0)), 2)"
    )
    lines = (
        f"SELECT p.id, {left} AS figure FROM receivables_installment p "
        "JOIN receivables_contract c ON c.id = p.contract_id"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # No UPDATE ... FROM before SQLite 3.33: one contract's lines per row.
            cursor.execute(
                "UPDATE receivables_installment SET left_to_invoice = ("
                f"SELECT l.figure FROM ({lines} "
                "WHERE p.contract_id = receivables_installment.contract_id) AS l "
                "WHERE l.id = receivables_installment.id)"
            )
        else:
            cursor.execute(
                "UPDATE receivables_installment AS i SET left_to_invoice = l.figure "
                f"FROM ({lines}) AS l WHERE l.id = i.id"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("receivables", "0005_cash_forecast_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="installment",
            name="left_to_invoice",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0.00"),
                editable=False,
                max_digits=16,
                verbose_name="left to invoice",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="installment",
            index=models.Index(
                condition=models.Q(("left_to_invoice__gt", 0)),
                fields=["contract", "due_date", "left_to_invoice"],
                name="recv_installment_to_invoice",
            ),
        ),
    ]
