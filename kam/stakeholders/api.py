"""The decision chain in the API (DOMAIN.md §2, §6): the same visibility and rules as the UI.

Querysets start from account visibility, so another team's ids answer 404;
every write goes through :mod:`kam.stakeholders.services`, so a stale
``version`` answers 409 and a refused change 403. Sensitive personal
information has its own endpoint, open to the account team and their
managers only, and every read of it is logged.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from kam.accounts.models import Account
from kam.accounts.visibility import scope_to_visible_accounts, visible_accounts
from kam.core.models import Interface, User
from kam.core.params import parse_int
from kam.core.rest.serializers import ModelSerializer
from kam.core.visibility import visible_users
from kam.pipeline.models import Opportunity
from kam.stakeholders import selectors, services
from kam.stakeholders.models import (
    Assessment,
    BuyingRole,
    Contact,
    ContactChange,
    Influence,
    InfluenceLine,
    InnovationAttitude,
    PersonalInfo,
    Relationship,
    Stakeholder,
    Style,
    Support,
)
from kam.stakeholders.red_flags import red_flags_for_opportunities

API = Interface.API
VERSION_REQUIRED = _("Send the version you loaded, so a colleague's change is not overwritten.")


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _int_param(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    value = parse_int(raw, name)
    if value is None:
        raise serializers.ValidationError({name: [_("A whole number is required.")]})
    return value


# ---------------------------------------------------------------- people


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
            user = _user(request)
            self.fields["account"].queryset = visible_accounts(user)  # type: ignore[attr-defined]
            self.fields["reports_to"].queryset = selectors.visible_contacts(user)  # type: ignore[attr-defined]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:
            if "version" not in attrs:
                raise serializers.ValidationError({"version": [VERSION_REQUIRED]})
            attrs.pop("account", None)  # a person does not move between customers
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Contact:
        validated_data.pop("version", None)
        validated_data.pop("effective_on", None)
        return services.create_contact(by=_user(self.context["request"]), via=API, **validated_data)

    def update(self, instance: Contact, validated_data: dict[str, Any]) -> Contact:
        version = validated_data.pop("version")
        effective_on = validated_data.pop("effective_on", None)
        return services.update_contact(
            instance,
            by=_user(self.context["request"]),
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

    def get_queryset(self):  # type: ignore[no-untyped-def]
        contacts = selectors.contact_list(
            _user(self.request),
            self.request.query_params.get("q", "").strip(),
            _int_param(self.request, "account"),
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
        services.delete_contact(instance, by=_user(self.request), via=API)

    def _allowed(self, contact: Contact) -> None:
        # Others may know the person exists, but not that there is anything private.
        if not services.can_see_personal_info(_user(self.request), contact.account):
            raise Http404

    @extend_schema(
        methods=["GET"], responses=PersonalInfoSerializer, summary="Personal information (logged)"
    )
    @extend_schema(
        methods=["PATCH"], request=PersonalInfoSerializer, responses=PersonalInfoSerializer
    )
    @action(detail=True, methods=["get", "patch"], serializer_class=PersonalInfoSerializer)
    def personal(self, request: Request, pk: str | None = None) -> Response:
        """Sensitive personal information (§2.2, §7): the account team and their managers only."""
        contact = self.get_object()
        self._allowed(contact)
        user = _user(request)
        if request.method == "GET":
            info = services.read_personal_info(contact, by=user, via=API)
            data = PersonalInfoSerializer(info).data
            if info.pk is None:
                data["version"] = 0
            return Response(data)
        serializer = PersonalInfoSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        version = values.pop("version", None)
        info = services.save_personal_info(
            contact, by=user, via=API, expected_version=version or 0, **values
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
    def export(self, request: Request, pk: str | None = None) -> Response:
        contact = self.get_object()
        self._allowed(contact)
        return Response(services.export_personal_data(contact, by=_user(request), via=API))

    @extend_schema(request=None, responses=ContactSerializer, summary="Erase one person's data")
    @action(detail=True, methods=["post"], url_path="personal/erase")
    def erase(self, request: Request, pk: str | None = None) -> Response:
        """Blank contact details and sensitive information; business records stay (audited)."""
        contact = self.get_object()
        self._allowed(contact)
        contact = services.erase_personal_data(contact, by=_user(request), via=API)
        return Response(ContactSerializer(contact, context=self.get_serializer_context()).data)


# ---------------------------------------------------------------- buying circle


class AssessmentSerializer(ModelSerializer):
    innovation = serializers.ChoiceField(
        InnovationAttitude.choices, required=False, allow_blank=True
    )
    support = serializers.ChoiceField(Support.choices, required=False, allow_blank=True)
    relationship = serializers.ChoiceField(Relationship.choices, required=False, allow_blank=True)
    relationship_target = serializers.ChoiceField(
        Relationship.choices, required=False, allow_blank=True
    )
    style = serializers.ChoiceField(  # type: ignore[assignment]
        Style.choices, required=False, allow_blank=True
    )
    influence = serializers.ChoiceField(Influence.choices, required=False, allow_blank=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "assessed_on",
            "innovation",
            "support",
            "relationship",
            "relationship_target",
            "style",
            "influence",
            "note",
            "assessed_by",
        ]
        read_only_fields = ["assessed_by"]
        extra_kwargs = {"assessed_on": {"required": False}}


class AssessRequestSerializer(AssessmentSerializer):
    version = serializers.IntegerField(help_text=_("The member's version you loaded."))

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "version"]


class StakeholderSerializer(ModelSerializer):
    """A member of an opportunity's buying circle with roles, latest judgement and history."""

    opportunity = serializers.PrimaryKeyRelatedField(queryset=Opportunity.objects.none())
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.none(), allow_null=True, required=False
    )
    staff = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(), allow_null=True, required=False
    )
    name = serializers.CharField(source="display_name", read_only=True)
    roles = serializers.ListField(child=serializers.ChoiceField(BuyingRole.choices), required=False)
    version = serializers.IntegerField(required=False)
    assessments = serializers.SerializerMethodField()

    class Meta:
        model = Stakeholder
        fields = [
            "id",
            "opportunity",
            "contact",
            "staff",
            "outside_name",
            "name",
            "roles",
            "purchase_role",
            "personal_win",
            "business_result",
            "added_on",
            "support",
            "influence",
            "relationship",
            "relationship_target",
            "version",
            "assessments",
        ]
        read_only_fields = [
            "support",
            "influence",
            "relationship",
            "relationship_target",
        ]
        extra_kwargs = {"added_on": {"required": False}}
        validators: list[Any] = []  # the service refuses duplicates, in the domain's words

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            user = _user(request)
            self.fields["opportunity"].queryset = scope_to_visible_accounts(  # type: ignore[attr-defined]
                Opportunity.objects.all(), user
            )
            self.fields["contact"].queryset = selectors.visible_contacts(user)  # type: ignore[attr-defined]
            self.fields["staff"].queryset = visible_users(user)  # type: ignore[attr-defined]

    @extend_schema_field(AssessmentSerializer(many=True))
    def get_assessments(self, member: Stakeholder) -> list[dict[str, Any]]:
        """Every dated assessment, oldest first: the trend of the relationship."""
        return AssessmentSerializer(member.assessments.all(), many=True).data  # type: ignore[return-value]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:
            if "version" not in attrs:
                raise serializers.ValidationError({"version": [VERSION_REQUIRED]})
            moved = {"opportunity", "contact", "staff", "outside_name", "added_on"} & set(
                self.initial_data
            )
            if moved:
                raise serializers.ValidationError(
                    {
                        name: [_("Cannot be changed; remove the member and add them again.")]
                        for name in sorted(moved)
                    }
                )
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Stakeholder:
        validated_data.pop("version", None)
        opportunity = validated_data.pop("opportunity")
        return services.add_stakeholder(
            opportunity,
            by=_user(self.context["request"]),
            via=API,
            contact=validated_data.get("contact"),
            staff=validated_data.get("staff"),
            outside_name=validated_data.get("outside_name", ""),
            roles=validated_data.get("roles", ()),
            purchase_role=validated_data.get("purchase_role", ""),
            personal_win=validated_data.get("personal_win", ""),
            business_result=validated_data.get("business_result", ""),
            added_on=validated_data.get("added_on"),
        )

    def update(self, instance: Stakeholder, validated_data: dict[str, Any]) -> Stakeholder:
        version = validated_data.pop("version")
        roles = validated_data.pop("roles", None)
        return services.update_stakeholder(
            instance,
            by=_user(self.context["request"]),
            via=API,
            expected_version=version,
            roles=roles,
            **validated_data,
        )


