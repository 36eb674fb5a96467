"""The one cell writer: text that looks like a formula stays text; numbers and dates stay."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

import kam
from kam.ui import spreadsheets

DANGEROUS = [
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "+1 经理",
    "-2+3",
    "\t制表符开头",
    "\r回车开头",
]


def _saved(values, *, write_only: bool):  # type: ignore[no-untyped-def]
    book = spreadsheets.new_workbook(write_only=write_only)
    sheet = book.create_sheet("values")
    spreadsheets.append(sheet, values)
    content = spreadsheets.workbook_bytes(book)
    return content, load_workbook(BytesIO(content))["values"]


@pytest.mark.parametrize("write_only", [False, True])
def test_text_that_looks_like_a_formula_is_written_as_quoted_text(write_only):
    content, sheet = _saved(DANGEROUS, write_only=write_only)
    cells = list(sheet[1])
    assert [unescape(c.value) for c in cells] == DANGEROUS
    assert [c.data_type for c in cells] == ["s"] * len(DANGEROUS)
    assert all(c.quotePrefix for c in cells)
    with zipfile.ZipFile(BytesIO(content)) as xlsx:
        sheet_xml = next(
            xlsx.read(n).decode() for n in xlsx.namelist() if n.startswith("xl/worksheets/")
        )
        styles_xml = xlsx.read("xl/styles.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    assert sheet_xml.count('t="inlineStr"') == len(DANGEROUS)
    assert 'quotePrefix="1"' in styles_xml


@pytest.mark.parametrize("write_only", [False, True])
def test_plain_text_numbers_and_dates_keep_their_type(write_only):
    values = [
        "华东大区 客户经理",
        "#N/A",
        "a_x0041_b",
        gettext_lazy("Company"),
        Decimal("-1234.50"),
        Decimal("0.25"),
        -7,
        3.5,
        True,
        date(2026, 12, 7),
        datetime(2026, 12, 7, 9, 30),
    ]
    _content, sheet = _saved(values, write_only=write_only)
    cells = list(sheet[1])
    assert [unescape(c.value) for c in cells[:4]] == [
        "华东大区 客户经理",
        "#N/A",
        "a_x0041_b",
        "Company",
    ]
    assert [c.data_type for c in cells[:4]] == ["s"] * 4
    assert not any(c.quotePrefix for c in cells)
    assert [c.value for c in cells[4:9]] == [-1234.5, 0.25, -7, 3.5, True]
    assert [c.data_type for c in cells[4:9]] == ["n", "n", "n", "n", "b"]
    assert cells[9].value == datetime(2026, 12, 7) and cells[9].is_date
    assert cells[10].value == datetime(2026, 12, 7, 9, 30) and cells[10].is_date


def test_put_on_an_existing_cell_and_number_formats():
    book = spreadsheets.new_workbook()
    sheet = book.active
    spreadsheets.put(sheet.cell(row=1, column=1), "=1+1")
    sheet.append([spreadsheets.cell(sheet, Decimal("-5.00"), number_format="#,##0.00")])
    reread = load_workbook(BytesIO(spreadsheets.workbook_bytes(book))).active
    assert (reread["A1"].value, reread["A1"].data_type, reread["A1"].quotePrefix) == (
        "=1+1",
        "s",
        True,
    )
    assert (reread["A2"].value, reread["A2"].number_format) == (-5, "#,##0.00")


def test_no_module_but_the_writer_makes_workbooks_or_sets_cells():
    root = Path(kam.__file__).parent
    writer = root / "ui" / "spreadsheets.py"
    bypass = re.compile(
        r"\.value\s*=[^=]|from openpyxl import .*\bWorkbook\b|WriteOnlyCell|openpyxl\.cell"
    )
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path != writer and bypass.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
