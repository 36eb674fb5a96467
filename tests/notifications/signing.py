"""The group bots' signatures computed by their platforms' documented steps, written
independently of kam.notifications.calculations so the tests check KAM against them."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote_plus


def documented_dingtalk_signature(secret: str, timestamp: str) -> str:
    """DingTalk: timestamp + "\\n" + secret signed with HmacSHA256 (the secret as key),
    Base64 (the address carries it URL-encoded, see :func:`documented_dingtalk_sign`)."""
    string_to_sign = f"{timestamp}\n{secret}".encode()
    code = hmac.new(secret.encode("utf-8"), string_to_sign, digestmod=hashlib.sha256).digest()
    return base64.b64encode(code).decode()


def documented_dingtalk_sign(secret: str, timestamp: str) -> str:
    """The signature as it stands in the address: URL-encoded."""
    return quote_plus(documented_dingtalk_signature(secret, timestamp))


def documented_feishu_sign(secret: str, timestamp: str) -> str:
    """Feishu: timestamp + "\\n" + secret is the HMAC key over an empty message, Base64."""
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", digestmod=hashlib.sha256).digest()).decode()
