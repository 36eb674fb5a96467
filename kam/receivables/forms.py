"""Forms of the receivables pages: they parse input, the services decide (DOMAIN.md §6)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kam.receivables.models import (
    BOOKING_CURRENCY,
    DebtorType,
    Excuse,
    Installment,
    Invoice,
    NegotiationOutcome,
    PaymentCondition,
    PaymentMethod,
    PowerStep,
)
from kam.stakeholders.models import Contact
from kam.ui.forms import KamForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SHORT_TEXT = forms.Textarea(attrs={"rows": 2})


def _choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """The form's field ``name``, a choice of records (to narrow its rows to the contract's)."""
    return cast("forms.ModelChoiceField[Any]", form.fields[name])


def _amount(label: Any, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=16, decimal_places=2, min_value=Decimal("0.01"), required=required
    )


def _today() -> Any:
    return timezone.localdate()


class ContractForm(KamForm):
    """A won opportunity (or a standalone sale) becomes a contract."""

    name = forms.CharField(label=_("name"), max_length=200)
    number = forms.CharField(
        label=_("contract number"),
        max_length=40,
        required=False,
        help_text=_("Leave empty to number it automatically."),
    )
    amount = _amount(_("amount"))
    gross_margin_pct = forms.DecimalField(
        label=_("gross margin (%)"), max_digits=5, decimal_places=2, min_value=0, max_value=100
    )
    signed_on = forms.DateField(label=_("signed on"), widget=DATE, initial=_today)
    payment_terms_days = forms.IntegerField(
        label=_("payment terms (days)"), min_value=0, max_value=3650, initial=30
    )
    reminder_days = forms.IntegerField(
        label=_("remind days before due"), min_value=0, max_value=365, initial=7
    )


class InstallmentForm(KamForm):
    amount = _amount(_("amount"))
    due_date = forms.DateField(label=_("due date"), widget=DATE)
    condition = forms.ChoiceField(
        label=_("condition"), choices=PaymentCondition.choices, initial=PaymentCondition.DATE
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class InvoiceForm(KamForm):
    amount = _amount(_("amount"))
    issued_on = forms.DateField(label=_("issued on"), widget=DATE, initial=_today)
    due_date = forms.DateField(
        label=_("due date"),
        widget=DATE,
        required=False,
        help_text=_("Empty: the installment's due date, or the payment terms."),
    )
    installment = forms.ModelChoiceField(
        label=_("installment"), queryset=Installment.objects.none(), required=False
    )
    number = forms.CharField(label=_("invoice number"), max_length=40, required=False)

    def __init__(self, *args: Any, contract: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "installment").queryset = contract.installments.all()


class PaymentForm(KamForm):
    amount = _amount(_("amount"))
    currency = forms.CharField(label=_("currency"), max_length=3, initial=BOOKING_CURRENCY)
    exchange_rate = forms.DecimalField(
        label=_("exchange rate to CNY"),
        max_digits=12,
        decimal_places=6,
        required=False,
        help_text=_("Only for a payment in another currency."),
    )
    received_on = forms.DateField(label=_("received on"), widget=DATE, initial=_today)
    method = forms.ChoiceField(
        label=_("method"), choices=PaymentMethod.choices, initial=PaymentMethod.BANK_TRANSFER
    )
    bank_reference = forms.CharField(label=_("bank reference"), max_length=80, required=False)
    note = forms.CharField(label=_("note"), max_length=300, required=False)
    confirm_duplicate = forms.BooleanField(
        label=_("Record it anyway: this is not a duplicate"), required=False
    )


class CreditNoteForm(KamForm):
    invoice = forms.ModelChoiceField(label=_("invoice"), queryset=Invoice.objects.none())
    amount = _amount(_("amount"))
    reason = forms.CharField(label=_("reason"), max_length=300)
    issued_on = forms.DateField(label=_("issued on"), widget=DATE, initial=_today)

    def __init__(self, *args: Any, contract: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "invoice").queryset = contract.invoices.filter(open_amount__gt=0)


class WriteOffForm(KamForm):
    invoice = forms.ModelChoiceField(label=_("invoice"), queryset=Invoice.objects.none())
    amount = _amount(_("amount"))
    reason = forms.CharField(label=_("reason"), max_length=300)

    def __init__(self, *args: Any, contract: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "invoice").queryset = contract.invoices.filter(open_amount__gt=0)


def _contacts(account: Any) -> Any:
    return Contact.objects.filter(account=account).order_by("name")


class PromiseForm(KamForm):
    amount = _amount(_("amount"))
    due_on = forms.DateField(label=_("will pay by"), widget=DATE)
    contact = forms.ModelChoiceField(
        label=_("promised by"), queryset=Contact.objects.none(), required=False
    )
    promised_by_name = forms.CharField(
        label=_("promised by (name)"), max_length=100, required=False
    )
    invoice = forms.ModelChoiceField(
        label=_("invoice"), queryset=Invoice.objects.none(), required=False
    )

    def __init__(self, *args: Any, contract: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "contact").queryset = _contacts(contract.account)
        _choice(self, "invoice").queryset = contract.invoices.all()


class _ExcuseField(forms.ModelChoiceField):
    """Excuses listed by their text in the page's language."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.text)


