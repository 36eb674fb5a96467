"""The consultative stage model as the source gives it (DOMAIN.md §3).

The first seed named its steps with back-translated prefixes ("入口：确认商机",
"Entrance: confirm the opportunity") and gave them win rates the source does not
give (10/20/40/60/80). Stages the company has not edited get the source's step names
and no rate (0 until the company sets its own, or reads the rates learned from
history); a name or a rate the company changed stays as it is.
"""

from decimal import Decimal

from django.db import migrations

# key, seeded zh, seeded en, seeded rate, zh, en
STEPS = [
    ("entrance", "入口：确认商机", "Entrance: confirm the opportunity", "10",
     "确认商机", "Confirm the opportunity"),
    ("demand", "需求：主导进程", "Demand: lead the process", "20",
     "主导进程", "Lead the process"),
    ("consulting", "顾问：方案论证", "Consulting: prove the solution", "40",
     "方案论证", "Prove the solution"),
    ("business", "商务：商务洽谈", "Business: negotiate", "60", "商务洽谈", "Negotiate"),
    ("action", "行动：销售成交", "Action: close", "80", "销售成交", "Close"),
]


def as_the_source_gives_them(apps, schema_editor):
    Stage = apps.get_model("pipeline", "Stage")
    for key, seeded_zh, seeded_en, seeded_rate, zh, en in STEPS:
        stage = Stage.objects.filter(model__key="consultative", key=key).first()
        if stage is None:
            continue
        fields = []
        if stage.name_zh == seeded_zh and stage.name_en == seeded_en:
            stage.name_zh, stage.name_en = zh, en
            fields += ["name_zh", "name_en"]
        if stage.win_rate == Decimal(seeded_rate):
            stage.win_rate = Decimal(0)
            fields.append("win_rate")
        if fields:
            stage.save(update_fields=fields)


def back_to_the_first_seed(apps, schema_editor):
    Stage = apps.get_model("pipeline", "Stage")
    for key, seeded_zh, seeded_en, seeded_rate, zh, en in STEPS:
        stage = Stage.objects.filter(model__key="consultative", key=key).first()
        if stage is None:
            continue
        if stage.name_zh == zh and stage.name_en == en:
            stage.name_zh, stage.name_en = seeded_zh, seeded_en
        if stage.win_rate == 0:
            stage.win_rate = Decimal(seeded_rate)
        stage.save(update_fields=["name_zh", "name_en", "win_rate"])


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0015_stage_credit_check_and_criteria_strategies")]
    operations = [migrations.RunPython(as_the_source_gives_them, back_to_the_first_seed)]
