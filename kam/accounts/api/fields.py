"""What the accounts' API operations share: the interface they record, the account and
plan fields that answer 404 for what the user may not see, the version of an update."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.request import Request

from kam.accounts.models import Account, AccountPlan
from kam.accounts.visibility import scope_to_visible_accounts, visible_accounts
from kam.core.http import serializer_user
from kam.core.models import Interface
from kam.core.params import query_int

API = Interface.API


def int_param(request: Request, name: str) -> int | None:
    """The query parameter ``name`` as a whole number (None when absent)."""
    return query_int(request.query_params, name)


class VisibleAccountField(serializers.PrimaryKeyRelatedField):
    """An account the user may read; any other id answers 404, as the pages do."""

    def get_queryset(self) -> QuerySet[Account]:
        return visible_accounts(serializer_user(self))

    def to_internal_value(self, data: Any) -> Account:
        try:
            return self.get_queryset().get(pk=int(data))
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        except Account.DoesNotExist:
            raise exceptions.NotFound(_("Not found.")) from None
        raise AssertionError  # unreachable: fail() raises


class VisiblePlanField(serializers.PrimaryKeyRelatedField):
    """An account plan of an account the user may read; any other id answers 404."""

    def get_queryset(self) -> QuerySet[AccountPlan]:
        plans = AccountPlan.objects.select_related("account")
        return scope_to_visible_accounts(plans, serializer_user(self))

    def to_internal_value(self, data: Any) -> AccountPlan:
        try:
            return self.get_queryset().get(pk=int(data))
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        except AccountPlan.DoesNotExist:
            raise exceptions.NotFound(_("Not found.")) from None
        raise AssertionError


def expected_version(validated_data: dict[str, Any]) -> int:
    """The version an update loaded, taken out of ``validated_data``; an update must send it."""
    version = validated_data.pop("version", None)
    if version is None:
        raise serializers.ValidationError(
            {"version": [_("Send the version you loaded, so a newer edit is not overwritten.")]}
        )
    return int(version)
