"""One journey: upload a spreadsheet, read its dry-run report in the browser."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.utils import timezone

from kam.core.models import Interface
from kam.imports import services
from tests.factories import PASSWORD, AccountFactory
from tests.imports.helpers import headers, xlsx

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_dry_run_report_reads_row_by_row(page, org):
    AccountFactory(owner=org.rep, name="甲公司")
    soon = timezone.localdate() + dt.timedelta(days=60)
    rows = [
        headers("opportunities", "account", "name", "amount", "expected_close_date"),
        ["甲公司", "数据中心扩容", "１,２００,０００", soon],
        ["甲公司", "机房改造", "很多", soon],
        ["乙公司", "无此客户", 5, soon],
    ]
    batch = services.start_import(
        kind="opportunities",
        file_name="商机清单.xlsx",
        content=xlsx(rows),
        by=org.rep,
        via=Interface.WEB,
        language="zh-hans",
        run_check=False,
    )
    services.check_batch(batch)
    page.goto(f"{page.base_url}/login/")
    page.fill("#id_username", org.rep.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{page.base_url}/imports/{batch.pk}/")
    table = page.locator("[data-testid=error-table]")
    assert "“很多”不是数字。" in table.inner_text()
    assert "乙公司" in table.inner_text()
    assert "数据中心扩容" in page.locator("[data-testid=row-table]").inner_text()
    shot = os.environ.get("KAM_SCREENSHOT")
    if shot:
        page.screenshot(path=shot, full_page=True)
    assert not page.console_errors
