"""The objection playbook's first content, in both languages (DOMAIN.md §3.5, COACHING.md §7).

The sources pair each surface excuse with a root cause (no need ↔ no pain, no hurry ↔ no
value, no money ↔ no trust, no good ↔ no difference) and answer all of them with solution
selling; the answers below are the company's own wording of that, editable by managers.
"""

from django.db import migrations

PLAYBOOK = [
    (
        "no_need",
        "“我们现在不需要。”“现在用的挺好。”",
        "“We don't need this.” “What we have works fine.”",
        "多半是没有痛:客户还没感到问题,或者觉得问题不大。",
        "Usually no pain: the customer does not feel the problem, or thinks it small.",
        "先别讲产品。用现状→困难→影响的提问,让客户自己说出问题在哪里、造成什么后果、"
        "影响到谁;客户亲口确认了痛点,再把我们的方案和他说出的需求连起来。",
        "Don't pitch yet. Ask situation → difficulty → impact questions so the customer names "
        "the problem, what it costs and whom it hurts; once they have stated the pain, link our "
        "solution to the need they stated.",
    ),
    (
        "no_hurry",
        "“以后再说吧。”“明年再考虑。”",
        "“Let's talk later.” “Maybe next year.”",
        "多半是没看到价值:客户不觉得现在行动值得,也不觉得拖下去有代价。",
        "Usually no value: the customer does not see that acting now is worth it, or that "
        "waiting costs anything.",
        "把拖延的代价算出来:用影响类问题请客户估算每拖一个月损失多少(效率、成本、机会),"
        "再用需求确认类问题让他说出解决后的收益;讲客户的收益,而不是产品的功能(FAB、力量型陈述)。",
        "Put a figure on waiting: impact questions that let the customer estimate what each "
        "month of delay costs (efficiency, cost, opportunity), then need-payoff questions so "
        "they state the gain; speak of their benefit, not our features (FAB, a power statement).",
    ),
    (
        "no_money",
        "“没有预算。”“太贵了。”",
        "“There's no budget.” “It's too expensive.”",
        "多半是没有信任:客户不相信这笔投入能换来回报,或者还不信任我们能交付。",
        "Usually no trust: the customer doesn't believe the spend will pay back, or doesn't "
        "yet trust us to deliver.",
        "先建立信任再谈价格:引用权威和专家的意见、同行业的成功案例、客户信任的人的推荐;"
        "兑现每一个小承诺;用投资回报讲清这笔钱的效益,并找到真正掌握预算的决策者。",
        "Build trust before discussing price: cite authorities and experts, success cases in "
        "the customer's industry, a recommendation from someone they trust; keep every small "
        "promise; show the return on the investment, and find the decision maker who really "
        "holds the budget.",
    ),
    (
        "no_good",
        "“你们的产品不行。”“不符合我们的要求。”",
        "“Your product isn't good enough.” “It doesn't meet our requirements.”",
        "多半是没有差异:客户分不清我们和竞争对手,只好按价格或者习惯来挑。",
        "Usually no difference: the customer cannot tell us from the competitors, so chooses "
        "on price or habit.",
        "问清“不行”指的是哪一条标准、由谁定的;把我们的独特价值和客户最看重的决策因素对上,"
        "争取影响决策标准(增加标准、重设优先级);请技术把关者看演示或试用,用事实说话。",
        "Ask which criterion “not good” refers to and who set it; match our unique value to "
        "the decision factors the customer weighs most and try to shape the criteria (add one, "
        "reset priorities); let the technical gatekeeper see a demo or a trial and judge on facts.",
    ),
    (
        "no_pain",
        "听起来像“没需要”“现在挺好”,或者只是客气地听,不表态。",
        "It sounds like “no need” or “things are fine”, or polite listening without commitment.",
        "客户没有感到问题的后果,所以没有改变的动力。",
        "The customer does not feel the consequences of the problem, so has no reason to change.",
        "从客户的现状和SWOT找切入点;用困难和影响类问题让客户看到后果,让使用者、技术把关者、"
        "决策者各自说出自己的痛;需求够广、够深之后,再引导客户承诺立项。",
        "Find the entry point in the customer's situation and SWOT; use difficulty and impact "
        "questions so the customer sees the consequences, and let the user, the technical "
        "gatekeeper and the decision maker each state their own pain; when the needs are broad "
        "and deep enough, lead the customer to commit to a project.",
    ),
    (
        "no_value",
        "听起来像“不着急”“以后再说”。",
        "It sounds like “no hurry” or “later”.",
        "客户看不到方案能带来的收益,觉得投入不值。",
        "The customer cannot see what the solution brings and thinks it not worth the spend.",
        "用需求确认类问题让客户自己说出解决问题的价值,用效益分析把收益量化;对不同的人讲不同的价值:"
        "决策者看公司发展和投资回报,使用者看好学好用,技术把关者看指标和省钱。",
        "Let need-payoff questions make the customer state the value of solving the problem, "
        "and quantify it in a benefit analysis; speak to each person's value: growth and return "
        "for the decision maker, easy to learn and use for the user, specifications and savings "
        "for the technical gatekeeper.",
    ),
    (
        "no_trust",
        "听起来像“没钱”“预算不够”。",
        "It sounds like “no money” or “not enough budget”.",
        "客户不信任我们、我们的公司或者我们的承诺。",
        "The customer does not trust us, our company or our promises.",
        "信任来自权威和亲近:自己做专家或请专家,借客户信任的人引荐,用好公司品牌和职位,"
        "说到做到,言行像专家;发展教练,请他告诉我们谁在担心什么。",
        "Trust comes from authority and closeness: be or bring the expert, borrow the "
        "introduction of someone the customer trusts, use our brand and your position, keep your "
        "word, speak and act like an expert; develop a coach who tells us who worries about what.",
    ),
    (
        "no_difference",
        "听起来像“不行”“别家也一样”“都差不多”。",
        "It sounds like “not good”, “the others are the same” or “they're all alike”.",
        "客户看不出我们和竞争对手的区别,只能比价格。",
        "The customer sees no difference between us and the competitors, so compares prices.",
        "找到并讲清我们的独特价值:差异性评估、同类客户的成功案例、实施保障;争取在客户定标准之前介入,"
        "把我们的优势写进决策标准;用力量型陈述把差异讲成客户的收益。",
        "Find and state our unique value: a differentiation assessment, success cases at "
        "similar customers, implementation assurance; get in before the criteria are fixed so "
        "our strengths are written into them; use a power statement to turn the difference into "
        "the customer's benefit.",
    ),
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    entry = apps.get_model("coach", "PlaybookEntry")
    for kind, s_zh, s_en, r_zh, r_en, a_zh, a_en in PLAYBOOK:
        entry.objects.get_or_create(
            kind=kind,
            defaults={
                "surface_zh": s_zh,
                "surface_en": s_en,
                "root_cause_zh": r_zh,
                "root_cause_en": r_en,
                "response_zh": a_zh,
                "response_en": a_en,
            },
        )


def unseed(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("coach", "PlaybookEntry").objects.filter(
        kind__in=[row[0] for row in PLAYBOOK]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("coach", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
