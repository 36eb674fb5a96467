"""Special days written as free text on a person's page: what is read, what is skipped."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kam.notifications.calculations import SpecialDay, parse_special_days

LABELS = st.sampled_from(["生日", "结婚纪念日", "女儿生日", "入职纪念日", "Birthday", ""])
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2000, 12, 31))  # a leap year
WRITTEN = [
    lambda d: f"{d.month}月{d.day}日",
    lambda d: f"{d.month}月{d.day}号",
    lambda d: f"{d.month:02d}-{d.day:02d}",
    lambda d: f"{d.month}/{d.day}",
    lambda d: f"1985年{d.month}月{d.day}日",
    lambda d: f"1985-{d.month:02d}-{d.day:02d}",
    lambda d: f"1985.{d.month}.{d.day}",
    lambda d: f"{d:%B} {d.day}",
    lambda d: f"{d.day} {d:%b}",
    # Full-width digits, as a Chinese input method types them.
    lambda d: f"{d.month}月{d.day}日".translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("生日 3月5日", [SpecialDay(3, 5, "生日")]),
        ("03-05", [SpecialDay(3, 5)]),
        ("结婚纪念日：2010-10-01", [SpecialDay(10, 1, "结婚纪念日")]),
        ("女儿生日 十二月二十五日", [SpecialDay(12, 25, "女儿生日")]),
        ("生日 3月5日；入职纪念日 9/1", [SpecialDay(3, 5, "生日"), SpecialDay(9, 1, "入职纪念日")]),
        (
            "Birthday: March 5th\nwedding 5 June",
            [SpecialDay(3, 5, "Birthday"), SpecialDay(6, 5, "wedding")],
        ),
        ("农历八月十五 中秋", []),
        ("生日（阴历）三月初五", []),
        ("2月30日", []),
        ("13-45", []),
        ("手机 138-0000-0000", []),
        ("喜欢打高尔夫", []),
        ("", []),
        ("2月29日 生日", [SpecialDay(2, 29, "生日")]),
    ],
)
def test_common_ways_of_writing_a_day(text, expected):
    assert parse_special_days(text) == expected


@given(st.text())
def test_any_text_is_read_without_failing_and_only_real_days_come_out(text):
    for found in parse_special_days(text):
        date(2000, found.month, found.day)  # a real day of the year


@given(DAYS, LABELS, st.sampled_from(WRITTEN))
def test_a_day_written_any_common_way_is_read_back(day, label, written):
    text = f"{label} {written(day)}".strip()
    assert parse_special_days(text) == [SpecialDay(day.month, day.day, label)]


@given(
    st.lists(st.tuples(DAYS, LABELS), min_size=1, max_size=5), st.sampled_from(["；", "\n", "，"])
)
def test_a_list_of_days_gives_each_of_them(entries, separator):
    text = separator.join(f"{label} {d.month}月{d.day}日" for d, label in entries)
    found = parse_special_days(text)
    for d, label in entries:
        assert SpecialDay(d.month, d.day, label) in found


@given(DAYS, st.sampled_from(["农历", "阴历", "lunar "]))
def test_lunar_days_are_skipped(day, prefix):
    assert parse_special_days(f"生日 {prefix}{day.month}月{day.day}日") == []


@given(DAYS, st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31)))
def test_the_next_time_a_day_comes_round(day, today):
    upcoming = SpecialDay(day.month, day.day).next_on_or_after(today)
    assert today <= upcoming < today + timedelta(days=367)