class CollectionContactForm(KamForm):
    """One conversation along POWER; a promise heard is recorded with it."""

    contacted_on = forms.DateField(label=_("date"), widget=DATE, initial=_today)
    contact = forms.ModelChoiceField(
        label=_("spoke with"), queryset=Contact.objects.none(), required=False
    )
    step = forms.ChoiceField(label=_("POWER step"), choices=PowerStep.choices)
    excuse = _ExcuseField(label=_("excuse heard"), queryset=Excuse.objects.all(), required=False)
    negotiation = forms.ChoiceField(
        label=_("negotiation outcome"),
        choices=NegotiationOutcome.choices,
        help_text=_("Aim for we win, they win: only it brings all the money in."),
    )
    note = forms.CharField(label=_("what was said"), widget=SHORT_TEXT, required=False)
    next_step = forms.CharField(label=_("next step"), max_length=300, required=False)
    next_step_on = forms.DateField(label=_("next step on"), widget=DATE, required=False)
    promise_amount = _amount(_("promised amount"), required=False)
    promise_due_on = forms.DateField(label=_("promised to pay by"), widget=DATE, required=False)

    def __init__(self, *args: Any, contract: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "contact").queryset = _contacts(contract.account)
        # The recommended response of the excuse picked is fetched beside the form (htmx).
        self.fields["excuse"].widget.attrs.update(
            {
                "hx-get": reverse("receivables:excuse_response"),
                "hx-trigger": "change",
                "hx-target": "#excuse-response",
                "hx-swap": "innerHTML",
            }
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("promise_amount")) != bool(data.get("promise_due_on")):
            raise forms.ValidationError(
                _("A promise to pay needs both the amount and the date."), code="promise"
            )
        return data


class CreditForm(KamForm):
    credit_limit = forms.DecimalField(
        label=_("credit limit"),
        max_digits=16,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Empty: no limit."),
    )
    on_hold = forms.BooleanField(label=_("on credit hold"), required=False)
    hold_reason = forms.CharField(label=_("hold reason"), max_length=300, required=False)


class DebtorTypeForm(KamForm):
    debtor_type = forms.ChoiceField(
        label=_("debtor type"),
        choices=[("", _("As suggested from payment history")), *DebtorType.choices],
        required=False,
    )


class ExtraSalesForm(KamForm):
    loss = _amount(_("bad debt"))
    net_margin_pct = forms.DecimalField(
        label=_("net margin (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=100,
    )


class FinancingCostForm(KamForm):
    amount = _amount(_("open receivable"))
    annual_rate_pct = forms.DecimalField(
        label=_("annual interest rate (%)"), max_digits=5, decimal_places=2, min_value=0
    )
    days_late = forms.IntegerField(label=_("days late"), min_value=0, max_value=3650)
    net_profit = forms.DecimalField(
        label=_("the sale's net profit"),
        max_digits=16,
        decimal_places=2,
        required=False,
    )


class CashPositionForm(KamForm):
    amount = _amount(_("the sale's amount"))
    gross_margin_pct = forms.DecimalField(
        label=_("gross margin (%)"), max_digits=5, decimal_places=2, min_value=0, max_value=100
    )
    collected = _amount(_("collected so far"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        collected, amount = data.get("collected"), data.get("amount")
        if collected is not None and amount is not None and collected > amount:
            self.add_error("collected", _("More cannot be collected than the sale's amount."))
        return data


class FinancingRateForm(KamForm):
    rate = forms.DecimalField(
        label=_("annual interest rate (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
    )


class AllocationForm(KamForm):
    """One amount per invoice of the payment's account; empty means nothing on that invoice."""

    def __init__(self, *args: Any, payment: Any, invoices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = {a.invoice_id: a.amount for a in payment.allocations.all()}
        for invoice in invoices:
            self.fields[f"invoice_{invoice.pk}"] = forms.DecimalField(
                label=_("%(number)s (open %(open)s, due %(due)s)")
                % {
                    "number": invoice.number,
                    "open": f"{invoice.open_amount + current.get(invoice.pk, 0):,.2f}",
                    "due": invoice.due_date.isoformat(),
                },
                max_digits=16,
                decimal_places=2,
                required=False,
                initial=current.get(invoice.pk),
                widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01"}),
            )

    def lines(self) -> list[tuple[int, Decimal]]:
        return [
            (int(name.removeprefix("invoice_")), amount)
            for name, amount in self.cleaned_data.items()
            if name.startswith("invoice_") and amount
        ]
