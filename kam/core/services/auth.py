"""Sign-in throttling that nobody can turn into a lockout of someone else.

Three limits, each over its own sliding window of failed sign-ins:

- per (user name, client address): the everyday limit; a wrong password typed
  a few times from one place stops that pair for a while;
- per client address, whatever the names: one address cannot spray names;
- per user name, from all addresses: higher and over a longer window, so only
  a guess spread over many addresses reaches it, never one address alone
  (one address is stopped by the pair limit long before).

A refused attempt is not counted: the password is not even checked, so it
teaches an attacker nothing and cannot push the lock further out.
Failures are rows in the database, so every app server sees the same count.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kam.core.models import LoginFailure


class Limit(enum.Enum):
    PAIR = "pair"
    ADDRESS = "address"
    NAME = "name"


@dataclass(frozen=True)
class Lockout:
    """Why sign-in is refused now, and from when it is allowed again."""

    limit: Limit
    until: datetime

    def minutes_left(self, now: datetime | None = None) -> int:
        seconds = (self.until - (now or timezone.now())).total_seconds()
        return max(1, -(-int(seconds) // 60))

    def seconds_left(self, now: datetime | None = None) -> int:
        return max(1, int((self.until - (now or timezone.now())).total_seconds()) + 1)

    def message(self) -> str:
        """Why signing in is refused and when to retry: a clock time in the active time
        zone and the minutes left; the same words on the sign-in page and in the API."""
        reasons = {
            Limit.PAIR: _("Too many failed sign-in attempts for this user from your address."),
            Limit.ADDRESS: _("Too many failed sign-in attempts from your address."),
            Limit.NAME: _("Too many failed sign-in attempts for this user."),
        }
        minutes = self.minutes_left()
        retry = ngettext(
            "Try again after %(time)s (in %(minutes)s minute).",
            "Try again after %(time)s (in %(minutes)s minutes).",
            minutes,
        ) % {"time": formats.time_format(timezone.localtime(self.until), "H:i"), "minutes": minutes}
        # Chinese joins sentences without a space.
        return _("%(reason)s %(retry)s") % {"reason": reasons[self.limit], "retry": retry}


def _rules() -> list[tuple[Limit, int, int]]:
    """(limit, failures allowed, window in minutes), as configured."""
    return [
        (Limit.PAIR, settings.KAM_LOGIN_PAIR_FAILURES, settings.KAM_LOGIN_PAIR_MINUTES),
        (Limit.ADDRESS, settings.KAM_LOGIN_ADDRESS_FAILURES, settings.KAM_LOGIN_ADDRESS_MINUTES),
        (Limit.NAME, settings.KAM_LOGIN_NAME_FAILURES, settings.KAM_LOGIN_NAME_MINUTES),
    ]


def _normal(username: str) -> str:
    return username.strip()[:150]


def _address_filter(address: str | None) -> Q:
    return Q(ip_address=address) if address else Q(ip_address__isnull=True)


def _failures(limit: Limit, username: str, address: str | None) -> QuerySet[LoginFailure]:
    if limit is Limit.ADDRESS:
        return LoginFailure.objects.filter(_address_filter(address))
    by_name = LoginFailure.objects.filter(username__iexact=_normal(username))
    if limit is Limit.NAME:
        return by_name
    return by_name.filter(_address_filter(address))


def lockout(username: str, address: str | None) -> Lockout | None:
    """The lock that refuses signing in as ``username`` from ``address`` now, if any.

    When several limits are reached, the one that lasts longest is returned: it
    says when signing in works again.
    """
    now = timezone.now()
    found: Lockout | None = None
    for limit, allowed, minutes in _rules():
        if limit is not Limit.ADDRESS and not _normal(username):
            continue
        window = timedelta(minutes=minutes)
        # The failure that has to leave the window before the count drops under the limit.
        blocking = (
            _failures(limit, username, address)
            .filter(at__gte=now - window)
            .order_by("-at")
            .values_list("at", flat=True)[allowed - 1 : allowed]
        )
        oldest = next(iter(blocking), None)
        if oldest is None:
            continue
        lock = Lockout(limit, oldest + window)
        if found is None or lock.until > found.until:
            found = lock
    return found


def record_failure(username: str, address: str | None) -> None:
    """Count a wrong user name or password; forget failures older than every window."""
    LoginFailure.objects.create(username=_normal(username), ip_address=address or None)
    longest = max(minutes for _limit, _allowed, minutes in _rules())
    LoginFailure.objects.filter(at__lt=timezone.now() - timedelta(minutes=longest)).delete()


def record_success(username: str, address: str | None) -> None:
    """Forget the failures of this name from this address.

    Failures of the same name from other addresses stay (signing in here does not
    excuse a guess made elsewhere), and so do this address's failures for other
    names (one's own account must not reset a spray).
    """
    _failures(Limit.PAIR, username, address).delete()


def password_reset_allowed(address: str | None) -> bool:
    """Count one password-reset request from ``address``; False once it asked too often.

    The count is a fixed window in the shared cache (a database table), enough to
    stop one address from mailing the whole user list.
    """
    key = f"kam:password-reset:{address or '-'}"
    timeout = settings.KAM_PASSWORD_RESET_REQUEST_MINUTES * 60
    cache.add(key, 0, timeout)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout)
        count = 1
    return count <= settings.KAM_PASSWORD_RESET_REQUESTS
