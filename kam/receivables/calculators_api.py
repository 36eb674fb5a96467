"""The collection calculators in the API (DOMAIN.md §6), the same calculations as the page:
the extra sales a bad debt needs, the cost of late payment and a sale read as cash."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kam.core.http import AuthenticatedRequest
from kam.core.money import MONEY_DIGITS, money_serializer_field
from kam.core.rest.schema import ReportSchema
from kam.receivables import calculations


def _money(**kwargs: Any) -> Any:
    return money_serializer_field(max_digits=MONEY_DIGITS, **kwargs)


def _amount(help_text: str, **kwargs: Any) -> Any:
    return _money(min_value=Decimal(0), help_text=help_text, **kwargs)


def _pct(help_text: str, **kwargs: Any) -> Any:
    return serializers.DecimalField(max_digits=5, decimal_places=2, help_text=help_text, **kwargs)


class ExtraSalesQuery(serializers.Serializer):
    loss = _amount("the bad debt (loss) to make up, e.g. 500")
    margin_pct = _pct(
        "net margin in per cent, e.g. 3 (over 0, at most 100)",
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
    )


class ExtraSalesSerializer(serializers.Serializer):
    loss = _money()
    margin_pct = serializers.DecimalField(max_digits=5, decimal_places=2)
    extra_sales = _money(
        help_text="loss ÷ margin, exact to the cent and rounded up: it always covers the loss"
    )


class DelayCostQuery(serializers.Serializer):
    amount = _amount("the open receivable")
    annual_rate_pct = _pct("annual interest rate in per cent", min_value=Decimal(0))
    days_late = serializers.IntegerField(min_value=0, max_value=3650, help_text="days late")
    net_profit = _money(
        required=False, allow_null=True, help_text="the sale's net profit (optional)"
    )


class DelayCostSerializer(serializers.Serializer):
    amount = _money()
    annual_rate_pct = serializers.DecimalField(max_digits=5, decimal_places=2)
    days_late = serializers.IntegerField()
    financing_cost = _money(help_text="amount × rate × days late ÷ 365, to the cent")
    net_profit = _money(allow_null=True)
    net_profit_left = _money(allow_null=True, help_text="net profit − financing cost")


class CashPositionQuery(serializers.Serializer):
    amount = _amount("the sale (contract amount)")
    gross_margin_pct = _pct(
        "gross margin in per cent", min_value=Decimal(0), max_value=Decimal(100)
    )
    collected = _amount("cash collected so far")


class CashPositionSerializer(serializers.Serializer):
    """完全销售: the sale read as cash (the Zhang Yi case)."""

    amount = _money()
    gross_margin_pct = serializers.DecimalField(max_digits=5, decimal_places=2)
    cost = _money(help_text="amount × (1 − gross margin)")
    collected = _money()
    outstanding = _money()
    cash_position = _money(help_text="collected − cost; negative until the cost is collected")
    break_even_point = _money(help_text="collecting more than this makes the sale cash-positive")
    still_to_break_even = _money()
    collected_pct = serializers.DecimalField(max_digits=7, decimal_places=1)
    profitable = serializers.BooleanField()


def cash_position_data(sale: calculations.CompleteSale) -> dict[str, Any]:
    return {
        "amount": sale.amount,
        "gross_margin_pct": sale.gross_margin_pct,
        "cost": sale.cost,
        "collected": sale.collected,
        "outstanding": sale.outstanding,
        "cash_position": sale.cash_position,
        "break_even_point": sale.break_even_point,
        "still_to_break_even": sale.still_to_break_even,
        "collected_pct": sale.collected_pct,
        "profitable": sale.profitable,
    }


def _query(serializer_class: type[serializers.Serializer], request: Any) -> dict[str, Any]:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return dict(query.validated_data)


class CalculatorViewSet(viewsets.ViewSet):
    """Calculators over the figures given; nothing is read or stored."""

    schema = ReportSchema()

    @extend_schema(
        parameters=[ExtraSalesQuery],
        responses=ExtraSalesSerializer,
        examples=[
            OpenApiExample(
                "500 lost at 3%",
                value={"loss": "500.00", "margin_pct": "3.00", "extra_sales": "16666.67"},
                response_only=True,
            )
        ],
    )
    @action(detail=False, methods=["get"], url_path="extra-sales")
    def extra_sales(self, request: AuthenticatedRequest) -> Response:
        """Bad debt must be replaced by extra sales: loss ÷ net margin, rounded up to the cent."""
        data = _query(ExtraSalesQuery, request)
        data["extra_sales"] = calculations.extra_sales_needed(data["loss"], data["margin_pct"])
        return Response(ExtraSalesSerializer(data).data)

    @extend_schema(parameters=[DelayCostQuery], responses=DelayCostSerializer)
    @action(detail=False, methods=["get"], url_path="delay-cost")
    def delay_cost(self, request: AuthenticatedRequest) -> Response:
        """Late payment eats profit: the financing cost of an open receivable."""
        data = _query(DelayCostQuery, request)
        cost = calculations.financing_cost(
            data["amount"], data["annual_rate_pct"], data["days_late"]
        )
        profit = data.get("net_profit")
        data.update(
            financing_cost=cost,
            net_profit=profit,
            net_profit_left=None if profit is None else profit - cost,
        )
        return Response(DelayCostSerializer(data).data)

    @extend_schema(
        parameters=[CashPositionQuery],
        responses=CashPositionSerializer,
        examples=[
            OpenApiExample(
                "Zhang Yi: 500,000 at 10%, 400,000 collected",
                value={
                    "amount": "500000.00",
                    "gross_margin_pct": "10.00",
                    "cost": "450000.00",
                    "collected": "400000.00",
                    "outstanding": "100000.00",
                    "cash_position": "-50000.00",
                    "break_even_point": "450000.00",
                    "still_to_break_even": "50000.00",
                    "collected_pct": "80.0",
                    "profitable": False,
                },
                response_only=True,
            )
        ],
    )
    @action(detail=False, methods=["get"], url_path="cash-position")
    def cash_position(self, request: AuthenticatedRequest) -> Response:
        """A sale read as cash: cost, collected, cash position and break-even (完全销售)."""
        data = _query(CashPositionQuery, request)
        if data["collected"] > data["amount"]:
            raise serializers.ValidationError(
                {"collected": [_("More cannot be collected than the sale's amount.")]}
            )
        sale = calculations.complete_sale(
            data["amount"], data["gross_margin_pct"], data["collected"]
        )
        return Response(CashPositionSerializer(cash_position_data(sale)).data)
