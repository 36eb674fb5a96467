"""Database-free rules behind the calendar, the ICS feed and the stalled flag."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from kam.activities.calculations import (
    MONTH,
    WEEK,
    CalendarEvent,
    calendar_days,
    ics_calendar,
    ics_fold,
    neighbour,
)
from kam.pipeline.calculations import stall_verdict


def test_month_grid_starts_on_monday_and_covers_the_month():
    weeks = calendar_days(date(2026, 11, 26), MONTH)
    assert weeks[0][0] == date(2026, 10, 26) and weeks[0][0].weekday() == 0
    days = [d for week in weeks for d in week]
    assert date(2026, 11, 1) in days and date(2026, 11, 30) in days
    assert all(len(week) == 7 for week in weeks)


def test_week_grid_and_paging():
    assert calendar_days(date(2026, 11, 26), WEEK) == [
        [date(2026, 11, 23) + timedelta(days=i) for i in range(7)]
    ]
    assert neighbour(date(2026, 12, 15), MONTH, 1) == date(2027, 1, 1)
    assert neighbour(date(2026, 1, 15), MONTH, -1) == date(2025, 12, 1)
    assert neighbour(date(2026, 11, 26), WEEK, -1) == date(2026, 11, 19)


def test_folding_keeps_lines_within_75_octets_without_splitting_characters():
    line = "DESCRIPTION:" + "客户同意安排技术负责人参加方案演示" * 6
    pieces = ics_fold(line)
    assert len(pieces) > 1
    assert all(len(p.encode("utf-8")) <= 75 for p in pieces)
    assert all(p.startswith(" ") for p in pieces[1:])
    assert pieces[0] + "".join(p[1:] for p in pieces[1:]) == line


def test_calendar_is_rfc5545():
    start = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)
    body = ics_calendar(
        [
            CalendarEvent(
                uid="activity-7@kam",
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                stamp=start - timedelta(days=1),
                summary="方案演示 · 上海移动",
                location="总部, 3楼",
                description="目标: 客户同意试点\n第二行; 注意",
            )
        ],
        name="KAM",
    )
    lines = body.split("\r\n")
    assert body.endswith("\r\n") and "\n" not in body.replace("\r\n", "")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    assert "UID:activity-7@kam" in lines
    assert "DTSTART:20261201T013000Z" in lines and "DTEND:20261201T023000Z" in lines
    assert "DTSTAMP:20261130T013000Z" in lines
    assert "LOCATION:总部\\, 3楼" in lines
    assert "DESCRIPTION:目标: 客户同意试点\\n第二行\\; 注意" in lines


def test_stalled_after_two_continuations_or_no_advance_for_n_days():
    today = date(2026, 11, 26)
    recent = today - timedelta(days=3)
    assert stall_verdict(
        last_outcomes=["continuation", "continuation"],
        last_progress=recent,
        today=today,
        stall_days=30,
    ).stalled
    assert not stall_verdict(
        last_outcomes=["continuation", "advance"], last_progress=recent, today=today, stall_days=30
    ).stalled
    assert stall_verdict(
        last_outcomes=[], last_progress=today - timedelta(days=31), today=today, stall_days=30
    ).stalled
    assert not stall_verdict(
        last_outcomes=[], last_progress=today - timedelta(days=30), today=today, stall_days=30
    ).stalled
