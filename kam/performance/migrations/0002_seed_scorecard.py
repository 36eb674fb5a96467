"""Seed the balanced scorecard (§1.4): twelve indicators in four perspectives, weighted
per posture (attack stresses growth and acquisition, defend profit, cost, retention and
satisfaction), and the one row of performance settings."""

from decimal import Decimal

from django.db import migrations

# key, perspective, zh, en, unit, higher is better, target, attack, defend, maintain
INDICATORS = [
    ("sales_growth", "financial", "销售额增长", "Sales growth", "%", True, 15, 25, 5, 5),
    ("profit_growth", "financial", "利润增长", "Profit growth", "%", True, 10, 5, 20, 15),
    ("bookings_attainment", "financial", "销售目标完成率", "Sales target attainment", "%", True, 100, 15, 10, 10),
    ("selling_cost", "financial", "销售成本率", "Cost of selling", "%", False, 8, 5, 15, 20),
    ("new_accounts", "customer", "新获客户数", "New accounts acquired", "", True, 2, 20, 0, 0),
    ("retention", "customer", "客户保留率", "Customer retention", "%", True, 90, 0, 15, 10),
    ("share_of_wallet", "customer", "客户份额", "Share of wallet", "%", True, 40, 10, 5, 5),
    ("loyalty", "customer", "客户忠诚度", "Customer loyalty", "/100", True, 70, 0, 10, 10),
    ("advance_rate", "process", "活动推进率", "Activity advance rate", "%", True, 50, 5, 5, 5),
    ("funnel_velocity", "process", "漏斗速度", "Funnel velocity", "CNY/d", True, 10000, 5, 0, 5),
    ("collection_rate", "process", "回款率", "Collection rate", "%", True, 95, 5, 10, 10),
    ("skill_level", "people", "销售技能等级", "Sales skill level", "/3", True, Decimal("2.5"), 5, 5, 5),
]


def seed(apps, schema_editor):
    Indicator = apps.get_model("performance", "ScorecardIndicator")
    Settings = apps.get_model("performance", "PerformanceSettings")
    for order, (key, perspective, zh, en, unit, higher, target, a, d, m) in enumerate(INDICATORS):
        Indicator.objects.update_or_create(
            key=key,
            defaults={
                "perspective": perspective,
                "name_zh": zh,
                "name_en": en,
                "unit": unit,
                "higher_is_better": higher,
                "target": Decimal(target),
                "weight_attack": Decimal(a),
                "weight_defend": Decimal(d),
                "weight_maintain": Decimal(m),
                "order": order,
            },
        )
    if not Settings.objects.exists():
        Settings.objects.create()


def unseed(apps, schema_editor):
    apps.get_model("performance", "ScorecardIndicator").objects.all().delete()
    apps.get_model("performance", "PerformanceSettings").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("performance", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
