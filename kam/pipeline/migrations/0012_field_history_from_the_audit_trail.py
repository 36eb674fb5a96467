"""The deal's field history is read from the audit trail: the FieldChange table goes.

Every FieldChange row was written by the same edit, in the same transaction, as an
audit event carrying the same before and after, so dropping the table loses nothing.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("pipeline", "0011_bounded_text"),
    ]

    operations = [
        migrations.DeleteModel(name="FieldChange"),
    ]
