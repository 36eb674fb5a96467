"""Reading a workbook: headers as users write them, and files that cannot be imported."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from kam.core.phrases import render
from kam.imports.kinds import OpportunityImporter
from kam.imports.reading import FileRefused, check_upload, read_sheet
from tests.imports.helpers import headers, xlsx

COLUMNS = OpportunityImporter.columns
ROW = ["上海示例电子有限公司", "数据中心扩容", "１２,０００", dt.datetime(2026, 12, 31)]


def keys(sheet):  # type: ignore[no-untyped-def]
    return [c.key for c in sheet.columns]


def test_bilingual_chinese_and_english_headers_all_read():
    for header in (
        headers("opportunities", "account", "name", "amount", "expected_close_date"),
        ["客户名称", "商机名称", "金额", "预计成交日期"],
        ["Account name", "Opportunity name", "Amount", "Expected close date"],
        [
            "  客户名称 /  Account name ",
            "ＯＰＰＯＲＴＵＮＩＴＹ ＮＡＭＥ",
            "金额\u3000",
            "预计成交日期*",
        ],
    ):
        sheet = read_sheet(xlsx([header, ROW]), COLUMNS)
        assert keys(sheet) == ["account", "name", "amount", "expected_close_date"], header
        assert sheet.problems == []
        assert sheet.rows[0].values == {
            "account": "上海示例电子有限公司",
            "name": "数据中心扩容",
            "amount": Decimal("12000"),
            "expected_close_date": dt.date(2026, 12, 31),
        }


def test_a_merged_title_row_above_the_headers_is_skipped():
    content = xlsx(
        [
            ["2026年商机清单", None, None, None],
            ["客户名称", "商机名称", "金额", "预计成交日期"],
            ROW,
        ],
        merge=["A1:D1"],
    )
    sheet = read_sheet(content, COLUMNS)
    assert sheet.header_row == 2
    assert sheet.rows[0].number == 3 and sheet.rows[0].values["name"] == "数据中心扩容"


def test_a_header_merged_over_two_rows_is_read_from_its_upper_cell():
    content = xlsx(
        [
            ["客户名称", "商机", None, "预计成交日期"],
            [None, "商机名称", "金额", None],
            ROW,
        ],
        merge=["A1:A2", "B1:C1", "D1:D2"],
    )
    sheet = read_sheet(content, COLUMNS)
    assert keys(sheet) == ["account", "name", "amount", "expected_close_date"]
    assert sheet.rows[0].values["account"] == "上海示例电子有限公司"


def test_unknown_and_missing_columns_are_reported_with_the_header_row():
    content = xlsx([["客户名称", "商机名称", "备注栏", "金额"], ["甲公司", "扩容", "x", 1]])
    sheet = read_sheet(content, COLUMNS)
    messages = {(p.row, p.column): render(p.message) for p in sheet.problems}
    assert "备注栏" in messages[(1, "备注栏")]
    assert (1, "expected_close_date") in messages


def test_formulas_are_refused_cell_by_cell():
    content = xlsx(
        [["客户名称", "商机名称", "金额", "预计成交日期"], ["甲", "扩容", "=1000*12", "2026-12-31"]]
    )
    sheet = read_sheet(content, COLUMNS)
    [problem] = sheet.rows[0].problems
    assert problem.column == "amount" and "formula" in render(problem.message)


def test_numbers_stored_as_text_and_bad_cells():
    content = xlsx(
        [["客户名称", "商机名称", "金额", "预计成交日期"], ["甲", "扩容", "一百万", "明天"]]
    )
    sheet = read_sheet(content, COLUMNS)
    assert {p.column for p in sheet.rows[0].problems} == {"amount", "expected_close_date"}


def test_blank_rows_are_skipped_and_row_numbers_are_excel_s():
    content = xlsx([["客户名称", "商机名称", "金额", "预计成交日期"], ROW, [None] * 4, ROW])
    sheet = read_sheet(content, COLUMNS)
    assert [r.number for r in sheet.rows] == [2, 4]


def test_an_empty_sheet_is_refused():
    with pytest.raises(FileRefused, match="empty"):
        read_sheet(xlsx([]), COLUMNS)


def test_headers_without_rows_are_reported():
    sheet = read_sheet(xlsx([["客户名称", "商机名称", "金额", "预计成交日期"]]), COLUMNS)
    assert any("no rows" in render(p.message) for p in sheet.problems)


def test_a_sheet_of_other_headers_is_refused():
    with pytest.raises(FileRefused, match="template"):
        read_sheet(xlsx([["foo", "bar"], [1, 2]]), COLUMNS)


def test_a_file_that_is_not_a_workbook_is_refused():
    with pytest.raises(FileRefused):
        read_sheet(b"PK\x03\x04 not really a zip", COLUMNS)
    with pytest.raises(FileRefused, match="not an Excel"):
        check_upload("data.csv", 10, b"a,b,c\n")
    with pytest.raises(FileRefused, match=r"\.xls"):
        check_upload("old.xls", 10, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    with pytest.raises(FileRefused, match="empty"):
        check_upload("x.xlsx", 0, b"")


def test_an_upload_over_the_size_limit_is_refused(settings):
    settings.KAM_IMPORT_MAX_BYTES = 1024
    with pytest.raises(FileRefused, match="limit is"):
        check_upload("big.xlsx", 4096, b"PK\x03\x04")


def test_too_many_rows_are_refused_with_the_limit(settings):
    settings.KAM_IMPORT_MAX_ROWS = 50
    rows = [["客户名称", "商机名称", "金额", "预计成交日期"], *[ROW] * 51]
    with pytest.raises(FileRefused, match="50"):
        read_sheet(xlsx(rows), COLUMNS)
    assert len(read_sheet(xlsx(rows[:51]), COLUMNS).rows) == 50


def test_a_hundred_thousand_rows_are_refused_before_they_are_read(settings):
    """The sheet declares its size; 100,000 rows are refused without parsing each one."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["客户名称", "商机名称", "金额", "预计成交日期"])
    for index in range(100_000):
        sheet.append(["甲", f"扩容{index}", 1, "2026-12-31"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(FileRefused, match="20,000"):
        read_sheet(buffer.getvalue(), COLUMNS)
