"""Periods and weeks: what people type, and a clear error for anything else."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from kam.core.params import ParameterOutOfRange
from kam.forecasting.periods import MONTH, QUARTER, YEAR, Period, Week, parse_period, parse_week


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-11", date(2026, 11, 1), date(2026, 11, 30)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        (" 2026-2 ", date(2026, 2, 1), date(2026, 2, 28)),
    ],
)
def test_parses_years_quarters_and_months(text, start, end):
    period = parse_period(text)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("text", ["", "2026-Q5", "2026-13", "26", "next quarter", "2026-00"])
def test_refuses_what_is_not_a_period_with_a_clear_message(text):
    with pytest.raises(ValidationError) as error:
        parse_period(text)
    assert "2026-Q4" in error.value.messages[0]


@pytest.mark.parametrize("text", ["0999", "0001", "9999", "9999-Q4", "9999-12", "2201-01"])
def test_a_year_kam_does_not_support_is_refused_by_name(text):
    with pytest.raises(ParameterOutOfRange) as error:
        parse_period(text)
    assert error.value.name == "period"
    assert "1900" in error.value.message and "2200" in error.value.message


@pytest.mark.parametrize("text", ["9999-W52", "0001-W01", "1899-W10"])
def test_a_week_of_a_year_kam_does_not_support_is_refused_by_name(text):
    with pytest.raises(ParameterOutOfRange) as error:
        parse_week(text)
    assert error.value.name == "week"


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)),
    st.sampled_from([MONTH, QUARTER, YEAR]),
)
def test_a_period_contains_its_day_and_its_key_parses_back(day, kind):
    period = Period.of(kind, day)
    assert period.contains(day)
    assert parse_period(period.key) == period
    assert period.next().start == period.end + timedelta(days=1)
    assert period.previous().end < period.start < period.next().start


def test_quarter_months():
    assert [m.key for m in parse_period("2026-Q4").months()] == ["2026-10", "2026-11", "2026-12"]


def test_iso_weeks():
    week = parse_week("2026-W48")
    assert week.monday == date(2026, 11, 23) and week.sunday == date(2026, 11, 29)
    assert Week.of(date(2026, 11, 25)) == week and week.key == "2026-W48"
    assert parse_week("2020-W53").monday == date(2020, 12, 28)
    for bad in ("2026-W54", "2026-48", "W48", "2021-W53"):
        with pytest.raises(ValidationError, match="2026-W47"):
            parse_week(bad)
