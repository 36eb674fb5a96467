"""People at the customers in the API, with their personal information on its own logged
endpoint (§2.2, §7)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from kam.accounts.models import Account
from kam.accounts.visibility import visible_accounts
from kam.core.http import AuthenticatedRequest, request_user, serializer_user
from kam.core.rest.serializers import ModelSerializer, offer
from kam.stakeholders import selectors, services
from kam.stakeholders.api.common import API, VERSION_REQUIRED, int_param
from kam.stakeholders.models import Contact, ContactChange, PersonalInfo


class ContactChangeSerializer(ModelSerializer):
    class Meta:
        model = ContactChange
        fields = ["field", "old_value", "new_value", "effective_on", "recorded_at"]


class ContactSerializer(ModelSerializer):
    """A person at the customer; ``version`` must come back with every change."""

    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.none())
    reports_to = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.none(), allow_null=True, required=False
    )
    version = serializers.IntegerField(required=False)
    effective_on = serializers.DateField(
        write_only=True,
        required=False,
        help_text=_("For a change of title, department, line or leaving; today if empty."),
    )
    changes = ContactChangeSerializer(many=True, read_only=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "account",
            "name",
            "title",
            "department",
            "level",
            "reports_to",
            "phone",
            "email",
            "wechat",
            "has_left",
            "scope",
            "personality",
            "erased_at",
            "version",
            "effective_on",
            "changes",
        ]
        read_only_fields = ["erased_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            user = request_user(request)
            offer(self.fields["account"], visible_accounts(user))
            offer(self.fields["reports_to"], selectors.visible_contacts(user))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:
            if "version" not in attrs:
                raise serializers.ValidationError({"version": [VERSION_REQUIRED]})
            attrs.pop("account", None)  # a person does not move between customers
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Contact:
        validated_data.pop("version", None)
        validated_data.pop("effective_on", None)
        return services.create_contact(by=serializer_user(self), via=API, **validated_data)

    def update(self, instance: Contact, validated_data: dict[str, Any]) -> Contact:
        version = validated_data.pop("version")
        effective_on = validated_data.pop("effective_on", None)
        return services.update_contact(
            instance,
            by=serializer_user(self),
            via=API,
            expected_version=version,
            effective_on=effective_on,
            **validated_data,
        )


class PersonalInfoSerializer(ModelSerializer):
    version = serializers.IntegerField(
        required=False, help_text=_("0 (or empty) when nothing is recorded yet.")
    )

    class Meta:
        model = PersonalInfo
        fields = [*PersonalInfo.TEXT_FIELDS, "birthday", "version"]


class ContactViewSet(viewsets.ModelViewSet):
    """People at the customers the user may see; ``?account=`` and ``?q=`` filter."""

    serializer_class = ContactSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Contact]:
        contacts = selectors.contact_list(
            request_user(self.request),
            self.request.query_params.get("q", "").strip(),
            int_param(self.request, "account"),
        )
        if self.action != "list":
            contacts = contacts.prefetch_related("changes")
        return contacts.order_by("account__name", "name", "pk")

    @extend_schema(
        parameters=[
            OpenApiParameter("account", int, description="Only this account's people."),
            OpenApiParameter("q", str, description="Search name, title, department, account."),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def perform_destroy(self, instance: Contact) -> None:
        services.delete_contact(instance, by=request_user(self.request), via=API)

    def _allowed(self, contact: Contact) -> None:
        # Others may know the person exists, but not that there is anything private.
        if not services.can_see_personal_info(request_user(self.request), contact.account):
            raise Http404

    @extend_schema(
        methods=["GET"], responses=PersonalInfoSerializer, summary="Personal information (logged)"
    )
    @extend_schema(
        methods=["PATCH"], request=PersonalInfoSerializer, responses=PersonalInfoSerializer
    )
    @action(detail=True, methods=["get", "patch"], serializer_class=PersonalInfoSerializer)
    def personal(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Sensitive personal information (§2.2, §7): the account team and their managers only."""
        contact = self.get_object()
        self._allowed(contact)
        if request.method == "GET":
            info = services.read_personal_info(contact, by=request.user, via=API)
            data = PersonalInfoSerializer(info).data
            if info.pk is None:
                data["version"] = 0
            return Response(data)
        serializer = PersonalInfoSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        version = values.pop("version", None)
        info = services.save_personal_info(
            contact, by=request.user, via=API, expected_version=version or 0, **values
        )
        return Response(PersonalInfoSerializer(info).data)

    @extend_schema(
        responses=inline_serializer(
            "PersonalDataExport",
            {
                "person": serializers.DictField(),
                "personal_info": serializers.DictField(),
                "history": serializers.ListField(child=serializers.DictField()),
                "buying_roles": serializers.ListField(child=serializers.DictField()),
            },
        ),
        summary="Export everything held about one person (logged)",
    )
    @action(detail=True, methods=["get"], url_path="personal/export")
    def export(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        contact = self.get_object()
        self._allowed(contact)
        return Response(services.export_personal_data(contact, by=request.user, via=API))

    @extend_schema(request=None, responses=ContactSerializer, summary="Erase one person's data")
    @action(detail=True, methods=["post"], url_path="personal/erase")
    def erase(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Blank contact details and sensitive information; business records stay (audited)."""
        contact = self.get_object()
        self._allowed(contact)
        contact = services.erase_personal_data(contact, by=request.user, via=API)
        return Response(ContactSerializer(contact, context=self.get_serializer_context()).data)
