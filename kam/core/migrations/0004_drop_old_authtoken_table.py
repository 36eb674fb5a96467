"""Remove the table of rest_framework.authtoken, which KAM no longer uses.

Its rows held API keys in clear text. Since django-rest-knox (hashed, expiring tokens)
replaced it they authenticate nobody, but they would still sit in every backup. The
table is dropped if it is there (a database created before knox) and its migration
records go with it, so installing rest_framework.authtoken again would build it afresh.
Going back recreates nothing: the old keys are gone for good, integrators sign in again.
"""

from django.db import migrations


def drop_authtoken(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" in connection.introspection.table_names():
        schema_editor.execute("DROP TABLE authtoken_token")
    schema_editor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])


class Migration(migrations.Migration):
    dependencies = [("core", "0003_api_token")]

    operations = [migrations.RunPython(drop_authtoken, migrations.RunPython.noop)]