class StakeholderViewSet(viewsets.ModelViewSet):
    """Buying circles (§2.1); ``?opportunity=`` gives one deal's circle."""

    serializer_class = StakeholderSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        members = (
            selectors.visible_stakeholders(_user(self.request))
            .select_related("contact", "staff", "opportunity__account")
            .prefetch_related(
                Prefetch("assessments", queryset=Assessment.objects.order_by("assessed_on", "pk"))
            )
        )
        opportunity = _int_param(self.request, "opportunity")
        if opportunity is not None:
            members = members.filter(opportunity_id=opportunity)
        return members.order_by("opportunity_id", "pk")

    @extend_schema(
        parameters=[OpenApiParameter("opportunity", int, description="One deal's circle.")]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def perform_destroy(self, instance: Stakeholder) -> None:
        services.remove_stakeholder(instance, by=_user(self.request), via=API)

    @extend_schema(request=AssessRequestSerializer, responses={201: AssessmentSerializer})
    @action(detail=True, methods=["post"], serializer_class=AssessRequestSerializer)
    def assess(self, request: Request, pk: str | None = None) -> Response:
        """Record a dated assessment (§2.2); the history is kept for the trend."""
        member = self.get_object()
        serializer = AssessRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        version = values.pop("version")
        assessed_on = values.pop("assessed_on", None)
        note = values.pop("note", "")
        assessment = services.assess(
            member,
            by=_user(request),
            via=API,
            expected_version=version,
            assessed_on=assessed_on,
            note=note,
            **values,
        )
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------- influence lines


class InfluenceLineSerializer(ModelSerializer):
    """An informal "influences" edge between two people of one account (§2.2)."""

    source = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Contact.objects.none()
    )
    target = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.none())

    class Meta:
        model = InfluenceLine
        fields = ["id", "account", "source", "target", "strength", "note", "created_at"]
        read_only_fields = ["account", "created_at"]
        validators: list[Any] = []  # the service refuses a line drawn twice, clearly

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            people = selectors.visible_contacts(_user(request)).select_related("account")
            self.fields["source"].queryset = people  # type: ignore[attr-defined]
            self.fields["target"].queryset = people  # type: ignore[attr-defined]

    def create(self, validated_data: dict[str, Any]) -> InfluenceLine:
        source = validated_data["source"]
        return services.add_influence_line(
            source.account,
            source=source,
            target=validated_data["target"],
            by=_user(self.context["request"]),
            via=API,
            strength=validated_data.get("strength", InfluenceLine.Strength.MEDIUM),
            note=validated_data.get("note", ""),
        )


class InfluenceLineViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Influence lines of the accounts the user may see; ``?account=`` filters."""

    serializer_class = InfluenceLineSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        lines = selectors.visible_influence_lines(_user(self.request)).select_related("account")
        account = _int_param(self.request, "account")
        if account is not None:
            lines = lines.filter(account_id=account)
        return lines.order_by("account_id", "pk")

    @extend_schema(parameters=[OpenApiParameter("account", int, description="One account.")])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def perform_destroy(self, instance: InfluenceLine) -> None:
        services.remove_influence_line(instance, by=_user(self.request), via=API)


# ---------------------------------------------------------------- red flags


class RedFlagSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.ChoiceField(["high", "medium", "low"])
    severity_label = serializers.CharField()
    message = serializers.CharField()
    next_action = serializers.CharField()
    people = serializers.ListField(child=serializers.CharField())


class OpportunityFlagsSerializer(ModelSerializer):
    """An open opportunity with its red flags, computed now (§2.3)."""

    red_flags = serializers.SerializerMethodField()

    class Meta:
        model = Opportunity
        fields = ["id", "name", "account", "owner", "stage", "status", "red_flags"]

    @extend_schema_field(RedFlagSerializer(many=True))
    def get_red_flags(self, opportunity: Opportunity) -> list[dict[str, Any]]:
        flags = self.context["flags"].get(opportunity.pk, [])
        return RedFlagSerializer(flags, many=True).data  # type: ignore[return-value]


class RedFlagViewSet(viewsets.ReadOnlyModelViewSet):
    """Red flags per opportunity (read only; never stored, never stale).

    The list holds the open deals the user may see (``?mine=1``: those they
    own, ``?account=``: one account's); one page's flags cost a fixed number
    of queries however many deals it holds.
    """

    serializer_class = OpportunityFlagsSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        user = _user(self.request)
        if self.action == "retrieve":
            deals = scope_to_visible_accounts(Opportunity.objects.all(), user).select_related(
                "stage"
            )
        else:
            mine = self.request.query_params.get("mine") in ("1", "true")
            deals = selectors.open_deals(user, mine=mine)
            account = _int_param(self.request, "account")
            if account is not None:
                deals = deals.filter(account_id=account)
        return deals.order_by("expected_close_date", "pk")

    def _flags_for(self, deals: list[Opportunity]) -> dict[int, Any]:
        from kam.pipeline.models import Status

        open_deals = [d for d in deals if d.status == Status.OPEN]
        return red_flags_for_opportunities(open_deals) if open_deals else {}

    @extend_schema(
        parameters=[
            OpenApiParameter("mine", bool, description="Only the deals I own."),
            OpenApiParameter("account", int, description="One account's open deals."),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = list(page) if page is not None else list(self.get_queryset())
        context = {**self.get_serializer_context(), "flags": self._flags_for(rows)}
        data = OpportunityFlagsSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        deal = self.get_object()
        context = {**self.get_serializer_context(), "flags": self._flags_for([deal])}
        return Response(OpportunityFlagsSerializer(deal, context=context).data)


# ---------------------------------------------------------------- payment approval chain


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

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return visible_accounts(_user(self.request)).order_by("pk")

    def _chain(self, account: Account) -> dict[str, Any]:
        steps = selectors.payment_approval_chain(_user(self.request), account)
        return {"account": account.pk, "steps": steps}

    @extend_schema(responses=PaymentChainSerializer)
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(PaymentChainSerializer(self._chain(self.get_object())).data)

    @extend_schema(request=PaymentChainSerializer, responses=PaymentChainSerializer)
    def update(self, request: Request, pk: str | None = None) -> Response:
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
            by=_user(request),
            via=API,
            expected=serializer.validated_data.get("expected"),
        )
        return Response(PaymentChainSerializer(self._chain(account)).data)


ROUTES = [
    ("contacts", ContactViewSet, "contact"),
    ("buying-circle", StakeholderViewSet, "stakeholder"),
    ("influence-lines", InfluenceLineViewSet, "influence-line"),
    ("red-flags", RedFlagViewSet, "red-flag"),
    ("payment-approval-chains", PaymentChainViewSet, "payment-approval-chain"),
]
