"""Cell normalisation: what Chinese users' spreadsheets hold, read as values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kam.imports.cells import (
    EXCEL_EPOCH,
    CellError,
    clean_text,
    header_key,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_percent,
    split_list,
)

FULL_WIDTH = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")
dates = st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2199, 12, 31))
amounts = st.decimals(
    min_value=Decimal("-999999999999"),
    max_value=Decimal("999999999999"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@given(amounts)
def test_a_number_reads_the_same_however_it_was_typed(amount):
    written = [
        amount,
        str(amount),
        f"{amount:,}",
        f"{amount:,}".translate(FULL_WIDTH),
        f" ¥{amount:,} ",
        f"{amount}元",
        f"\u3000{amount}\u3000",
    ]
    for text in written:
        assert parse_decimal(text) == amount, text


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_integers_and_floats_from_number_cells(number):
    assert parse_decimal(number) == number
    assert parse_decimal(float(number)) == number


def test_a_float_cell_keeps_its_shortest_decimal_form():
    assert parse_decimal(0.1) == Decimal("0.1")
    assert parse_decimal(1234.56) == Decimal("1234.56")


@pytest.mark.parametrize("bad", ["abc", "12abc", "1.2.3", "", "—", float("nan"), True])
def test_what_is_not_a_number_says_so(bad):
    with pytest.raises(CellError):
        parse_decimal(bad)


@given(dates)
def test_a_date_reads_the_same_in_every_form_excel_users_write(day):
    serial = (dt.datetime(day.year, day.month, day.day) - EXCEL_EPOCH).days
    written = [
        day,
        dt.datetime(day.year, day.month, day.day, 9, 30),
        serial,
        float(serial),
        str(serial),
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}.{day.month:02d}.{day.day:02d}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day.year}年{day.month}月{day.day}日".translate(FULL_WIDTH),
        day.isoformat().translate(FULL_WIDTH),
    ]
    for value in written:
        assert parse_date(value) == day, value


@given(dates, st.integers(0, 23), st.integers(0, 59))
def test_a_moment_reads_from_text_and_serial_numbers(day, hour, minute):
    moment = dt.datetime(day.year, day.month, day.day, hour, minute)
    assert parse_datetime(f"{day.isoformat()} {hour}:{minute:02d}") == moment
    assert parse_datetime(f"{day.year}/{day.month}/{day.day} {hour:02d}:{minute:02d}") == moment
    serial = (moment - EXCEL_EPOCH).total_seconds() / 86400
    assert abs(parse_datetime(serial) - moment) < dt.timedelta(seconds=1)


@pytest.mark.parametrize("bad", ["2026-02-30", "tomorrow", "2026-13-01", 10**9, "12/31"])
def test_what_is_not_a_date_says_so(bad):
    with pytest.raises(CellError):
        parse_date(bad)


@given(st.text())
def test_clean_text_is_trimmed_single_spaced_and_stable(value):
    cleaned = clean_text(value)
    assert cleaned == cleaned.strip()
    assert "  " not in cleaned and "\u3000" not in cleaned
    assert clean_text(cleaned) == cleaned


def test_clean_text_keeps_chinese_punctuation():
    assert clean_text("  客户同意，下周  安排演示。 ") == "客户同意，下周 安排演示。"
    assert clean_text(12.0) == "12"


@given(st.sampled_from(["客户名称 / Account name", "Account name", "客户名称"]))
def test_headers_match_with_full_width_letters_and_stray_spaces(header):
    variants = [
        header,
        f"  {header}  ",
        header.replace(" ", "\u3000"),
        header.upper(),
        header.translate(str.maketrans("ACNamceount/", "ＡＣＮａｍｃｅｏｕｎｔ／")),
        f"{header}*",
    ]
    keys = {header_key(v) for v in variants}
    assert len(keys) == 1


@pytest.mark.parametrize(
    "value,expected",
    [("是", True), ("否", False), ("Yes", True), ("N", False), (1, True), ("√", True)],
)
def test_yes_and_no(value, expected):
    assert parse_bool(value) is expected


def test_percentages_from_text_and_percent_cells():
    assert parse_percent("32%") == Decimal("32")
    assert parse_percent("３２．５％") == Decimal("32.5")
    assert parse_percent(0.325) == Decimal("32.5")
    assert parse_percent(40) == Decimal("40")


def test_lists_split_on_chinese_and_western_separators():
    assert split_list("王建国、李明，张三; 赵四") == ["王建国", "李明", "张三", "赵四"]
