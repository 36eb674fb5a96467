"""The one visibility rule, attacked through the UI, the API, lists and totals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from kam.accounts.visibility import can_edit_account, visible_accounts
from kam.core.visibility import visible_users
from tests.factories import AccountFactory, AccountMemberFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(org):  # type: ignore[no-untyped-def]
    """One account per rep, with one open opportunity each."""
    own = AccountFactory(name="上海自有客户", owner=org.rep)
    teammate = AccountFactory(name="同组同事客户", owner=org.rep2)
    other = AccountFactory(name="北京他组客户", owner=org.north_rep)
    OpportunityFactory(account=own, amount=Decimal("100.00"))
    OpportunityFactory(account=teammate, amount=Decimal("20.00"))
    OpportunityFactory(account=other, amount=Decimal("3.00"))
    return own, teammate, other


def names(queryset) -> set[str]:  # type: ignore[no-untyped-def]
    return set(queryset.values_list("name", flat=True))


def test_rep_sees_only_own_and_account_team_accounts(org, book):
    own, _teammate, other = book
    assert names(visible_accounts(org.rep)) == {own.name}
    AccountMemberFactory(account=other, user=org.rep)
    assert names(visible_accounts(org.rep)) == {own.name, other.name}


def test_manager_sees_their_subtree_only(org, book):
    own, teammate, other = book
    assert names(visible_accounts(org.east_manager)) == {own.name, teammate.name}
    assert names(visible_accounts(org.north_manager)) == {other.name}


def test_director_admin_and_finance_see_everything(org, book):
    for user in (org.director, org.admin, org.finance):
        assert names(visible_accounts(user)) == {a.name for a in book}


def test_finance_reads_but_does_not_edit(org, book):
    assert not can_edit_account(org.finance, book[0])
    assert can_edit_account(org.rep, book[0])
    assert not can_edit_account(org.rep, book[2])
    assert can_edit_account(org.director, book[2])


def test_inactive_user_sees_nothing(org, book):
    org.director.is_active = False
    org.director.save()
    assert not visible_accounts(org.director).exists()


def test_visible_users_follow_the_team_tree(org):
    assert set(visible_users(org.rep)) == {org.rep}
    east = set(visible_users(org.east_manager))
    assert {org.rep, org.rep2, org.east_manager} <= east
    assert org.north_rep not in east


def test_rep_cannot_open_another_teams_account_by_id(org, book, login):
    client = login(org.rep)
    assert client.get(reverse("accounts:detail", args=[book[0].pk])).status_code == 200
    response = client.get(reverse("accounts:detail", args=[book[2].pk]))
    assert response.status_code == 404
    assert book[2].name not in response.content.decode()


def test_rep_list_and_totals_exclude_other_accounts(org, book, login):
    client = login(org.rep)
    page = client.get(reverse("accounts:list")).content.decode()
    assert book[0].name in page
    assert book[1].name not in page and book[2].name not in page
    home = client.get(reverse("reports:panel", args=["agenda"]))
    assert home.context["board"].summary.open_amount == Decimal("100.00")
    funnel = client.get(reverse("forecasting:funnel"))
    assert funnel.context["totals"].total == Decimal("100.00")
    opportunities = client.get(reverse("pipeline:list")).content.decode()
    assert book[2].name not in opportunities


def test_manager_totals_roll_up_the_subtree(org, book, login):
    funnel = login(org.east_manager).get(reverse("forecasting:funnel"))
    assert funnel.context["totals"].total == Decimal("120.00")


def test_rep_cannot_read_another_teams_account_through_the_api(org, book, api):
    client = api(org.rep)
    response = client.get(f"/api/v1/accounts/{book[2].pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    listed = client.get("/api/v1/accounts/").json()
    assert [row["name"] for row in listed["results"]] == [book[0].name]
    assert listed["count"] == 1


def test_outsider_gets_nothing(book, client, api):
    assert client.get(reverse("accounts:list")).status_code == 302
    assert api().get("/api/v1/accounts/").status_code == 401
