"""Pure rules of notifications: message formats and signing of each platform, retry
backoff, masking of secrets, and the dates events fall on. No database here."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlsplit, urlunsplit

#: Tries of one delivery before it is given up (and shown to administrators).
MAX_ATTEMPTS = 4
#: Wait after the first failed try; each further wait is BACKOFF_FACTOR times longer.
FIRST_BACKOFF = timedelta(minutes=1)
BACKOFF_FACTOR = 5

WECOM = "wecom"
DINGTALK = "dingtalk"
FEISHU = "feishu"


def backoff(attempts: int) -> timedelta:
    """How long to wait after ``attempts`` failed tries: 1, 5, 25 minutes…"""
    return FIRST_BACKOFF * (BACKOFF_FACTOR ** max(attempts - 1, 0))


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
