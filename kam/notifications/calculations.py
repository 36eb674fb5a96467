"""Pure rules of notifications: message formats and signing of each platform, when a
delivery is given up, masking of secrets, and the dates events fall on. No database here.

The pause between two tries of a delivery is the background jobs' own
(:func:`kam.jobs.calculations.backoff_delay`): deliveries run as jobs of :mod:`kam.jobs`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlsplit, urlunsplit

#: Tries of one delivery before it is given up (and shown to administrators).
MAX_ATTEMPTS = 4
#: Wait after the first failed try; the background jobs double it for each further one.
FIRST_BACKOFF = timedelta(minutes=1)

WECOM = "wecom"
DINGTALK = "dingtalk"
FEISHU = "feishu"


def gives_up(attempts: int) -> bool:
    return attempts >= MAX_ATTEMPTS


# --- signing --------------------------------------------------------------------


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's "加签": HMAC-SHA256 keyed with the secret over ``timestamp\\nsecret``,
    Base64; the caller URL-encodes it into the ``sign`` query parameter."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def dingtalk_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The bot's address with ``timestamp`` (milliseconds) and ``sign`` added."""
    sign = quote_plus(dingtalk_sign(secret, timestamp_ms))
    joiner = "&" if urlsplit(url).query else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={sign}"


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's signature: HMAC-SHA256 keyed with ``timestamp\\nsecret`` over an empty
    message, Base64; sent in the body with the timestamp (seconds)."""
    key = f"{timestamp_s}\n{secret}".encode()
    digest = hmac.new(key, b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


# --- message formats ------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    link: str = ""


@dataclass(frozen=True)
class WebhookRequest:
    url: str
    payload: dict[str, Any]

    @property
    def data(self) -> bytes:
        return json.dumps(self.payload, ensure_ascii=False).encode()


def _markdown(message: Message, link_label: str) -> str:
    lines = [f"### {message.title}", "", message.body]
    if message.link:
        lines += ["", f"[{link_label}]({message.link})"]
    return "\n".join(lines).strip()


def webhook_request(
    platform: str, url: str, secret: str, message: Message, now: datetime, link_label: str
) -> WebhookRequest:
    """What to POST to the bot: each platform has its own message shape and signing."""
    if platform == WECOM:
        # WeCom group bots are authenticated by the key in their address only.
        return WebhookRequest(
            url, {"msgtype": "markdown", "markdown": {"content": _markdown(message, link_label)}}
        )
    if platform == DINGTALK:
        payload = {
            "msgtype": "markdown",
            "markdown": {"title": message.title, "text": _markdown(message, link_label)},
        }
        if secret:
            url = dingtalk_url(url, secret, int(now.timestamp() * 1000))
        return WebhookRequest(url, payload)
    if platform == FEISHU:
        paragraph: list[dict[str, str]] = [{"tag": "text", "text": message.body}]
        if message.link:
            paragraph.append({"tag": "a", "text": f" {link_label}", "href": message.link})
        body: dict[str, Any] = {
            "msg_type": "post",
            "content": {"post": {"zh_cn": {"title": message.title, "content": [paragraph]}}},
        }
        if secret:
            timestamp = int(now.timestamp())
            body = {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp), **body}
        return WebhookRequest(url, body)
    raise ValueError(platform)


def webhook_answer_ok(platform: str, body: bytes) -> tuple[bool, str]:
    """Whether the bot accepted the message: all three answer HTTP 200 with an error code
    in the body (``errcode`` for WeCom and DingTalk, ``code`` or ``StatusCode`` for Feishu)."""
    try:
        answer = json.loads(body.decode() or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False, "not JSON: " + body[:120].decode(errors="replace")
    if not isinstance(answer, dict):
        return False, "unexpected answer"
    if platform == FEISHU:
        code = answer.get("code", answer.get("StatusCode", 0))
        text = answer.get("msg", answer.get("StatusMessage", ""))
    else:
        code = answer.get("errcode", 0)
        text = answer.get("errmsg", "")
    if code in (0, "0", None):
        return True, ""
    return False, f"{code}: {text}"[:300]


# --- secrets shown back ---------------------------------------------------------

MASK = "••••"


def mask_secret(secret: str) -> str:
    """Enough to recognise a secret, never enough to use it."""
    if not secret:
        return ""
    if len(secret) < 12:
        return MASK
    return f"{MASK}{secret[-4:]}"


def mask_url(url: str) -> str:
    """The bot's address with its access token (a query value) masked."""
    parts = urlsplit(url)
    query = "&".join(
        f"{quote_plus(name)}={mask_secret(value) or MASK}" for name, value in parse_qsl(parts.query)
    )
    path = parts.path
    if not query and len(path) > 16:
        # Feishu puts its token in the path: /open-apis/bot/v2/hook/<token>
        head, _sep, token = path.rpartition("/")
        path = f"{head}/{mask_secret(token) or MASK}"
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


# --- when events fall -------------------------------------------------------------


