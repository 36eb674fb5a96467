"""An account's credit (DOMAIN.md §6): its limit, hold and debtor type, and the payment
habits the cash forecast applies."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.core.models import Versioned
from kam.core.money import MoneyField


class DebtorType(models.TextChoices):
    """债务人的种类 (§6)."""

    PAYS_WHEN_DUE = "when_due", _("Pays when due")
    PAYS_WHEN_REMINDED = "when_reminded", _("Pays when reminded")
    PAYS_WHEN_PRESSED = "when_pressed", _("Pays when pressed")
    WONT_PAY = "wont_pay", _("Won't pay")


class AccountCredit(Versioned):
    """An account's credit limit, credit hold and debtor type (§6)."""

    account = models.OneToOneField(
        "accounts.Account", on_delete=models.CASCADE, related_name="credit"
    )
    credit_limit = MoneyField(_("credit limit"), null=True, blank=True)
    on_hold = models.BooleanField(_("on credit hold"), default=False)
    hold_reason = models.CharField(_("hold reason"), max_length=300, blank=True)
    # Empty means "use the type suggested from the payment history".
    debtor_type = models.CharField(
        _("debtor type"), max_length=20, choices=DebtorType.choices, blank=True
    )

    class Meta:
        verbose_name = _("account credit")
        verbose_name_plural = _("account credit")

    def __str__(self) -> str:
        return str(self.account)


class PaymentHabit(models.Model):
    """How an account pays, as the cash forecast applies it (its habitual lateness and terms).

    ``delay_days``: its average lateness on the invoices it paid in the year before the
    day of :class:`PaymentHabitsAsOf`, rounded, never negative; ``terms_days``: the whole
    days of its contracts' average payment terms (none without a contract). Written only
    by :func:`kam.receivables.services.refresh_payment_habits`: for the accounts a payment
    or a contract changes, at once; for every account once a day, as the year moves on.
    """

    account = models.OneToOneField(
        "accounts.Account", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    delay_days = models.PositiveIntegerField(default=0)
    terms_days = models.IntegerField(null=True)

    def __str__(self) -> str:
        return f"{self.account_id}: +{self.delay_days} d, terms {self.terms_days}"


class PaymentHabitsAsOf(models.Model):
    """The day the stored payment habits hold for (one row). A forecast for another day
    computes the habits itself, and asks once that day for them to be refreshed."""

    as_of = models.DateField(null=True)
    # The day a refresh was last queued, so that every server asks once a day, not per page.
    requested_on = models.DateField(null=True)

    def __str__(self) -> str:
        return str(self.as_of)
