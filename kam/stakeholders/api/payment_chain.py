"""The customer's payment approval chain in the API, addressed by account id (§6)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from kam.accounts.models import Account
from kam.accounts.visibility import visible_accounts
from kam.core.http import AuthenticatedRequest, request_user
from kam.stakeholders import selectors, services
from kam.stakeholders.api.common import API
from kam.stakeholders.models import Contact


class ApprovalStepSerializer(serializers.Serializer):
    position = serializers.IntegerField(read_only=True)
    contact = serializers.IntegerField(source="contact_id")
    name = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    department = serializers.CharField(read_only=True)
    has_left = serializers.BooleanField(read_only=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class PaymentChainSerializer(serializers.Serializer):
    """An account's payment approval path, first approver first (§6)."""

    account = serializers.IntegerField(read_only=True)
    steps = ApprovalStepSerializer(many=True)
    expected = serializers.ListField(
        child=serializers.IntegerField(),
        write_only=True,
        required=False,
        help_text=_(
            "The person ids of the chain you loaded, in order; a chain changed "
            "meanwhile answers 409."
        ),
    )


class PaymentChainViewSet(viewsets.GenericViewSet):
    """The customer's payment approval chain, addressed by account id."""

    serializer_class = PaymentChainSerializer

    def get_queryset(self) -> QuerySet[Account]:
        return visible_accounts(request_user(self.request)).order_by("pk")

    def _chain(self, account: Account) -> dict[str, Any]:
        steps = selectors.payment_approval_chain(request_user(self.request), account)
        return {"account": account.pk, "steps": steps}

    @extend_schema(responses=PaymentChainSerializer)
    def retrieve(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return Response(PaymentChainSerializer(self._chain(self.get_object())).data)

    @extend_schema(request=PaymentChainSerializer, responses=PaymentChainSerializer)
    def update(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        account = self.get_object()
        serializer = PaymentChainSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = [step["contact_id"] for step in serializer.validated_data["steps"]]
        people = Contact.objects.filter(account=account, pk__in=ids).in_bulk()
        missing = [pk for pk in ids if pk not in people]
        if missing:
            raise serializers.ValidationError(
                {"steps": [_("Every step must be a person at this customer.")]}
            )
        services.set_payment_approval_chain(
            account,
            [
                (people[step["contact_id"]], step.get("note", ""))
                for step in serializer.validated_data["steps"]
            ],
            by=request.user,
            via=API,
            expected=serializer.validated_data.get("expected"),
        )
        return Response(PaymentChainSerializer(self._chain(account)).data)
