"""Demo imports: a few uploads, checked for real, so the import pages have something to show.

The rep has a checked file of new opportunities waiting to be imported and a
file of accounts with errors; the East China manager a checked activities file.
Each is checked by the same dry run as a real upload (nothing is written).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import translation

from kam.accounts.models import Account
from kam.core.demo import DemoContext
from kam.core.models import Interface
from kam.imports import services
from kam.imports.kinds import IMPORTERS
from kam.imports.models import Kind
from kam.ui import spreadsheets


def _workbook(kind: str, keys: list[str], rows: list[list[Any]]) -> bytes:
    columns = {c.key: c for c in IMPORTERS[kind].columns}
    workbook = spreadsheets.new_workbook()
    sheet = workbook.active
    spreadsheets.append(sheet, [columns[k].header() if k in columns else k for k in keys])
    for row in rows:
        spreadsheets.append(sheet, row)
    return spreadsheets.workbook_bytes(workbook)


def load(ctx: DemoContext) -> None:
    rep, manager = ctx.users["rep"], ctx.users["manager"]
    own = list(Account.objects.filter(owner=rep).order_by("pk")[:3])
    if not own:
        return
    close = ctx.today + timedelta(days=60)
    deals = [
        [account.name, f"{account.name[:6]}扩容项目{ctx.rng.randint(1, 9)}期", amount, close]
        for account, amount in zip(own, (380000, 1250000, 96000), strict=False)
    ]
    files = [
        (
            rep,
            Kind.OPPORTUNITIES,
            "2026年商机清单.xlsx",
            _workbook(
                Kind.OPPORTUNITIES, ["account", "name", "amount", "expected_close_date"], deals
            ),
        ),
        (
            rep,
            Kind.ACCOUNTS,
            "新客户名单.xlsx",
            _workbook(
                Kind.ACCOUNTS,
                ["name", "city", "employees", "备注"],
                [
                    ["苏州新澜精密制造有限公司", "苏州", "约300人", "展会认识"],
                    [own[0].name, "上海", 800, ""],
                ],
            ),
        ),
        (
            manager,
            Kind.ACTIVITIES,
            "团队拜访计划.xlsx",
            _workbook(
                Kind.ACTIVITIES,
                ["account", "kind", "starts_at", "objective"],
                [
                    [
                        own[0].name,
                        "销售拜访",
                        f"{ctx.today + timedelta(days=7):%Y-%m-%d} 10:00",
                        "客户同意安排技术交流会",
                    ]
                ],
            ),
        ),
    ]
    with translation.override("zh-hans"):
        for user, kind, name, content in files:
            batch = services.start_import(
                kind=kind,
                file_name=name,
                content=content,
                by=user,
                via=Interface.CLI,
                language="zh-hans",
                run_check=False,
            )
            services.check_batch(batch)
    ctx.log("imports: 3 checked uploads")
