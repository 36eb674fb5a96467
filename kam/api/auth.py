"""API tokens: obtain with user name and password, send as ``Authorization: Token …``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kam.core.client_address import client_address
from kam.core.services import auth as auth_service


class LockedOut(exceptions.APIException):
    status_code = 429
    default_code = "locked_out"

    def __init__(self, detail: str, *, wait: int) -> None:
        super().__init__(detail)
        # DRF's exception handler turns this into a Retry-After header.
        self.wait = wait


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
        address = client_address(request)
        lock = auth_service.lockout(username, address)
        if lock is not None:
            raise LockedOut(lock.message(), wait=lock.seconds_left())
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            if username.strip():
                auth_service.record_failure(username, address)
            raise exceptions.ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        auth_service.record_success(username, address)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
