"""API tokens: sign in with user name and password for a new token, send it as
``Authorization: Token …``, list and revoke tokens.

The tokens are django-rest-knox's (stored hashed, with an expiry); KAM issues and
revokes them through :mod:`kam.core.services.tokens`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kam.core.client_address import client_address
from kam.core.http import request_user
from kam.core.models import ApiToken, Interface, User
from kam.core.services import auth as auth_service
from kam.core.services import tokens as token_services
from kam.core.visibility import visible_api_tokens

# The largest id either database stores in an integer column.
MAX_ID = 2**31 - 1


class LockedOut(exceptions.APIException):
    status_code = 429
    default_code = "locked_out"

    def __init__(self, detail: str, *, wait: int) -> None:
        super().__init__(detail)
        # DRF's exception handler turns this into a Retry-After header.
        self.wait = wait


class SignInSerializer(serializers.Serializer):
    username = serializers.CharField(label=gettext_lazy("User name"), max_length=150)
    password = serializers.CharField(
        label=gettext_lazy("Password"),
        style={"input_type": "password"},
        trim_whitespace=False,
        max_length=4096,
    )
    name = serializers.CharField(
        label=gettext_lazy("Token name"),
        help_text=gettext_lazy("Tells your tokens apart in the list, e.g. “ERP integration”."),
        max_length=token_services.NAME_MAX_LENGTH,
        required=False,
        allow_blank=True,
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = authenticate(
            request=self.context.get("request"),
            username=attrs["username"],
            password=attrs["password"],
        )
        if user is None:
            raise serializers.ValidationError(
                _("Unable to sign in with this user name and password."), code="authorization"
            )
        attrs["user"] = user
        return attrs


class ApiTokenSerializer(serializers.ModelSerializer):
    """A token as its owner and administrators see it: never the key itself."""

    token_key = serializers.CharField(
        source="auth_token.token_key",
        read_only=True,
        help_text=gettext_lazy("The first characters of the key, to recognise it."),
    )
    user = serializers.IntegerField(source="auth_token.user_id", read_only=True)
    user_name = serializers.CharField(source="auth_token.user.username", read_only=True)
    created = serializers.DateTimeField(source="auth_token.created", read_only=True)
    expiry = serializers.DateTimeField(source="auth_token.expiry", read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "token_key", "user", "user_name", "created", "expiry"]
        read_only_fields = fields


class IssuedTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(
        read_only=True,
        help_text=gettext_lazy(
            "The key: shown this once, send it as “Authorization: Token <key>”."
        ),
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = ["token", *ApiTokenSerializer.Meta.fields]
        read_only_fields = fields


class ObtainTokenView(APIView):
    """Exchange a user name and password for a new API token (throttled like the login page).

    Every call makes a new token, valid ``KAM_API_TOKEN_DAYS`` days; the answer carries
    its key, which KAM never shows again, and its expiry.
    """

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    serializer_class = SignInSerializer

    @extend_schema(request=SignInSerializer, responses=IssuedTokenSerializer)
    def post(self, request: Request) -> Response:
        # A JSON body may be a list; only a mapping can carry a user name.
        data = request.data
        username = str(data.get("username", "")) if isinstance(data, dict) else ""
        address = client_address(request)
        lock = auth_service.lockout(username, address)
        if lock is not None:
            raise LockedOut(lock.message(), wait=lock.seconds_left())
        serializer = SignInSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            if username.strip():
                auth_service.record_failure(username, address)
            raise exceptions.ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        auth_service.record_success(username, address)
        token, key = token_services.issue_token(
            user, name=serializer.validated_data.get("name", ""), via=Interface.API
        )
        body = dict(ApiTokenSerializer(token).data)
        return Response({"token": key, **body})


class RevokeAllSerializer(serializers.Serializer):
    user = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text=gettext_lazy("Whose tokens (administrators only); yours when left out."),
    )


class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Your live API tokens (an administrator's: everyone's, ``?user=`` for one person's).

    Nobody learns of another person's tokens unless an administrator: they answer 404.
    """

    serializer_class = ApiTokenSerializer

    def _actor(self) -> User:
        return request_user(self.request)

    def get_queryset(self) -> QuerySet[ApiToken]:
        tokens = visible_api_tokens(self._actor())
        raw = self.request.query_params.get("user")
        if self.action == "list" and raw not in (None, ""):
            field = serializers.IntegerField(min_value=1, max_value=MAX_ID)
            try:
                owner = field.run_validation(raw)
            except serializers.ValidationError as error:
                raise serializers.ValidationError({"user": error.detail}) from None
            tokens = tokens.filter(auth_token__user_id=owner)
        return tokens.order_by("-auth_token__created", "-pk")

    @extend_schema(
        parameters=[
            OpenApiParameter("user", int, description="Only this person's tokens."),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="Revoke one token")
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance: ApiToken) -> None:
        token_services.revoke_token(instance, by=self._actor(), via=Interface.API)

    @extend_schema(
        request=RevokeAllSerializer,
        responses=inline_serializer("RevokedTokens", {"revoked": serializers.IntegerField()}),
        summary="Revoke every token of a person (yours, the one in use included)",
    )
    @action(detail=False, methods=["post"], url_path="revoke-all")
    def revoke_all(self, request: Request) -> Response:
        actor = self._actor()
        serializer = RevokeAllSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        owner_id = serializer.validated_data.get("user", actor.pk)
        owner = get_object_or_404(User, pk=owner_id)
        if not token_services.can_manage_tokens_of(actor, owner):
            raise Http404
        revoked = token_services.revoke_all_tokens(owner, by=actor, via=Interface.API)
        return Response({"revoked": revoked})
