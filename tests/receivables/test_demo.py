"""The demo tenant's receivables: every debtor type, promises kept and broken, books balanced."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.db.models import F, Sum

from kam.core import demo
from kam.pipeline.models import Opportunity, Status
from kam.receivables import demo as receivables_demo
from kam.receivables import selectors
from kam.receivables.models import (
    AccountCredit,
    CollectionAlert,
    CollectionContact,
    Contract,
    Invoice,
    Payment,
    PaymentPromise,
)

pytestmark = pytest.mark.django_db


def _ledger() -> list[tuple[object, ...]]:
    return list(
        Invoice.objects.order_by("pk").values_list("number", "amount", "open_amount", "paid_on")
    )


def test_demo_receivables_are_realistic_balanced_and_deterministic():  # type: ignore[no-untyped-def]
    today = date(2026, 11, 25)
    ctx = demo.build(today=today, log=lambda _line: None)
    won = Opportunity.objects.filter(status=Status.WON).count()
    assert Contract.objects.count() == won > 0
    assert not Invoice.objects.exclude(
        amount=F("paid_amount") + F("credited_amount") + F("written_off_amount") + F("open_amount")
    ).exists()
    paid = Invoice.objects.aggregate(s=Sum("paid_amount"))["s"]
    assert Payment.objects.aggregate(s=Sum("amount"))["s"] == paid
    account_ids = list(Invoice.objects.values_list("account_id", flat=True).distinct())
    suggested = {t.value for t in selectors.debtor_types(account_ids, today).values()}
    assert {"when_due", "when_reminded", "when_pressed", "wont_pay"} <= suggested
    assert PaymentPromise.objects.filter(status="kept").exists()
    broken = PaymentPromise.objects.filter(status="broken")
    assert broken.exists() and CollectionAlert.objects.count() == broken.count()
    report = selectors.aging(ctx.users["finance"], "company", today=today)
    assert report.totals.overdue > 0 and report.totals.over_90 > 0
    # The same generator state gives the same receivables.
    receivables_demo.load(_wiped(ctx, seed=7))
    first = _ledger()
    receivables_demo.load(_wiped(ctx, seed=7))
    assert _ledger() == first


def _wiped(ctx, seed: int):  # type: ignore[no-untyped-def]
    for model in (CollectionContact, CollectionAlert, PaymentPromise, Payment, Contract):
        model.objects.all().delete()
    AccountCredit.objects.all().delete()
    ctx.rng = random.Random(seed)
    return ctx
