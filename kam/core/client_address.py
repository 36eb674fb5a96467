"""The address a request came from, as far as KAM can trust it.

Written here rather than taken from django-ipware: the rule is a few lines, and
that library prefers public addresses by default, which is wrong for a
self-hosted system whose users sit on the company's private network.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return any(
        address in ipaddress.ip_network(network.strip(), strict=False)
        for network in settings.KAM_TRUSTED_PROXIES
    )


def client_address(request: Any) -> str | None:
    """REMOTE_ADDR; behind a proxy (``KAM_TRUST_PROXY``), the first untrusted address of
    X-Forwarded-For read from the right.

    Each proxy appends the address it received the request from, so the right end of
    the header was written by proxies KAM trusts (the one that connected, and those in
    ``KAM_TRUSTED_PROXIES`` behind it) and everything left of the first other address
    may be made up by the client.
    """
    if request is None:
        return None
    remote = str(request.META.get("REMOTE_ADDR") or "")
    remote_address = _address(remote)
    if remote_address is None:
        return None
    if not settings.KAM_TRUST_PROXY:
        return str(remote_address)
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
    client = remote_address
    for part in reversed(forwarded):
        address = _address(part)
        if address is None:
            break
        client = address
        if not _trusted(address):
            break
    return str(client)
