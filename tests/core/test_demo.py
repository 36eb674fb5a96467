"""The demo tenant loads, is deterministic, and refuses a non-empty database."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kam.accounts.models import Account, Tier
from kam.core.models import Role, User
from kam.pipeline.models import Opportunity, Status
from kam.stakeholders.models import Contact

pytestmark = pytest.mark.django_db(transaction=False)


def test_demo_builds_a_realistic_tenant_and_prints_the_logins():
    out = StringIO()
    call_command("demo", "--today", "2026-11-25", stdout=out)
    assert "Kam-demo-2026" in out.getvalue() and "director" in out.getvalue()
    assert User.objects.filter(role=Role.REP).count() == 12
    assert Account.objects.count() == 150
    assert Account.objects.filter(tier=Tier.KEY).exists()
    assert Account.objects.exclude(parent=None).exists()
    assert Contact.objects.count() > 500
    for status in Status.values:
        assert Opportunity.objects.filter(status=status).exists()
    assert User.objects.get(username="rep").check_password("Kam-demo-2026")


def test_demo_is_deterministic():
    from kam.core import demo

    demo.build(today=date(2026, 11, 25), log=lambda _line: None)
    first = list(Account.objects.order_by("pk").values_list("name", "tier", "owner__username"))
    amounts = list(Opportunity.objects.order_by("pk").values_list("amount", flat=True))
    # Same seed into a second, fresh build: wipe and rebuild inside the test transaction.
    for model in (Opportunity,):
        model.objects.all().delete()
    from django.apps import apps

    for label in ("activities.Activity", "stakeholders.Contact", "accounts.AccountMember"):
        apps.get_model(label).objects.all().delete()
    Account.objects.update(parent=None)
    Account.objects.all().delete()
    from kam.core.models import Team

    User.objects.all().delete()
    Team.objects.update(parent=None)
    Team.objects.all().delete()
    demo.build(today=date(2026, 11, 25), log=lambda _line: None)
    again = list(Account.objects.order_by("pk").values_list("name", "tier", "owner__username"))
    assert again == first
    assert list(Opportunity.objects.order_by("pk").values_list("amount", flat=True)) == amounts


def test_demo_refuses_a_database_with_data_unless_asked_to_skip(org):
    with pytest.raises(CommandError, match="already has data"):
        call_command("demo", stdout=StringIO())
    out = StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert "left as it is" in out.getvalue()
