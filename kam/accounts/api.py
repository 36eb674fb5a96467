"""Accounts in the API; the same visibility as the UI."""

from __future__ import annotations

from rest_framework import serializers, viewsets

from kam.accounts.models import Account
from kam.accounts.selectors import AccountFilters, account_list


class AccountSerializer(serializers.ModelSerializer):
    open_opportunities = serializers.IntegerField(read_only=True)
    open_amount = serializers.DecimalField(
        max_digits=18, decimal_places=2, read_only=True, allow_null=True
    )

    class Meta:
        model = Account
        fields = [
            "id",
            "name",
            "industry",
            "nature",
            "city",
            "tier",
            "owner",
            "parent",
            "version",
            "open_opportunities",
            "open_amount",
            "created_at",
            "updated_at",
        ]


class AccountViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AccountSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        filters = AccountFilters.from_params(self.request.query_params)
        return account_list(self.request.user, filters).order_by("name", "pk")  # type: ignore[arg-type]


ROUTES = [("accounts", AccountViewSet, "account")]
