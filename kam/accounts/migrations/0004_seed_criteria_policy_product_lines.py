"""Seed the company's defaults: the seven §1.2 criteria, tier and matrix thresholds,
and product lines for the whitespace map. Administrators edit them afterwards."""

from decimal import Decimal

from django.db import migrations

CRITERIA = [
    # key, order, Chinese, English, weight, scores 0 at, scores 100 at
    ("sales_volume", 1, "年度销售额", "Sales volume (last 12 months)", "25", "0", "5000000"),
    ("margin", 2, "平均利润率", "Average margin (%)", "15", "0", "30"),
    ("growth", 3, "采购增长", "Purchase growth (%)", "15", "-20", "30"),
    ("potential", 4, "采购潜力（未占份额）", "Potential not yet ours", "15", "0", "10000000"),
    ("payment", 5, "信用与付款周期（天）", "Credit and payment cycle (days)", "10", "180", "30"),
    ("goal_access", 6, "可了解其业务目标", "Access to its business goals", "10", "0", "5"),
    ("openness", 7, "愿意听取我方建议", "Open to our ideas", "10", "0", "5"),
]

PRODUCT_LINES = [
    ("core_network", 1, "核心网络", "Core network"),
    ("data_center", 2, "数据中心", "Data centre"),
    ("private_5g", 3, "5G专网", "Private 5G"),
    ("security", 4, "网络安全", "Network security"),
    ("cloud", 5, "云平台", "Cloud platform"),
    ("operations", 6, "智能运维", "Operations platform"),
    ("collaboration", 7, "视频协作", "Video collaboration"),
]


def seed(apps, schema_editor):
    Criterion = apps.get_model("accounts", "QualificationCriterion")
    Policy = apps.get_model("accounts", "AccountPolicy")
    ProductLine = apps.get_model("accounts", "ProductLine")
    for key, order, zh, en, weight, zero_at, full_at in CRITERIA:
        Criterion.objects.update_or_create(
            key=key,
            defaults={
                "order": order,
                "name_zh": zh,
                "name_en": en,
                "weight": Decimal(weight),
                "zero_at": Decimal(zero_at),
                "full_at": Decimal(full_at),
            },
        )
    if not Policy.objects.exists():
        Policy.objects.create(
            key_min_score=Decimal("70"),
            important_min_score=Decimal("45"),
            high_potential_from=Decimal("3000000"),
            high_share_from_pct=Decimal("40"),
            intrude_below_pct=Decimal("10"),
        )
    for key, order, zh, en in PRODUCT_LINES:
        ProductLine.objects.update_or_create(
            key=key, defaults={"order": order, "name_zh": zh, "name_en": en}
        )


def unseed(apps, schema_editor):
    apps.get_model("accounts", "QualificationCriterion").objects.all().delete()
    apps.get_model("accounts", "AccountPolicy").objects.all().delete()
    apps.get_model("accounts", "ProductLine").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_profile_qualification_strategy_plans")]

    operations = [migrations.RunPython(seed, unseed)]
