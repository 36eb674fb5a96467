"""Request types whose ``user`` is a signed-in KAM user, so views need no casts.

Every page and API operation except sign-in requires a signed-in user (the login
middleware and DRF's ``IsAuthenticated``), so inside a view ``request.user`` is a
:class:`~kam.core.models.User`, not ``User | AnonymousUser``. Annotating the view's
request with these types says so to the type checker once, instead of a cast or a
``type: ignore`` at each use.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from rest_framework.request import Request

from kam.core.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A page request from a signed-in user."""

    user: User


class AuthenticatedRequest(Request):
    """An API request from a signed-in user (token or session)."""

    user: User


def request_user(request: HttpRequest | Request) -> User:
    """The signed-in user of a request (the views' and serializers' one way to ask)."""
    user: Any = request.user
    return user


def serializer_user(serializer: Any) -> User:
    """The signed-in user of the request a serializer works for."""
    return request_user(serializer.context["request"])
