"""API tokens: obtain with user name and password, send as ``Authorization: Token …``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kam.core.services import auth as auth_service


class LockedOut(exceptions.APIException):
    status_code = 429
    default_code = "locked_out"


class ObtainTokenView(APIView):
    """Exchange a user name and password for an API token (throttled like the login page)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    serializer_class = AuthTokenSerializer

    @extend_schema(
        request=AuthTokenSerializer,
        responses=inline_serializer("Token", {"token": serializers.CharField()}),
    )
    def post(self, request: Request) -> Response:
        # A JSON body may be a list; only a mapping can carry a user name.
        data = request.data
        username = str(data.get("username", "")) if isinstance(data, dict) else ""
        if username and auth_service.is_locked_out(username):
            raise LockedOut(
                _(
                    "Too many failed sign-in attempts for this user. Try again in %(minutes)s "
                    "minutes or ask an administrator."
                )
                % {"minutes": settings.KAM_LOGIN_LOCKOUT_MINUTES}
            )
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            if username:
                auth_service.record_failure(username, request.META.get("REMOTE_ADDR"))
            raise exceptions.ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        auth_service.clear_failures(username)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
