from __future__ import annotations

import datetime as dt

import pytest

from kam.core import demo
from kam.imports.models import BatchStatus, ImportBatch

pytestmark = pytest.mark.django_db


def test_the_demo_has_checked_uploads_with_real_reports():
    demo.build(today=dt.date(2026, 11, 26), log=lambda line: None)
    statuses = dict(ImportBatch.objects.values_list("file_name", "status"))
    assert statuses == {
        "2026年商机清单.xlsx": BatchStatus.READY,
        "新客户名单.xlsx": BatchStatus.INVALID,
        "团队拜访计划.xlsx": BatchStatus.READY,
    }
    invalid = ImportBatch.objects.get(status=BatchStatus.INVALID)
    columns = {e["column"] for e in invalid.report["errors"]}
    assert {"备注", "employees"} <= columns
