"""Pure rules about activities (DOMAIN.md §4): is an objective a customer action?"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.utils.translation import gettext_lazy as _

MIN_OBJECTIVE_LENGTH = 6

# Objectives that name what *we* do, or nothing at all: §4 wants what the customer will do.
VAGUE_OBJECTIVES = {
    "拜访",
    "拜访客户",
    "沟通",
    "交流",
    "跟进",
    "了解情况",
    "了解需求",
    "建立关系",
    "维护关系",
    "介绍产品",
    "推进项目",
    "见面",
    "visit",
    "visit the customer",
    "follow up",
    "follow-up",
    "discuss",
    "meeting",
    "build rapport",
    "build relationship",
    "introduce our products",
    "present",
    "catch up",
    "check in",
}
OUR_ACTION_PREFIXES = (
    "拜访",
    "介绍",
    "了解",
    "沟通",
    "跟进",
    "交流",
    "汇报",
    "visit",
    "introduce",
    "present",
    "follow up",
    "discuss",
    "learn",
    "talk",
    "meet",
)
CUSTOMER_ACTION_MARKERS = (
    "客户",
    "对方",
    "同意",
    "确认",
    "安排",
    "提供",
    "签",
    "批准",
    "参加",
    "引荐",
    "发出",
    "启动",
    "customer",
    "client",
    "agree",
    "will ",
    "confirm",
    "sign",
    "arrange",
    "provide",
    "approve",
    "introduce us",
    "commit",
    "schedule",
)

EXAMPLES = [
    _("The customer agrees to a solution demo for its technical team next week."),
    _("The IT director introduces us to the deputy general manager."),
    _("The customer provides the current network topology and capacity data."),
    _("The customer confirms the pilot scope by Friday."),
    _("The customer sends a formal request for quotation."),
]


def objective_problem(text: str | None) -> str | None:
    """Why ``text`` is not a usable objective (§4), or None when it is one.

    An objective is the action the customer will take when the activity ends:
    specific, a result not an action of ours.
    """
    cleaned = " ".join((text or "").split())
    if not cleaned:
        return str(_("State the objective: what the customer will do when the activity ends."))
    lowered = cleaned.lower().rstrip("。.!！")
    if lowered in VAGUE_OBJECTIVES or len(cleaned) < MIN_OBJECTIVE_LENGTH:
        return str(
            _(
                "This objective is too vague. Say what the customer will do, e.g. "
                "“The customer agrees to a solution demo next week”."
            )
        )
    mentions_customer = any(marker in lowered for marker in CUSTOMER_ACTION_MARKERS)
    if lowered.startswith(OUR_ACTION_PREFIXES) and not mentions_customer:
        return str(
            _(
                "This describes what we will do. State the action the customer will take, "
                "e.g. “The customer agrees to …”."
            )
        )
    return None


# --- calendar grid ----------------------------------------------------------------------------

MONTH = "month"
WEEK = "week"


def calendar_days(anchor: date, span: str) -> list[list[date]]:
    """The weeks (Monday first) a month or week view shows around ``anchor``."""
    if span == WEEK:
        monday = anchor - timedelta(days=anchor.weekday())
        return [[monday + timedelta(days=i) for i in range(7)]]
    return calendar.Calendar(firstweekday=0).monthdatescalendar(anchor.year, anchor.month)


def neighbour(anchor: date, span: str, step: int) -> date:
    """The anchor of the previous (``step=-1``) or next (``step=1``) month or week."""
    if span == WEEK:
        return anchor + timedelta(weeks=step)
    month_index = anchor.year * 12 + anchor.month - 1 + step
    return date(month_index // 12, month_index % 12 + 1, 1)


# --- ICS feed (RFC 5545) ---------------------------------------------------------------------

ICS_LINE_OCTETS = 75


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    starts_at: datetime
    ends_at: datetime
    stamp: datetime
    summary: str
    location: str = ""
    description: str = ""
    status: str = "CONFIRMED"
    #: A whole day (a task's due date): written as DATE values, ``ends_at`` exclusive.
    all_day: bool = False


def ics_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11)."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def ics_fold(line: str) -> list[str]:
    """Split one content line into lines of at most 75 octets, never inside a UTF-8
    character; continuation lines start with a space (RFC 5545 §3.1)."""
    pieces: list[str] = []
    current = ""
    size = 0
    limit = ICS_LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            current, size = " ", 1
        current += char
        size += width
    pieces.append(current)
    return pieces


def ics_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def ics_calendar(events: Iterable[CalendarEvent], *, name: str) -> str:
    """A VCALENDAR with one VEVENT per event, times in UTC, CRLF line ends."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//KAM//Activities//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_text(name)}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{ics_utc(event.stamp)}",
            *(
                [
                    f"DTSTART;VALUE=DATE:{event.starts_at:%Y%m%d}",
                    f"DTEND;VALUE=DATE:{event.ends_at:%Y%m%d}",
                ]
                if event.all_day
                else [f"DTSTART:{ics_utc(event.starts_at)}", f"DTEND:{ics_utc(event.ends_at)}"]
            ),
            f"SUMMARY:{ics_text(event.summary)}",
        ]
        if event.location:
            lines.append(f"LOCATION:{ics_text(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{ics_text(event.description)}")
        lines += [f"STATUS:{event.status}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(f"{piece}\r\n" for line in lines for piece in ics_fold(line))
