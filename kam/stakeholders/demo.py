"""Demo people at customers: a small organisation chart per account."""

from __future__ import annotations

from kam.core.demo import DemoContext
from kam.stakeholders.models import Contact, Level

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = [
    "建国",
    "丽华",
    "志强",
    "秀英",
    "海波",
    "晓燕",
    "伟",
    "静",
    "磊",
    "洋",
    "军",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "霞",
    "平",
    "刚",
    "桂英",
    "文",
    "斌",
    "颖",
    "晨",
]

# (title, department, level) from the top of a customer's organisation down.
CHART = [
    ("总经理", "总经理办公室", Level.DECISION),
    ("副总经理", "总经理办公室", Level.DECISION),
    ("信息中心主任", "信息中心", Level.MANAGEMENT),
    ("采购部经理", "采购部", Level.MANAGEMENT),
    ("财务总监", "财务部", Level.MANAGEMENT),
    ("网络运维主管", "信息中心", Level.OPERATIONAL),
    ("高级工程师", "信息中心", Level.OPERATIONAL),
    ("采购专员", "采购部", Level.OPERATIONAL),
]
REPORTS_TO = {1: 0, 2: 1, 3: 1, 4: 0, 5: 2, 6: 2, 7: 3}


def person_name(rng) -> str:  # type: ignore[no-untyped-def]
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def load(ctx: DemoContext) -> None:
    rng = ctx.rng
    total = 0
    by_account: dict[int, list[Contact]] = {}
    for account in ctx.extra["accounts"]:
        size = rng.randint(4, len(CHART))
        people = [
            Contact(
                account=account,
                name=person_name(rng),
                title=title,
                department=dept,
                level=level,
                phone=f"1{rng.randint(3000000000, 9899999999)}",
                email=f"c{account.pk}.{i}@customer.example",
            )
            for i, (title, dept, level) in enumerate(CHART[:size])
        ]
        Contact.objects.bulk_create(people)
        for i, person in enumerate(people):
            boss = REPORTS_TO.get(i)
            if boss is not None and boss < len(people):
                person.reports_to = people[boss]
        Contact.objects.bulk_update(people, ["reports_to"])
        by_account[account.pk] = people
        total += len(people)
    ctx.extra["contacts_by_account"] = by_account
    ctx.log(f"people at customers: {total}")
