"""Seed the two stage models of DOMAIN.md §3.1; administrators edit them afterwards."""

from decimal import Decimal

from django.db import migrations

PURCHASE_STAGES = [
    # key, zh, en, rate, our step zh, our step en, exit zh, exit en
    ("interest", "兴趣", "Interest", "5", "客户分析", "Customer analysis",
     "发起人提出口头或书面采购申请", "The initiator files a verbal or written purchase request"),
    ("brewing", "酝酿", "Brewing", "10", "建立信任", "Build trust",
     "决策者同意采购，确定时间和预算，要求设计人员制定方案",
     "The decision maker agrees to buy, sets time and budget, and asks designers to plan"),
    ("design", "设计", "Design", "20", "挖掘需求", "Dig out needs",
     "设计人员完成方案和技术指标，邀请供应商",
     "Designers finish the plan and specifications and invite suppliers"),
    ("comparison", "比较", "Comparison", "30", "呈现价值", "Present value",
     "供应商提交方案和报价，开始谈判", "Suppliers submit proposals and quotes; negotiation starts"),
    ("commitment", "承诺", "Commitment", "50", "赢取承诺", "Win commitment",
     "客户选定供应商，谈判并签约", "The customer picks a supplier, negotiates and signs"),
    ("use", "使用", "Use", "80", "回收账款", "Collect payment",
     "客户付款，货物交付，投入使用", "The customer pays, goods are delivered and in service"),
]

CONSULTATIVE_STAGES = [
    ("entrance", "入口：确认商机", "Entrance: confirm the opportunity", "10", "确认商机",
     "Confirm the opportunity", "商机经过需求、权力、预算、时间四项确认",
     "The opportunity is qualified on need, authority, budget and timeline"),
    ("demand", "需求：主导进程", "Demand: lead the process", "20", "主导进程", "Lead the process",
     "客户认可我们主导的采购进程", "The customer accepts the buying process we lead"),
    ("consulting", "顾问：方案论证", "Consulting: prove the solution", "40", "方案论证",
     "Prove the solution",
     "完成需求调研、方案设计与提交、架构、实施计划、差异化和效益分析",
     "Needs survey, solution design and submission, architecture, implementation plan, "
     "differentiation and benefit analysis are done"),
    ("business", "商务：商务洽谈", "Business: negotiate", "60", "商务洽谈", "Negotiate",
     "商务条款达成一致", "Commercial terms are agreed"),
    ("action", "行动：销售成交", "Action: close", "80", "销售成交", "Close",
     "合同签订", "The contract is signed"),
]


def seed(apps, schema_editor):
    StageModel = apps.get_model("pipeline", "StageModel")
    Stage = apps.get_model("pipeline", "Stage")
    for key, name_zh, name_en, is_default, stages in [
        ("purchase", "采购阶段漏斗", "Purchase stages", True, PURCHASE_STAGES),
        ("consultative", "顾问式销售", "Consultative selling", False, CONSULTATIVE_STAGES),
    ]:
        model, _ = StageModel.objects.get_or_create(
            key=key, defaults={"name_zh": name_zh, "name_en": name_en, "is_default": is_default}
        )
        for order, (skey, zh, en, rate, step_zh, step_en, exit_zh, exit_en) in enumerate(
            stages, start=1
        ):
            Stage.objects.get_or_create(
                model=model,
                key=skey,
                defaults={
                    "order": order, "name_zh": zh, "name_en": en, "win_rate": Decimal(rate),
                    "our_step_zh": step_zh, "our_step_en": step_en,
                    "exit_criteria_zh": exit_zh, "exit_criteria_en": exit_en,
                },
            )


def unseed(apps, schema_editor):
    apps.get_model("pipeline", "StageModel").objects.filter(
        key__in=["purchase", "consultative"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