def next_anniversary(day: date, today: date) -> date:
    """The next time (today included) the day and month of ``day`` come round; 29 February
    falls on 28 February in other years."""
    for year in (today.year, today.year + 1):
        try:
            candidate = day.replace(year=year)
        except ValueError:
            candidate = date(year, 2, 28)
        if candidate >= today:
            return candidate
    raise AssertionError("unreachable")


def installment_reminder_due(due_date: date, reminder_days: int, today: date) -> bool:
    """An installment is announced from ``reminder_days`` before its due date until then."""
    return due_date - timedelta(days=reminder_days) <= today <= due_date


def nearest(candidates: list[tuple[int, int]]) -> list[int]:
    """Of (endpoint id, team depth) pairs — depth -1 for company-wide bots — the ids of the
    deepest level: a person's own team's bots win over their region's and the company's."""
    if not candidates:
        return []
    deepest = max(depth for _id, depth in candidates)
    return sorted(i for i, depth in candidates if depth == deepest)


# --- special days written as text ---------------------------------------------------


@dataclass(frozen=True)
class SpecialDay:
    """A day of the year someone wrote down: 5 March, "生日"."""

    month: int
    day: int
    label: str = ""

    def next_on_or_after(self, today: date) -> date:
        # A leap year, so that 29 February is a real date; next_anniversary moves it on.
        return next_anniversary(date(2000, self.month, self.day), today)


_CN_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_NUMBER = "[一二两三四五六七八九十]{1,3}"
_MONTHS_EN = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_EN = "(" + "|".join(sorted(_MONTHS_EN, key=len, reverse=True)) + r")\.?"
#: Each pattern gives (month, day) groups by name.
_DATE_PATTERNS = [
    # 1980年3月5日, 1980-03-05, 1980/3/5, 1980.03.05
    re.compile(
        r"(?<!\d)\d{4}\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?(?!\d)"
    ),
    # 3月5日, 3月5号, 3 月 5
    re.compile(r"(?<!\d)(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?(?!\d)"),
    # 三月五日, 十二月二十五号
    re.compile(rf"(?P<m>{_CN_NUMBER})\s*月\s*(?P<d>{_CN_NUMBER})\s*[日号]"),
    # 03-05, 3/5 (month first, as ISO and Chinese write it)
    re.compile(r"(?<![\d.])(?P<m>\d{1,2})\s*[-/]\s*(?P<d>\d{1,2})(?![\d.])"),
    # March 5, 5 March, Mar. 5th
    re.compile(rf"\b(?P<m>{_MONTH_EN})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b", re.IGNORECASE),
    re.compile(
        rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{_MONTH_EN})\b", re.IGNORECASE
    ),
]
#: Days counted on the lunar calendar fall on another solar day every year: not guessed.
_LUNAR = re.compile(
    r"农历|阴历|舊曆|旧历|lunar|正月|腊月|冬月|初[一二三四五六七八九十]", re.IGNORECASE
)
_SEPARATORS = re.compile(r"[\n\r;；,，、|]+")
_LABEL_TRIM = " \t:：-—–()（）[]【】<>《》.。·"
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _cn_number(text: str) -> int:
    """一 … 三十一 as a number (0 when it is not one)."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return _CN_DIGITS.get(text, 0) if len(text) == 1 else 0
    tens, _ten, units = text.partition("十")
    if len(tens) > 1 or len(units) > 1:
        return 0
    value = (_CN_DIGITS.get(tens, 0) if tens else 1) * 10
    if tens and not _CN_DIGITS.get(tens):
        return 0
    if units:
        if units not in _CN_DIGITS:
            return 0
        value += _CN_DIGITS[units]
    return value


def _month(text: str) -> int:
    return _MONTHS_EN.get(text.lower().rstrip("."), 0) or _cn_number(text)


def parse_special_days(text: str) -> list[SpecialDay]:
    """The days of the year in free text such as "生日 3月5日；结婚纪念日 2010-10-01；03-05",
    each with what the writer called it (§2.2: special days and anniversaries).

    Chinese (3月5日, 三月五日, 1980年3月5日), ISO (03-05, 1980-03-05) and English (March 5)
    forms are read, month first; parts on the lunar calendar (农历…) and anything else
    that is not a real day of the year are skipped. Never raises.
    """
    found: list[SpecialDay] = []
    if not isinstance(text, str):
        return found
    normal = unicodedata.normalize("NFKC", text)
    for part in _SEPARATORS.split(normal):
        if not part.strip() or _LUNAR.search(part):
            continue
        days: list[tuple[int, int]] = []
        rest = part
        for pattern in _DATE_PATTERNS:
            for match in pattern.finditer(rest):
                month, day = _month(match.group("m")), _cn_number(match.group("d"))
                if 1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1]:
                    days.append((month, day))
            rest = pattern.sub(" ", rest)
        label = " ".join(rest.split()).strip(_LABEL_TRIM)
        for month, day in days:
            entry = SpecialDay(month, day, label)
            if entry not in found:
                found.append(entry)
    return found
