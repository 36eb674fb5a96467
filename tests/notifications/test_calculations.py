"""The pure rules: each platform's format and signing, backoff, masking, dates."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from kam.notifications import calculations as calc
from kam.notifications.calculations import Message
from tests.notifications.signing import documented_dingtalk_sign, documented_feishu_sign

NOW = datetime(2026, 11, 26, 1, 2, 3, tzinfo=UTC)
MESSAGE = Message("拜访提醒", "目标:客户同意安排技术演示", "https://kam.example/activities/1/")


def test_dingtalk_signs_the_address_with_millisecond_timestamp_and_sign():
    secret = "SEC1234567890abcdef"
    request = calc.webhook_request(
        calc.DINGTALK,
        "https://oapi.dingtalk.com/robot/send?access_token=abc",
        secret,
        MESSAGE,
        NOW,
        "打开",
    )
    query = parse_qs(urlsplit(request.url).query)
    timestamp = query["timestamp"][0]
    assert timestamp == str(int(NOW.timestamp() * 1000))
    assert query["access_token"] == ["abc"]
    # parse_qs decodes once; the documented value is URL-encoded once.
    raw_sign = urlsplit(request.url).query.split("sign=")[1]
    assert raw_sign == documented_dingtalk_sign(secret, timestamp)
    assert request.payload["msgtype"] == "markdown"
    assert request.payload["markdown"]["title"] == "拜访提醒"
    assert "[打开](https://kam.example/activities/1/)" in request.payload["markdown"]["text"]


def test_dingtalk_without_a_secret_is_not_signed():
    request = calc.webhook_request(
        calc.DINGTALK, "https://x.example/send?access_token=a", "", MESSAGE, NOW, "打开"
    )
    assert "sign=" not in request.url and "timestamp=" not in request.url


def test_feishu_signs_in_the_body_with_second_timestamp():
    secret = "feishu-secret-xyz"
    request = calc.webhook_request(
        calc.FEISHU, "https://open.feishu.cn/open-apis/bot/v2/hook/t", secret, MESSAGE, NOW, "打开"
    )
    body = request.payload
    assert body["timestamp"] == str(int(NOW.timestamp()))
    assert body["sign"] == documented_feishu_sign(secret, body["timestamp"])
    assert body["msg_type"] == "post"
    post = body["content"]["post"]["zh_cn"]
    assert post["title"] == "拜访提醒"
    assert {"tag": "a", "text": " 打开", "href": MESSAGE.link} in post["content"][0]
    assert request.url == "https://open.feishu.cn/open-apis/bot/v2/hook/t"


def test_feishu_without_a_secret_carries_no_signature():
    body = calc.webhook_request(
        calc.FEISHU, "https://f.example/hook/t", "", MESSAGE, NOW, "打开"
    ).payload
    assert "sign" not in body and "timestamp" not in body


def test_wecom_sends_markdown_content_and_needs_no_signature():
    request = calc.webhook_request(
        calc.WECOM,
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
        "ignored",
        MESSAGE,
        NOW,
        "打开",
    )
    assert request.url.endswith("key=k")
    assert request.payload["msgtype"] == "markdown"
    assert request.payload["markdown"]["content"].startswith("### 拜访提醒")
    assert json.loads(request.data.decode())["markdown"]["content"]


def test_answers_with_an_error_code_are_failures():
    assert calc.webhook_answer_ok(calc.DINGTALK, b'{"errcode":0,"errmsg":"ok"}') == (True, "")
    ok, error = calc.webhook_answer_ok(
        calc.WECOM, b'{"errcode":93000,"errmsg":"invalid webhook url"}'
    )
    assert not ok and "93000" in error
    assert calc.webhook_answer_ok(calc.FEISHU, b'{"code":0,"msg":"success"}')[0]
    assert not calc.webhook_answer_ok(calc.FEISHU, b'{"code":19021,"msg":"sign match fail"}')[0]
    assert not calc.webhook_answer_ok(calc.FEISHU, b"<html>bad gateway</html>")[0]


def test_a_delivery_is_given_up_after_its_last_attempt():
    assert not calc.gives_up(calc.MAX_ATTEMPTS - 1) and calc.gives_up(calc.MAX_ATTEMPTS)


@given(st.text(min_size=12, max_size=60))
def test_a_masked_secret_never_shows_the_secret(secret):
    masked = calc.mask_secret(secret)
    assert secret not in masked
    assert masked.endswith(secret[-4:])


def test_masked_addresses_hide_the_access_token():
    assert "abcdef123456" not in calc.mask_url(
        "https://oapi.dingtalk.com/robot/send?access_token=abcdef123456xyz"
    )
    assert "0f1e2d3c4b5a" not in calc.mask_url(
        "https://open.feishu.cn/open-apis/bot/v2/hook/0f1e2d3c4b5a6978"
    )
    assert calc.mask_url(
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx"
    ).startswith("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=")


@given(
    st.dates(min_value=date(1940, 1, 1), max_value=date(2010, 12, 31)),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31)),
)
def test_next_anniversary_is_the_coming_one(birthday, today):
    day = calc.next_anniversary(birthday, today)
    assert today <= day < today + timedelta(days=367)
    assert day.month == birthday.month or (birthday.month, birthday.day, day.day) == (2, 29, 28)


def test_installment_reminder_window():
    due = date(2026, 12, 10)
    assert not calc.installment_reminder_due(due, 7, date(2026, 12, 2))
    assert calc.installment_reminder_due(due, 7, date(2026, 12, 3))
    assert calc.installment_reminder_due(due, 7, due)
    assert not calc.installment_reminder_due(due, 7, date(2026, 12, 11))


def test_the_nearest_team_bots_win():
    assert calc.nearest([(1, -1), (2, 0), (3, 1), (4, 1)]) == [3, 4]
    assert calc.nearest([(1, -1)]) == [1]
    assert calc.nearest([]) == []
