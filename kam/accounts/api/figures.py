"""The computed figures of accounts in the API: qualification, total value, the value
pyramid and the attack / defend matrix (DOMAIN.md §1.2-§1.4); read only."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from kam.accounts.models import Tier
from kam.core.money import money_serializer_field


class TierOverrideSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=Tier.choices)
    reason = serializers.CharField(help_text=gettext_lazy("Why the tier differs from the score."))
    version = serializers.IntegerField()


class AccountVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()


class QualificationLineSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    value = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    computed = serializers.BooleanField(help_text=gettext_lazy("From the data, not by hand."))
    score = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    points = serializers.DecimalField(max_digits=5, decimal_places=1)


class PaymentPartsSerializer(serializers.Serializer):
    """Criterion 5 in its parts: payment cycle, payment record and credit standing."""

    cycle_days = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    on_time_pct = serializers.DecimalField(
        max_digits=5,
        decimal_places=1,
        allow_null=True,
        help_text=gettext_lazy("Share of the amount fallen due in 12 months paid on time."),
    )
    credit_standing = serializers.CharField(
        help_text=gettext_lazy("good, fair or poor; poor while finance holds the credit.")
    )
    credit_standing_computed = serializers.BooleanField()
    score = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class QualificationSerializer(serializers.Serializer):
    """The seven-criteria score (§1.2) with its breakdown, the tier and the segment."""

    total = serializers.DecimalField(max_digits=5, decimal_places=1)
    suggested_tier = serializers.CharField(
        help_text=gettext_lazy("The tier the score earns: key, important or general.")
    )
    tier = serializers.ChoiceField(choices=Tier.choices)
    tier_overridden = serializers.BooleanField()
    tier_override_reason = serializers.CharField()
    tier_override_by = serializers.IntegerField(allow_null=True)
    segment = serializers.CharField(allow_null=True)
    share_of_wallet_pct = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    sales_12m = money_serializer_field()
    sales_prev_12m = money_serializer_field()
    missing = serializers.ListField(child=serializers.CharField())
    lines = QualificationLineSerializer(many=True)
    payment = PaymentPartsSerializer()


class TotalValueSerializer(serializers.Serializer):
    """Customer total value of one year (§1.3) and its parts."""

    value_period = serializers.IntegerField()
    year = serializers.IntegerField()
    revenue = money_serializer_field()
    profit_computed = serializers.BooleanField(
        help_text=gettext_lazy("Profit computed from won business and the average margin.")
    )
    profit_contribution = money_serializer_field()
    cost_of_sales = money_serializer_field()
    cost_of_service = money_serializer_field()
    cost_of_relationship = money_serializer_field()
    cost_to_serve = money_serializer_field()
    learning_value = money_serializer_field()
    skill_value = money_serializer_field()
    referral_value = money_serializer_field()
    intangible = money_serializer_field()
    total = money_serializer_field()


class ValuePyramidTierSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=Tier.choices)
    label = serializers.CharField()  # type: ignore[assignment]
    accounts = serializers.IntegerField()
    revenue = money_serializer_field()
    profit = money_serializer_field()
    account_share = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    revenue_share = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    profit_share = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class ValuePyramidParetoSerializer(serializers.Serializer):
    accounts = serializers.IntegerField()
    top_count = serializers.IntegerField()
    top_share_pct = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    rest_share_pct = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class ValuePyramidSerializer(serializers.Serializer):
    """The value pyramid (§1.3) over the last 12 months, of the accounts the user sees."""

    since = serializers.DateField()
    until = serializers.DateField()
    tiers = ValuePyramidTierSerializer(many=True)
    pareto = ValuePyramidParetoSerializer()


class AttackDefendPointSerializer(serializers.Serializer):
    account = serializers.IntegerField()
    name = serializers.CharField()
    purchase_potential = money_serializer_field()
    share_of_wallet_pct = serializers.DecimalField(max_digits=5, decimal_places=1)
    strategy = serializers.CharField()


class StrategyAllocationSerializer(serializers.Serializer):
    strategy = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    accounts = serializers.IntegerField()
    planned_hours = serializers.DecimalField(max_digits=12, decimal_places=1)
    planned_people = serializers.IntegerField()
    planned_budget = money_serializer_field()
    activities = serializers.IntegerField()
    actual_hours = serializers.DecimalField(max_digits=12, decimal_places=1)
    actual_people = serializers.IntegerField()
    actual_expenses = money_serializer_field()


class AttackDefendMatrixSerializer(serializers.Serializer):
    """The attack / defend matrix (§1.4) and planned against actual resources per strategy."""

    year = serializers.IntegerField()
    points = AttackDefendPointSerializer(many=True)
    unplaced = serializers.IntegerField()
    allocation = StrategyAllocationSerializer(many=True)
