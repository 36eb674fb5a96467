"""Receivables in the API (DOMAIN.md §6): the same visibility as the UI, writes through services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet, prefetch_related_objects
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from kam.accounts.models import Account
from kam.accounts.visibility import scope_to_visible_accounts, visible_accounts
from kam.core.http import AuthenticatedRequest, serializer_user
from kam.core.models import Interface
from kam.core.money import MONEY_DIGITS, money_serializer_field
from kam.core.rest.pagination import KamPagination
from kam.core.rest.schema import ReportSchema
from kam.core.rest.serializers import ModelSerializer
from kam.forecasting.scopes import resolve_scope
from kam.pipeline.models import Opportunity
from kam.receivables import selectors, services
from kam.receivables.calculators_api import (
    CalculatorViewSet,
    CashPositionSerializer,
    cash_position_data,
)
from kam.receivables.models import (
    BOOKING_CURRENCY,
    Contract,
    Installment,
    Invoice,
    Payment,
    PaymentCondition,
    PaymentMethod,
    PaymentPromise,
)
from kam.receivables.selectors import playbook
from kam.stakeholders.models import Contact


def _money(**kwargs: Any) -> Any:
    """An amount in an answer, as the model stores it (16 digits, 2 places)."""
    return money_serializer_field(max_digits=MONEY_DIGITS, **kwargs)


def _limit_choices(serializer: serializers.Serializer, name: str, queryset: QuerySet[Any]) -> None:
    """Let the related field ``name`` accept only the rows of ``queryset`` (what the user sees)."""
    field: Any = serializer.fields[name]
    field.queryset = queryset


class ContractSerializer(ModelSerializer):
    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.none())
    opportunity = serializers.PrimaryKeyRelatedField(
        queryset=Opportunity.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Contract
        fields = [
            "id",
            "account",
            "opportunity",
            "owner",
            "number",
            "name",
            "amount",
            "currency",
            "gross_margin_pct",
            "payment_terms_days",
            "reminder_days",
            "signed_on",
            "invoiced_amount",
            "credit_status",
            "credit_note",
            "version",
        ]
        read_only_fields = [
            "id",
            "owner",
            "currency",
            "invoiced_amount",
            "credit_status",
            "credit_note",
            "version",
        ]
        extra_kwargs = {"number": {"required": False}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            _limit_choices(self, "account", visible_accounts(request.user))
            _limit_choices(
                self, "opportunity", selectors.won_opportunities_without_contract(request.user)
            )

    def create(self, validated_data: dict[str, Any]) -> Contract:
        return services.create_contract(
            by=serializer_user(self), via=Interface.API, **validated_data
        )


class InstallmentSerializer(ModelSerializer):
    contract = serializers.PrimaryKeyRelatedField(queryset=Contract.objects.none())
    condition = serializers.ChoiceField(
        choices=PaymentCondition.choices, default=PaymentCondition.DATE
    )

    class Meta:
        model = Installment
        fields = ["id", "contract", "sequence", "amount", "due_date", "condition", "note"]
        read_only_fields = ["id", "sequence"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            _limit_choices(self, "contract", selectors.visible_contracts(request.user))

    def create(self, validated_data: dict[str, Any]) -> Installment:
        contract = validated_data.pop("contract")
        return services.add_installment(
            contract, by=serializer_user(self), via=Interface.API, **validated_data
        )


class InvoiceSerializer(ModelSerializer):
    contract = serializers.PrimaryKeyRelatedField(queryset=Contract.objects.none())
    installment = serializers.PrimaryKeyRelatedField(
        queryset=Installment.objects.all(), required=False, allow_null=True
    )
    due_date = serializers.DateField(required=False, allow_null=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "contract",
            "installment",
            "account",
            "owner",
            "number",
            "issued_on",
            "due_date",
            "amount",
            "paid_amount",
            "credited_amount",
            "written_off_amount",
            "open_amount",
            "paid_on",
            "version",
        ]
        read_only_fields = [
            "id",
            "account",
            "owner",
            "paid_amount",
            "credited_amount",
            "written_off_amount",
            "open_amount",
            "paid_on",
            "version",
        ]
        extra_kwargs = {"number": {"required": False}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            _limit_choices(self, "contract", selectors.visible_contracts(request.user))

    def create(self, validated_data: dict[str, Any]) -> Invoice:
        contract = validated_data.pop("contract")
        return services.issue_invoice(
            contract, by=serializer_user(self), via=Interface.API, **validated_data
        )


class AllocationSerializer(serializers.Serializer):
    invoice = serializers.IntegerField(source="invoice_id")
    amount = _money()


class PaymentSerializer(ModelSerializer):
    """Cash received; the same bank reference twice answers 400 ``probable_duplicate``."""

    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.none())
    currency = serializers.CharField(max_length=3, default=BOOKING_CURRENCY)
    method = serializers.ChoiceField(
        choices=PaymentMethod.choices, default=PaymentMethod.BANK_TRANSFER
    )
    confirm_duplicate = serializers.BooleanField(
        write_only=True, default=False, help_text="Record it although the reference was seen."
    )
    allocations = AllocationSerializer(many=True, read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "account",
            "received_on",
            "amount",
            "currency",
            "original_amount",
            "exchange_rate",
            "method",
            "bank_reference",
            "note",
            "unapplied_amount",
            "possible_duplicate_of",
            "allocations",
            "confirm_duplicate",
            "version",
        ]
        read_only_fields = [
            "id",
            "original_amount",
            "unapplied_amount",
            "possible_duplicate_of",
            "version",
        ]
        extra_kwargs = {"amount": {"help_text": "In the currency paid."}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            _limit_choices(self, "account", visible_accounts(request.user))

    def create(self, validated_data: dict[str, Any]) -> Payment:
        return services.record_payment(
            by=serializer_user(self), via=Interface.API, **validated_data
        )


class PromiseSerializer(ModelSerializer):
    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.none())
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.all(), required=False, allow_null=True
    )
    invoice = serializers.PrimaryKeyRelatedField(
        queryset=Invoice.objects.all(), required=False, allow_null=True
    )
    made_on = serializers.DateField(required=False, allow_null=True)

    class Meta:
        model = PaymentPromise
        fields = [
            "id",
            "account",
            "invoice",
            "made_on",
            "due_on",
            "amount",
            "contact",
            "promised_by_name",
            "status",
            "settled_on",
        ]
        read_only_fields = ["id", "status", "settled_on"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            _limit_choices(self, "account", visible_accounts(request.user))

    def create(self, validated_data: dict[str, Any]) -> PaymentPromise:
        account = validated_data.pop("account")
        return services.record_promise(
            account, by=serializer_user(self), via=Interface.API, **validated_data
        )


class _CreateReadViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """List, read and create; another team's record answers 404."""

    request: AuthenticatedRequest


