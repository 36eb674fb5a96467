"""Attitude and product usage as segmentation fields; credit standing and payment record in
the qualification score (issue 23 §6; DOMAIN.md §1.2 criterion 5, §1.3)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from kam.accounts import calculations as calc
from kam.accounts import selectors
from kam.accounts.models import Account
from kam.receivables import services as receivables
from kam.receivables.models import Contract, Invoice
from tests.accounts.factories import AccountFactory

TODAY = date(2026, 6, 30)


# --- the payment record and the credit standing, as plain calculations ------------------


def test_the_payment_record_is_the_share_of_the_amount_due_paid_on_time():
    invoices = [
        (date(2026, 3, 1), date(2026, 2, 28), D(300)),  # early
        (date(2026, 4, 1), date(2026, 4, 1), D(100)),  # on the day
        (date(2026, 5, 1), date(2026, 5, 20), D(400)),  # late
        (date(2026, 6, 1), None, D(200)),  # overdue, unpaid: late
        (date(2026, 7, 15), None, D(999)),  # not due yet: left out
    ]
    assert calc.on_time_pct(invoices, TODAY) == D("40.0")
    assert calc.on_time_pct([(date(2026, 7, 15), None, D(10))], TODAY) is None


def test_criterion_five_scores_the_mean_of_cycle_record_and_standing():
    criteria = [calc.Criterion("payment", D(10), D(180), D(30))]
    values = {"payment": (D(105), True)}  # 50 on the cycle's scale
    assert calc.qualify(values, criteria).lines[0].score == D(50)
    parts = calc.PaymentParts(on_time_pct=D(80), credit_standing="fair")
    line = calc.qualify(values, criteria, parts).lines[0]
    assert line.value == D(105) and line.score == D("60.0")  # (50 + 80 + 50) / 3
    poor = calc.PaymentParts(credit_standing="poor")
    assert calc.qualify(values, criteria, poor).lines[0].score == D(25)
    # Only the standing known: it alone scores the criterion, which is no longer missing.
    alone = calc.qualify({}, criteria, calc.PaymentParts(credit_standing="good"))
    assert alone.lines[0].score == D(100) and alone.missing == []


# --- from the data, on the account page and in the API -----------------------------------


def books(account: Account) -> None:
    today = timezone.localdate()
    contract = Contract.objects.create(
        account=account,
        number=f"HT-{account.pk}",
        name="核心网",
        amount=D(1000000),
        gross_margin_pct=D(30),
        signed_on=today - timedelta(days=200),
    )
    for number, due_days_ago, paid_days_ago in (("FP-1", 100, 100), ("FP-2", 40, 10)):
        Invoice.objects.create(
            contract=contract,
            account=account,
            number=f"{number}-{account.pk}",
            issued_on=today - timedelta(days=due_days_ago + 30),
            due_date=today - timedelta(days=due_days_ago),
            amount=D(200000),
            paid_amount=D(200000),
            paid_on=today - timedelta(days=paid_days_ago),
        )


@pytest.mark.django_db
def test_a_late_payer_on_credit_hold_scores_lower_and_the_page_says_why(org, login):
    account = AccountFactory(owner=org.rep, credit_standing="good")
    books(account)
    before = selectors.assessment_for(account)
    assert before.payment.on_time_pct == D(50) and before.payment.credit_standing == "good"
    assert not before.payment.credit_computed
    receivables.set_credit(
        account,
        by=org.finance,
        expected_version=None,
        credit_limit=D(100),
        on_hold=True,
        hold_reason="逾期未付",
    )
    after = selectors.assessment_for(account)
    assert after.payment.credit_standing == "poor" and after.payment.credit_computed
    payment = {line.key: line for line in after.qualification.lines}["payment"]
    assert payment.score < {line.key: line for line in before.qualification.lines}["payment"].score

    org.rep.language = "en"
    org.rep.save(update_fields=["language"])
    page = login(org.rep).get(reverse("accounts:detail", args=[account.pk])).content.decode()
    parts = page[page.index('data-testid="payment-parts"') :]
    parts = parts[: parts.index("</tr>")]
    assert "Paid on time: 50%" in parts and "Credit standing: Poor (on credit hold)" in parts

    org.rep.language = "zh-hans"
    org.rep.save(update_fields=["language"])
    page = login(org.rep).get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert "按时付款: 50%" in page and "信用状况: 较差 (信用冻结)" in page


@pytest.mark.django_db
def test_the_api_gives_the_parts_of_criterion_five(org, api):
    account = AccountFactory(owner=org.rep, credit_standing="fair")
    books(account)
    body = api(org.rep).get(f"/api/v1/accounts/{account.pk}/qualification/").json()
    assert body["payment"]["on_time_pct"] == "50.0"
    assert body["payment"]["credit_standing"] == "fair"
    assert body["payment"]["credit_standing_computed"] is False
    lines = {line["key"]: line for line in body["lines"]}
    assert body["payment"]["score"] == lines["payment"]["score"]


# --- attitude and product usage segment the accounts -------------------------------------


@pytest.mark.django_db
def test_attitude_and_usage_are_set_on_the_form_and_filter_the_list(org, login):
    keen = AccountFactory(owner=org.rep, name="热情客户", attitude="enthusiastic")
    AccountFactory(owner=org.rep, name="冷淡客户", attitude="negative", product_usage="former")
    org.rep.language = "en"
    org.rep.save(update_fields=["language"])
    client = login(org.rep)
    form = client.get(reverse("accounts:edit", args=[keen.pk])).content.decode()
    assert "Attitude toward us" in form and "Heavy user" in form
    listing = client.get(reverse("accounts:list"), {"attitude": "enthusiastic"}).content.decode()
    assert "热情客户" in listing and "冷淡客户" not in listing
    assert "Any attitude" in listing and "Any usage" in listing
    listing = client.get(reverse("accounts:list"), {"product_usage": "former"}).content.decode()
    assert "冷淡客户" in listing and "热情客户" not in listing
    page = client.get(reverse("accounts:detail", args=[keen.pk])).content.decode()
    assert 'data-testid="account-attitude">Enthusiastic<' in page


@pytest.mark.django_db
def test_the_api_reads_writes_and_filters_the_segmentation(org, api):
    account = AccountFactory(owner=org.rep, name="甲客户")
    AccountFactory(owner=org.rep, name="乙客户", product_usage="light")
    client = api(org.rep)
    row = client.get(f"/api/v1/accounts/{account.pk}/").json()
    changed = client.patch(
        f"/api/v1/accounts/{account.pk}/",
        {"attitude": "positive", "product_usage": "heavy", "version": row["version"]},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["attitude"] == "positive" and changed.json()["product_usage"] == "heavy"
    names = [
        r["name"] for r in client.get("/api/v1/accounts/?product_usage=heavy").json()["results"]
    ]
    assert names == ["甲客户"]
    refused = client.patch(
        f"/api/v1/accounts/{account.pk}/",
        {"attitude": "sulky", "version": changed.json()["version"]},
        format="json",
    )
    assert refused.status_code == 400 and "attitude" in refused.json()["error"]["details"]
