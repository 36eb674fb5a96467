"""Which address a request is counted under (sign-in throttling)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from kam.core.client_address import client_address


def _request(remote="127.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_a_proxy_the_forwarded_header_is_ignored(settings):
    settings.KAM_TRUST_PROXY = False
    assert client_address(_request("203.0.113.7", "1.2.3.4")) == "203.0.113.7"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.7", "203.0.113.7"),
        # The client may write anything left of what the proxy appended.
        ("1.2.3.4, 203.0.113.7", "203.0.113.7"),
        ("not-an-address, 203.0.113.7", "203.0.113.7"),
        # A proxy of our own behind the first one is skipped.
        ("203.0.113.7, 10.1.2.3", "203.0.113.7"),
        ("", "127.0.0.1"),
        ("garbage", "127.0.0.1"),
    ],
)
def test_behind_a_proxy_the_first_untrusted_address_from_the_right(settings, forwarded, expected):
    settings.KAM_TRUST_PROXY = True
    settings.KAM_TRUSTED_PROXIES = ["10.1.0.0/16"]
    assert client_address(_request("127.0.0.1", forwarded)) == expected


def test_without_a_header_behind_a_proxy_it_is_the_proxy(settings):
    settings.KAM_TRUST_PROXY = True
    assert client_address(_request("127.0.0.1")) == "127.0.0.1"