class ContractViewSet(_CreateReadViewSet):
    serializer_class = ContractSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.visible_contracts(self.request.user).order_by("-signed_on", "-pk")

    @extend_schema(responses=CashPositionSerializer)
    @action(detail=True, methods=["get"], url_path="cash-position")
    def cash_position(self, request: Request, pk: str | None = None) -> Response:
        """The contract read as cash: cost, collected, cash position, break-even (完全销售)."""
        sale = selectors.complete_sale_for(self.get_object())
        return Response(CashPositionSerializer(cash_position_data(sale)).data)


class InstallmentViewSet(_CreateReadViewSet):
    serializer_class = InstallmentSerializer

    def get_queryset(self) -> QuerySet[Any]:
        # Those who see every account get no filter at all, so a page walks the index.
        return scope_to_visible_accounts(
            Installment.objects.all(),
            self.request.user,
            "contract__account",
        ).order_by("contract", "due_date", "sequence")


class InvoiceViewSet(_CreateReadViewSet):
    serializer_class = InvoiceSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.visible_invoices(self.request.user).order_by("due_date", "pk")


class PaymentViewSet(_CreateReadViewSet):
    serializer_class = PaymentSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return (
            selectors.visible_payments(self.request.user)
            .prefetch_related("allocations")
            .order_by("-received_on", "-pk")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return super().create(request, *args, **kwargs)
        except services.ProbableDuplicate as duplicate:
            return Response(
                {
                    "error": {
                        "code": "probable_duplicate",
                        "message": duplicate.message_dict["bank_reference"][0],
                        "details": {
                            "duplicate_of": duplicate.existing.pk,
                            "confirm_with": "confirm_duplicate",
                        },
                    }
                },
                status=status.HTTP_400_BAD_REQUEST,
            )


class PromiseViewSet(_CreateReadViewSet):
    serializer_class = PromiseSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.visible_promises(self.request.user).order_by("-due_on", "-pk")


class AgingRowSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    # DRF's serializer metaclass pops declared fields off the class, but the stubs
    # see this as overriding Field.label (a str).
    label = serializers.CharField()  # type: ignore[assignment]
    current = _money()
    d1_30 = _money()
    d31_60 = _money()
    d61_90 = _money()
    over_90 = _money()
    total = _money()
    overdue = _money()


class AgingSerializer(serializers.Serializer):
    group = serializers.CharField()
    today = serializers.DateField()
    dso = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)
    count = serializers.IntegerField(help_text="rows in all pages")
    page = serializers.IntegerField()
    rows = AgingRowSerializer(many=True, help_text="one page, the heaviest first")
    totals = AgingRowSerializer(help_text="of every row, not only this page's")


GROUP = OpenApiParameter(
    "group", str, enum=list(selectors.GROUPINGS), description="account, rep, team or company"
)


MAX_AGING_ROWS = KamPagination.max_page_size


