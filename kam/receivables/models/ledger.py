"""The ledger (DOMAIN.md §6): contracts and their payment plans, invoices, payments and
what reduces what is owed.

A :class:`Contract` has a payment plan of :class:`Installment` rows; :class:`Invoice`
rows are what the customer owes; a :class:`Payment` is cash received, spread over
invoices by :class:`Allocation` rows; :class:`CreditNote` and approved :class:`WriteOff`
rows reduce what is owed. Each invoice carries its running totals (paid, credited,
written off, open), kept by :mod:`kam.receivables.services` in the same transaction as
the ledger row, so aging reports aggregate one table.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.core.models import Versioned
from kam.core.money import MoneyField

ZERO = Decimal("0.00")
BOOKING_CURRENCY = "CNY"


class PaymentCondition(models.TextChoices):
    """What has to happen before an installment falls due (回款条件)."""

    SIGNING = "signing", _("On signing")
    DELIVERY = "delivery", _("On delivery")
    ACCEPTANCE = "acceptance", _("On acceptance")
    WARRANTY = "warranty", _("End of warranty")
    DATE = "date", _("On a fixed date")


class CreditStatus(models.TextChoices):
    """Whether a contract passed the credit check (§6, credit limits)."""

    CLEAR = "clear", _("Within credit limit")
    HELD = "held", _("Credit hold: awaiting finance approval")
    RELEASED = "released", _("Credit hold released by finance")


class Contract(Versioned):
    """A signed sale, from a won opportunity or standalone on an account."""

    account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="contracts",
    )
    opportunity = models.OneToOneField(
        "pipeline.Opportunity",
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contract",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contracts",
    )
    number = models.CharField(_("contract number"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    amount = MoneyField(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    currency = models.CharField(_("currency"), max_length=3, default=BOOKING_CURRENCY)
    gross_margin_pct = models.DecimalField(
        _("gross margin (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=30)
    reminder_days = models.PositiveSmallIntegerField(
        _("remind days before due"),
        default=7,
        help_text=_("Reminder this many days before each due date."),
    )
    signed_on = models.DateField(_("signed on"))
    invoiced_amount = MoneyField(_("invoiced"), default=ZERO, editable=False)
    credit_status = models.CharField(
        _("credit status"),
        max_length=20,
        choices=CreditStatus.choices,
        default=CreditStatus.CLEAR,
    )
    credit_note = models.CharField(_("credit check"), max_length=300, blank=True)
    credit_released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-signed_on", "-pk"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        indexes = [
            models.Index(fields=["account", "signed_on"]),
            # The complete-sales panel sums these per rep from the index alone.
            models.Index(
                fields=["owner", "amount", "gross_margin_pct"], name="recv_contract_owner_sales"
            ),
            # The cash forecast averages each account's payment terms from the index alone.
            models.Index(fields=["account", "payment_terms_days"], name="recv_contract_terms"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def uninvoiced_amount(self) -> Decimal:
        return self.amount - self.invoiced_amount


class Installment(models.Model):
    """One line of a contract's payment plan (回款计划)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="installments")
    sequence = models.PositiveSmallIntegerField(_("number"))
    amount = MoneyField(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    due_date = models.DateField(_("due date"), db_index=True)
    condition = models.CharField(
        _("condition"),
        max_length=20,
        choices=PaymentCondition.choices,
        default=PaymentCondition.DATE,
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Kept by kam.receivables.services.refresh_left_to_invoice whenever the plan or the
    # contract's invoiced total changes, so the cash forecast reads the lines still to
    # invoice from one partial index instead of running the plan against the invoices.
    left_to_invoice = MoneyField(_("left to invoice"), default=ZERO, editable=False)

    class Meta:
        ordering = ["contract", "due_date", "sequence"]
        indexes = [
            # The API's order, so a page of the plan lines is a walk of the index.
            models.Index(fields=["contract", "due_date", "sequence"], name="recv_installment_plan"),
            models.Index(
                fields=["contract", "due_date", "left_to_invoice"],
                name="recv_installment_to_invoice",
                condition=models.Q(left_to_invoice__gt=0),
            ),
        ]
        verbose_name = _("installment")
        verbose_name_plural = _("installments")

    def __str__(self) -> str:
        return f"{self.contract.number} #{self.sequence}"


class Invoice(Versioned):
    """What the customer owes: the unit of aging and of allocation."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="invoices")
    installment = models.ForeignKey(
        Installment,
        verbose_name=_("installment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invoices",
    )
    # Copied from the contract so aging groups by account, rep and team on one table.
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="invoices"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invoices",
    )
    number = models.CharField(_("invoice number"), max_length=40)
    issued_on = models.DateField(_("issued on"))
    due_date = models.DateField(_("due date"))
    # due_date.toordinal(), so "amount × days overdue" is plain arithmetic in any database.
    due_day = models.IntegerField(editable=False, default=0)
    amount = MoneyField(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    paid_amount = MoneyField(_("paid"), default=ZERO, editable=False)
    credited_amount = MoneyField(_("credited"), default=ZERO, editable=False)
    written_off_amount = MoneyField(_("written off"), default=ZERO, editable=False)
    open_amount = MoneyField(_("open"), default=ZERO, editable=False)
    paid_on = models.DateField(_("paid on"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        indexes = [
            models.Index(fields=["account", "due_date"]),
            models.Index(
                fields=["due_date"],
                name="recv_invoice_open_due",
                condition=models.Q(open_amount__gt=0),
            ),
            models.Index(fields=["owner", "due_date"]),
            # Everything aging, the overdue list and DSO read of the open invoices (a
            # seventh of all), so those queries scan an index alone, not the table:
            # per account (and visibility), and per rep or team.
            models.Index(
                fields=["account", "due_day", "open_amount"],
                name="recv_invoice_open_aging",
                condition=models.Q(open_amount__gt=0),
            ),
            models.Index(
                fields=["owner", "due_day", "open_amount"],
                name="recv_invoice_open_owner",
                condition=models.Q(open_amount__gt=0),
            ),
            # DSO's sales of the last days; collected per rep on the receivables page.
            models.Index(fields=["issued_on", "amount"], name="recv_invoice_issued"),
            # Each account's habitual delay (the cash forecast): paid invoices, index only.
            models.Index(
                fields=["account", "paid_on", "due_date"],
                name="recv_invoice_paid_late",
                condition=models.Q(paid_on__isnull=False),
            ),
            models.Index(fields=["owner", "paid_amount"], name="recv_invoice_owner_paid"),
            # The API lists invoices in this order: a page is a walk of the index.
            models.Index(fields=["due_date", "id"], name="recv_invoice_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(open_amount__gte=0)
                & models.Q(paid_amount__gte=0)
                & models.Q(credited_amount__gte=0)
                & models.Q(written_off_amount__gte=0),
                name="recv_invoice_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class CreditNote(models.Model):
    """A reduction of what an invoice asks for (red-letter invoice, 红字发票)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="credit_notes")
    number = models.CharField(_("credit note number"), max_length=40)
    issued_on = models.DateField(_("issued on"))
    amount = MoneyField(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")

    def __str__(self) -> str:
        return self.number


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    ACCEPTANCE_BILL = "acceptance_bill", _("Bank acceptance bill")
    CHEQUE = "cheque", _("Cheque")
    CASH = "cash", _("Cash")
    OTHER = "other", _("Other")


class Payment(Versioned):
    """Cash received from a customer; ``amount`` is in the booking currency (CNY)."""

    account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="payments",
    )
    received_on = models.DateField(_("received on"), db_index=True)
    amount = MoneyField(_("amount (CNY)"), validators=[MinValueValidator(Decimal("0.01"))])
    currency = models.CharField(_("currency"), max_length=3, default=BOOKING_CURRENCY)
    original_amount = MoneyField(_("amount in the currency paid"))
    exchange_rate = models.DecimalField(
        _("exchange rate to CNY"), max_digits=12, decimal_places=6, null=True, blank=True
    )
    method = models.CharField(
        _("method"),
        max_length=20,
        choices=PaymentMethod.choices,
        default=PaymentMethod.BANK_TRANSFER,
    )
    bank_reference = models.CharField(_("bank reference"), max_length=80, blank=True, db_index=True)
    unapplied_amount = MoneyField(_("unapplied credit"), default=ZERO, editable=False)
    possible_duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("probable duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [models.Index(fields=["account", "received_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unapplied_amount__gte=0),
                name="recv_payment_unapplied_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.received_on} {self.amount}"

    @property
    def allocated_amount(self) -> Decimal:
        return self.amount - self.unapplied_amount


class Allocation(models.Model):
    """The part of a payment that settles one invoice."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="allocations")
    amount = MoneyField(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["payment", "invoice__due_date", "pk"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "invoice"], name="recv_one_allocation_per_pair"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="recv_allocation_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.invoice_id}: {self.amount}"


class WriteOff(models.Model):
    """Bad debt written off an invoice; counts only once approved (finance or director)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="write_offs")
    amount = MoneyField(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("write-off")
        verbose_name_plural = _("write-offs")

    def __str__(self) -> str:
        return f"{self.invoice} −{self.amount}"
