"""What is left to invoice of each payment plan line, stored for the cash forecast.

The backfill applies the rule of ``kam.receivables.calculations.left_to_invoice`` (the
contract's invoiced total consumes the oldest line first), written out against this
migration's models, a few thousand lines at a time.
"""

from decimal import Decimal

from django.db import migrations, models

BATCH = 5000


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    Installment = apps.get_model("receivables", "Installment")
    lines = Installment.objects.order_by("contract_id", "due_date", "sequence").values_list(
        "pk", "contract_id", "amount", "contract__invoiced_amount"
    )
    changed = []
    contract, invoiced = None, Decimal(0)
    for pk, contract_id, amount, contract_invoiced in lines.iterator(chunk_size=BATCH):
        if contract_id != contract:
            contract, invoiced = contract_id, contract_invoiced
        used = min(amount, max(invoiced, Decimal(0)))
        invoiced -= used
        changed.append(Installment(pk=pk, left_to_invoice=amount - used))
        if len(changed) == BATCH:
            Installment.objects.bulk_update(changed, ["left_to_invoice"])
            changed = []
    Installment.objects.bulk_update(changed, ["left_to_invoice"])


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