class AgingViewSet(viewsets.ViewSet):
    schema = ReportSchema()

    @extend_schema(
        parameters=[
            GROUP,
            OpenApiParameter("page", int, description="page of rows (1 first)"),
            OpenApiParameter("page_size", int, description=f"rows a page (≤ {MAX_AGING_ROWS})"),
        ],
        responses=AgingSerializer,
    )
    def list(self, request: AuthenticatedRequest) -> Response:
        """Open receivables by aging bucket, as on the receivables page, a page of rows at once."""
        user = request.user
        try:
            size = min(max(int(request.query_params.get("page_size", "")), 1), MAX_AGING_ROWS)
        except ValueError:
            size = KamPagination.page_size
        report = selectors.aging_page(
            user,
            request.query_params.get("group", "company"),
            request.query_params.get("page"),
            size,
        )
        data = {
            "group": report.group,
            "today": report.today,
            "dso": selectors.dso(user, report.today),
            "count": report.count,
            "page": report.page.number,
            "rows": report.rows,
            "totals": report.totals,
        }
        return Response(AgingSerializer(data).data)


class CashBucketSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    invoices = _money()
    installments = _money()
    pipeline = _money()
    total = _money()
    target = _money(allow_null=True)
    coverage_pct = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)


class CashForecastSerializer(serializers.Serializer):
    scope = serializers.CharField()
    granularity = serializers.ChoiceField(choices=["week", "month"])
    today = serializers.DateField()
    buckets = CashBucketSerializer(many=True)
    totals = CashBucketSerializer()
    later = _money()


def cash_forecast_data(forecast: selectors.CashForecast) -> dict[str, Any]:
    return {
        "scope": forecast.scope.key,
        "granularity": forecast.granularity,
        "today": forecast.today,
        "buckets": forecast.buckets,
        "totals": forecast.totals,
        "later": forecast.later,
    }


class CashForecastViewSet(viewsets.ViewSet):
    schema = ReportSchema()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "scope", str, description="company, team:<id>, rep:<id> or account:<id>"
            ),
            OpenApiParameter("by", str, enum=["week", "month"], description="bucket size"),
        ],
        responses=CashForecastSerializer,
    )
    def list(self, request: AuthenticatedRequest) -> Response:
        """Expected collections per week or month against the collection targets."""
        user = request.user
        scope = resolve_scope(user, request.query_params.get("scope"))
        forecast = selectors.cash_forecast(user, scope, request.query_params.get("by", "month"))
        return Response(CashForecastSerializer(cash_forecast_data(forecast)).data)


class OverdueSerializer(ModelSerializer):
    days_overdue = serializers.IntegerField(read_only=True)
    weight = serializers.DecimalField(max_digits=24, decimal_places=2, read_only=True)
    debtor_type = serializers.SerializerMethodField()
    debtor_type_suggested = serializers.SerializerMethodField()
    extra_sales = serializers.SerializerMethodField(
        help_text="sales that replace the open amount if it is lost, at the contract's margin "
        "(to the cent, rounded up); null without a margin"
    )
    delay_cost = serializers.SerializerMethodField(
        help_text="financing cost of the delay so far, at the company's annual rate"
    )

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "account",
            "contract",
            "owner",
            "due_date",
            "open_amount",
            "days_overdue",
            "weight",
            "debtor_type",
            "debtor_type_suggested",
            "extra_sales",
            "delay_cost",
        ]

    def _debtor(self, invoice: Invoice) -> selectors.DebtorTypeView | None:
        return self.context.get("debtor_types", {}).get(invoice.account_id)

    def get_debtor_type(self, invoice: Invoice) -> str | None:
        debtor = self._debtor(invoice)
        return debtor.value if debtor else None

    def get_debtor_type_suggested(self, invoice: Invoice) -> bool:
        debtor = self._debtor(invoice)
        return bool(debtor and debtor.suggested)

    def _cost(self, invoice: Any) -> Any:
        return playbook.cost_of_invoice(invoice, invoice.days_overdue, self.context.get("rate"))

    @extend_schema_field(serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True))
    def get_extra_sales(self, invoice: Invoice) -> str | None:
        extra = self._cost(invoice).extra_sales
        return None if extra is None else f"{extra:.2f}"

    @extend_schema_field(serializers.DecimalField(max_digits=18, decimal_places=2))
    def get_delay_cost(self, invoice: Invoice) -> str:
        return f"{self._cost(invoice).delay_cost:.2f}"


class OverdueViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Overdue invoices, heaviest (open amount × days overdue) first."""

    request: AuthenticatedRequest

    serializer_class = OverdueSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.overdue_invoices(self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset()) or []
        prefetch_related_objects(page, "contract")
        context = {
            **self.get_serializer_context(),
            "debtor_types": selectors.debtor_types([i.account_id for i in page]),
            "rate": playbook.financing_rate_pct(),
        }
        data = OverdueSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)


ROUTES = [
    ("contracts", ContractViewSet, "contract"),
    ("installments", InstallmentViewSet, "installment"),
    ("invoices", InvoiceViewSet, "invoice"),
    ("payments", PaymentViewSet, "payment"),
    ("payment-promises", PromiseViewSet, "payment-promise"),
    ("receivables-aging", AgingViewSet, "receivables-aging"),
    ("receivables-overdue", OverdueViewSet, "receivables-overdue"),
    ("receivables-cash-forecast", CashForecastViewSet, "receivables-cash-forecast"),
    ("receivables-calculators", CalculatorViewSet, "receivables-calculators"),
]
