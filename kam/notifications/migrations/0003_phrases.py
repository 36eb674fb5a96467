"""Notifications keep phrases, said in the reader's language, instead of finished text.

A row written before keeps its text as it was stored, shown as written in every
language (``{"text": ...}``): which language it was written in is not known. Going
back writes each phrase out in the company's default language.
"""

from django.conf import settings
from django.db import migrations, models
from django.utils import translation


def to_phrases(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    rows = list(Notification.objects.only("pk", "title", "body"))
    for row in rows:
        row.title_phrase = {"text": row.title}
        row.body_phrase = {"text": row.body}
    Notification.objects.bulk_update(rows, ["title_phrase", "body_phrase"], batch_size=500)


def to_text(apps, schema_editor):
    from kam.notifications.phrases import render

    Notification = apps.get_model("notifications", "Notification")
    rows = list(Notification.objects.only("pk", "title_phrase", "body_phrase"))
    with translation.override(settings.LANGUAGE_CODE):
        for row in rows:
            row.title = render(row.title_phrase)[:200]
            row.body = render(row.body_phrase)
    Notification.objects.bulk_update(rows, ["title", "body"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_bounded_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="title_phrase",
            field=models.JSONField(default=dict, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="notification",
            name="body_phrase",
            field=models.JSONField(blank=True, default=dict, verbose_name="message"),
        ),
        migrations.RunPython(to_phrases, to_text),
        migrations.RemoveField(model_name="notification", name="title"),
        migrations.RemoveField(model_name="notification", name="body"),
    ]
