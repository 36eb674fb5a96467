"""The stalling excuses of DOMAIN.md §6, each with its recommended response (editable data)."""

from django.db import migrations

# (key, Chinese, English, response Chinese, response English)
EXCUSES = [
    (
        "money_sent",
        "钱已经汇出去了",
        "The money has been sent",
        "问清汇款日期、银行、金额和账号；请对方传真或拍照发来汇款底单，核对收款人、账号和金额；两天内未到账即回电追问。",
        "Ask the date, bank, amount and account; ask for the remittance slip and check payee, "
        "account and amounts; call back in two days if nothing has arrived.",
    ),
    (
        "finance_processing",
        "财务正在处理",
        "Finance is processing it",
        "问清处理到哪一步、由谁经办、预计哪天付款；要到经办人的姓名和电话，约定付款日并在前一天确认。",
        "Ask which step it is at, who handles it and which day it will be paid; get the clerk's "
        "name and phone, agree the payment date and confirm the day before.",
    ),
    (
        "customer_not_paid",
        "我的客户还没付钱给我",
        "My customer hasn't paid me",
        "表示理解但说明我们的合同与其下游无关；提出先付一部分、其余按新日期分期，并要求书面确认。",
        "Show understanding but make clear our contract does not depend on their customer; propose "
        "a part payment now and the rest in dated instalments, confirmed in writing.",
    ),
    (
        "reorganising",
        "公司在重组／合并",
        "We are reorganising / merging",
        "问清重组后由谁承接债务和付款审批；拿到新的联系人和审批流程，要求在重组前先结清到期款项。",
        "Ask who takes over the debt and payment approval after the change; get the new contacts "
        "and approval flow, and ask for what is due to be paid before the change.",
    ),
    (
        "force_majeure",
        "不可抗力",
        "Force majeure",
        "核实事件和影响范围；商定恢复后的付款时间表，并要求先支付不受影响部分。",
        "Check the event and what it really affects; agree a payment schedule for after recovery "
        "and ask for the unaffected part to be paid now.",
    ),
    (
        "manager_agreed",
        "你们经理同意再宽限一个月",
        "Your manager agreed to another month",
        "礼貌说明会向经理核实；当场约定核实后的回复时间，核实不实则按原日期执行。",
        "Say politely you will check with your manager; agree when you will call back, and if it "
        "is not true the original date stands.",
    ),
    (
        "quality_problem",
        "产品有质量问题",
        "There is a quality problem",
        "请对方书面列出问题并安排服务人员上门；把有问题部分与无争议部分分开，无争议部分先付。",
        "Ask for the problem in writing and send service at once; separate the disputed part from "
        "the rest and ask for the undisputed amount to be paid now.",
    ),
    (
        "goods_not_received",
        "我们没收到货",
        "We have no receipt of goods",
        "出示签收单、物流单据；查明签收人，请其确认后安排付款。",
        "Show the signed delivery note and shipping documents; find who signed and have them "
        "confirm, then arrange payment.",
    ),
    (
        "no_money",
        "我们没钱",
        "We have no money",
        "了解真实资金状况；提出分期付款、承兑汇票等方式，要求先付第一笔并书面确认计划，同时评估信用风险。",
        "Find out the real cash position; offer instalments or an acceptance bill, ask for a first "
        "payment now and the plan in writing, and review the credit risk.",
    ),
    (
        "will_certainly_pay",
        "我们肯定会付的",
        "We will certainly pay",
        "感谢态度后追问具体日期、金额和经办人；结束前复述承诺并记录为付款承诺。",
        "Thank them, then ask for the exact date, amount and who will pay; repeat the promise "
        "before hanging up and record it as a promise to pay.",
    ),
    (
        "boss_not_signed",
        "老板还没签字",
        "The boss hasn't signed",
        "问清老板何时在、审批还差哪些环节；请对方约定签字时间，必要时请我方高层与其老板沟通。",
        "Ask when the boss is in and what else the approval needs; agree a time for the signature "
        "and, if needed, have our executive speak to theirs.",
    ),
    (
        "invoice_problem",
        "发票没收到／开错了",
        "Invoice not received or wrong",
        "当天重开或补寄发票并确认收到；同时约定收到发票后的付款日期。",
        "Reissue or resend the invoice the same day and confirm receipt; agree the payment date "
        "once it is received.",
    ),
    (
        "finance_on_leave",
        "财务休假了",
        "Finance is on leave",
        "问清代理人是谁、休假到哪天；请代理人处理，或约定对方回来后第一天付款。",
        "Ask who stands in and until when; have the stand-in handle it, or agree payment on the "
        "first day back.",
    ),
    (
        "documents_incomplete",
        "单据不全，要重新审核",
        "Documents incomplete, re-review",
        "请对方一次性列出缺少的全部单据；当天补齐并确认重新审核的完成日期。",
        "Ask for the full list of missing documents at once; supply them the same day and agree "
        "the date the review will be done.",
    ),
]


def seed(apps, schema_editor):
    Excuse = apps.get_model("receivables", "Excuse")
    Excuse.objects.bulk_create(
        Excuse(
            key=key,
            order=index * 10,
            text_zh=text_zh,
            text_en=text_en,
            response_zh=response_zh,
            response_en=response_en,
        )
        for index, (key, text_zh, text_en, response_zh, response_en) in enumerate(EXCUSES, 1)
    )


def unseed(apps, schema_editor):
    apps.get_model("receivables", "Excuse").objects.filter(key__in=[e[0] for e in EXCUSES]).delete()


class Migration(migrations.Migration):
    dependencies = [("receivables", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
