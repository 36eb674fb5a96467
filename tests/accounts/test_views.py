"""Account pages: who sees and changes what, and queries that do not grow with rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kam.accounts.models import Account, AccountNote, InstalledProduct
from kam.accounts.selectors import AccountFilters, account_list
from tests.accounts.factories import (
    AccountFactory,
    AccountMemberFactory,
    AccountNoteFactory,
    AccountPlanFactory,
    CompetitorPresenceFactory,
    GrowthLeverFactory,
    InstalledProductFactory,
    LatentNeedFactory,
    PlanActionFactory,
    PurchasingDepartmentFactory,
    SwotItemFactory,
    ValuePeriodFactory,
    won,
)
from tests.factories import ActivityFactory, ContactFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def count_queries(client, url):  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


# --- the list --------------------------------------------------------------------


def test_the_list_shows_only_visible_accounts_and_filters(org, login):
    AccountFactory(owner=org.rep, name="上海移动", tier="key")
    AccountFactory(owner=org.rep, name="上海联通", tier="general")
    AccountFactory(owner=org.north_rep, name="北京移动", tier="key")
    client = login(org.rep)
    page = client.get(reverse("accounts:list")).content.decode()
    assert "上海移动" in page and "上海联通" in page and "北京移动" not in page
    page = client.get(reverse("accounts:list") + "?tier=key").content.decode()
    assert "上海移动" in page and "上海联通" not in page
    page = client.get(reverse("accounts:list") + "?q=联通").content.decode()
    assert "上海联通" in page and "上海移动" not in page
    director = login(org.director).get(reverse("accounts:list")).content.decode()
    assert "北京移动" in director


def test_the_list_counts_and_adds_up_only_the_open_deals_of_each_account(org, login):
    busy = AccountFactory(owner=org.rep, name="上海移动")
    quiet = AccountFactory(owner=org.rep, name="上海联通")
    OpportunityFactory(account=busy, amount=Decimal("1000000"))
    OpportunityFactory(account=busy, amount=Decimal("2500000"))
    OpportunityFactory(account=busy, amount=Decimal("9000000"), status="won")
    OpportunityFactory(account=quiet, amount=Decimal("700000"), status="lost")
    rows = {a.name: a for a in account_list(org.rep, AccountFilters())}
    assert (rows["上海移动"].open_opportunities, rows["上海移动"].open_amount) == (
        2,
        Decimal("3500000"),
    )
    assert (rows["上海联通"].open_opportunities, rows["上海联通"].open_amount) == (0, None)
    page = login(org.rep).get(reverse("accounts:list") + "?sort=-amount").content.decode()
    assert page.index("上海移动") < page.index("上海联通")


def test_the_list_runs_the_same_queries_for_3_or_15_rows(org, login):
    client = login(org.east_manager)

    def build(n: int) -> None:
        for _ in range(n):
            account = AccountFactory(owner=org.rep, parent=AccountFactory(owner=org.rep))
            OpportunityFactory(account=account)
            AccountMemberFactory(account=account, user=org.rep2)

    build(3)
    few = count_queries(client, reverse("accounts:list"))
    build(12)
    many = count_queries(client, reverse("accounts:list"))
    assert few == many


# --- the 360 page -------------------------------------------------------------------


def _fill(account, n: int) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        AccountMemberFactory(account=account)
        ContactFactory(account=account)
        InstalledProductFactory(account=account)
        PurchasingDepartmentFactory(account=account)
        CompetitorPresenceFactory(account=account)
        AccountNoteFactory(account=account)
        SwotItemFactory(account=account, kind="SWOT"[i % 4])
        LatentNeedFactory(account=account, opportunity=OpportunityFactory(account=account))
        ValuePeriodFactory(account=account)
        ActivityFactory(account=account)
        AccountFactory(owner=account.owner, parent=account)
        won(account, 1000)
        AccountPlanFactory(account=account, year=1990 + i)


def test_the_360_page_shows_everything_in_a_fixed_number_of_queries(org, login):
    few = AccountFactory(owner=org.rep, margin_pct=Decimal(20))
    many = AccountFactory(owner=org.rep, margin_pct=Decimal(20))
    _fill(few, 3)
    _fill(many, 15)
    client = login(org.rep)
    assert count_queries(client, reverse("accounts:detail", args=[few.pk])) == count_queries(
        client, reverse("accounts:detail", args=[many.pk])
    )


def test_the_plan_page_runs_the_same_queries_for_3_or_15_items(org, login):
    client = login(org.rep)
    counts = []
    for n in (3, 15):
        plan = AccountPlanFactory(account=AccountFactory(owner=org.rep))
        for _ in range(n):
            GrowthLeverFactory(plan=plan)
            PlanActionFactory(objective__plan=plan)
        counts.append(
            count_queries(client, reverse("accounts:plan", args=[plan.account_id, plan.pk]))
        )
    assert counts[0] == counts[1]


def test_the_360_page_shows_the_profile_breakdown_and_notes(org, login):
    account = AccountFactory(owner=org.rep, name="上海移动", margin_pct=Decimal(15))
    AccountNoteFactory(account=account, text="客户明年扩容核心网")
    page = login(org.rep).get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert "上海移动" in page and "客户明年扩容核心网" in page
    assert "平均利润率" in page  # the breakdown names each criterion
    assert 'data-testid="qualification-score"' in page


# --- who sees and who changes (404 for the unseen, 403 for read-only) -----------------------


def test_a_rep_gets_404_for_another_teams_account_and_its_sub_pages(org, login):
    account = AccountFactory(owner=org.north_rep)
    item = InstalledProductFactory(account=account)
    plan = AccountPlanFactory(account=account)
    client = login(org.rep)
    for url in (
        reverse("accounts:detail", args=[account.pk]),
        reverse("accounts:edit", args=[account.pk]),
        reverse("accounts:plan", args=[account.pk, plan.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for url, data in (
        (reverse("accounts:edit", args=[account.pk]), {"name": "改名"}),
        (reverse("accounts:item_add", args=[account.pk, "installed"]), {"product": "x"}),
        (reverse("accounts:item_remove", args=[account.pk, "installed", item.pk]), {}),
        (reverse("accounts:member_add", args=[account.pk]), {"user": org.rep.pk}),
        (reverse("accounts:tier_override", args=[account.pk]), {"tier": "key"}),
        (reverse("accounts:plan_item", args=[account.pk, plan.pk, "lever"]), {}),
    ):
        assert client.post(url, data).status_code == 404, url
    assert InstalledProduct.objects.filter(pk=item.pk).exists()
    assert Account.objects.get(pk=account.pk).name == account.name


def test_an_item_of_another_account_is_not_reachable_through_my_account(org, login):
    mine = AccountFactory(owner=org.rep)
    theirs = InstalledProductFactory(account=AccountFactory(owner=org.north_rep))
    response = login(org.rep).post(
        reverse("accounts:item_remove", args=[mine.pk, "installed", theirs.pk])
    )
    assert response.status_code == 404
    assert InstalledProduct.objects.filter(pk=theirs.pk).exists()


def test_finance_reads_every_account_but_cannot_change_one(org, login):
    account = AccountFactory(owner=org.north_rep, name="北京移动")
    client = login(org.finance)
    assert "北京移动" in client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert client.get(reverse("accounts:edit", args=[account.pk])).status_code == 403
    assert client.get(reverse("accounts:create")).status_code == 403
    response = client.post(
        reverse("accounts:item_add", args=[account.pk, "note"]),
        {"text": "x", "source": "ours_network", "observed_on": "2026-01-01"},
    )
    assert response.status_code == 403
    assert not AccountNote.objects.exists()


def test_a_manager_edits_the_teams_accounts_through_the_page(org, login):
    account = AccountFactory(owner=org.rep, name="苏州银行")
    response = login(org.east_manager).post(
        reverse("accounts:item_add", args=[account.pk, "note"]),
        {"text": "行长换人", "source": "customer_staff", "observed_on": "2026-01-01"},
    )
    assert response.status_code == 302
    note = AccountNote.objects.get()
    assert note.author == org.east_manager and note.source == "customer_staff"


def test_creating_a_duplicate_through_the_form_offers_the_existing_account(org, login):
    existing = AccountFactory(owner=org.rep, name="宁波港集团")
    response = login(org.rep).post(
        reverse("accounts:create"),
        {
            "name": "宁波港集团",
            "owner": org.rep.pk,
            "industry": "transport",
            "nature": "state_owned",
            "scale": "large",
        },
    )
    assert response.status_code == 200
    assert reverse("accounts:detail", args=[existing.pk]) in response.content.decode()
    assert Account.objects.count() == 1


def test_a_stale_form_shows_the_conflict_and_keeps_the_other_edit(org, login):
    account = AccountFactory(owner=org.rep, name="杭州银行", city="杭州")
    Account.objects.filter(pk=account.pk).update(version=2, city="宁波")
    response = login(org.rep).post(
        reverse("accounts:edit", args=[account.pk]),
        {
            "name": "杭州银行",
            "owner": org.rep.pk,
            "industry": "finance",
            "nature": "private",
            "scale": "large",
            "city": "温州",
            "version": 1,
        },
    )
    assert response.status_code == 200
    assert Account.objects.get(pk=account.pk).city == "宁波"


def test_the_pyramid_and_matrix_count_only_visible_accounts(org, login):
    won(
        AccountFactory(
            owner=org.rep, tier="key", name="可见客户", purchase_potential=Decimal(10000000)
        ),
        5000000,
    )
    won(
        AccountFactory(
            owner=org.north_rep, tier="key", name="不可见客户", purchase_potential=Decimal(10000000)
        ),
        5000000,
    )
    client = login(org.rep)
    pyramid = client.get(reverse("accounts:pyramid") + "?tier=key")
    assert pyramid.status_code == 200
    assert pyramid.context["pyramid"].rows[0].accounts == 1
    page = pyramid.content.decode()
    assert "可见客户" in page and "不可见客户" not in page
    matrix = client.get(reverse("accounts:matrix"))
    assert matrix.context["points"] == 1
    [point] = [p for series in matrix.context["chart"]["series"] for p in series["data"]]
    visible = Account.objects.get(name="可见客户")
    assert point["url"] == reverse("accounts:detail", args=[visible.pk])
    assert "不可见客户" not in matrix.content.decode()
    assert login(org.director).get(reverse("accounts:matrix")).context["points"] == 2


def test_the_pyramid_stands_on_its_base_and_shows_no_share_as_a_dash(org, login):
    AccountFactory(owner=org.rep, tier="key")  # no sales, no margin: no shares of profit
    AccountFactory(owner=org.rep, tier="general")
    response = login(org.rep).get(reverse("accounts:pyramid"))
    funnel = response.context["chart"]["series"][0]
    # Sorted ascending, the smallest value is drawn narrowest and on top: the key accounts.
    assert funnel["sort"] == "ascending"
    rank = {item["url"].rsplit("=", 1)[1]: item["value"] for item in funnel["data"]}
    assert rank["key"] < rank["important"] < rank["general"]
    page = response.content.decode()
    assert "—%" not in page and "—</td>" in page


def test_amounts_are_grouped_by_thousands_in_chinese_as_in_english(org, login):
    won(AccountFactory(owner=org.rep, tier="key"), 56478133500)
    client = login(org.rep)
    for language in ("zh-hans", "en"):
        client.cookies["kam_language"] = language
        page = client.get(reverse("accounts:pyramid")).content.decode()
        assert "56,478,133,500" in page, language


def test_missing_financials_show_a_dash_and_present_ones_their_amount(org, login):
    blank = AccountFactory(owner=org.rep, annual_revenue=None, annual_profit=None)
    known = AccountFactory(owner=org.rep, annual_revenue=Decimal(1234567), annual_profit=None)
    client = login(org.rep)
    client.cookies["kam_language"] = "en"
    page = client.get(reverse("accounts:detail", args=[blank.pk])).content.decode()
    assert "Revenue this year — · Profit this year —" in page
    page = client.get(reverse("accounts:detail", args=[known.pk])).content.decode()
    assert "Revenue this year 1,234,567 · Profit this year —" in page


def test_plan_year_defaults_to_this_year(org, login):
    account = AccountFactory(owner=org.rep)
    response = login(org.rep).post(
        reverse("accounts:plan_create", args=[account.pk]),
        {"year": timezone.localdate().year, "share_goal_pct": "30"},
    )
    assert response.status_code == 302
    assert account.plans.get().share_goal_pct == Decimal(30)


# --- the add forms, loaded when their panel opens --------------------------------


def test_the_360_page_loads_its_add_forms_when_opened_and_only_for_editors(org, login):
    account = AccountFactory(owner=org.rep)
    client = login(org.rep)
    page = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    form_url = reverse("accounts:item_form", args=[account.pk, "note"])
    assert f'hx-get="{form_url}"' in page
    assert reverse("accounts:member_form", args=[account.pk]) in page
    note_form = client.get(form_url).content.decode()
    assert 'name="observed_on"' in note_form
    assert timezone.localdate().isoformat() in note_form
    assert reverse("accounts:item_add", args=[account.pk, "note"]) in note_form
    member_form = client.get(reverse("accounts:member_form", args=[account.pk])).content.decode()
    assert f'value="{org.north_rep.pk}"' in member_form
    assert (
        client.get(reverse("accounts:item_form", args=[account.pk, "nonsense"])).status_code == 404
    )
    # finance reads the account but gets no add forms; a rep of another team not even the page
    finance = login(org.finance)
    assert (
        form_url not in finance.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    )
    assert finance.get(form_url).status_code == 403
    assert login(org.north_rep).get(form_url).status_code == 404
    assert (
        login(org.north_rep).get(reverse("accounts:member_form", args=[account.pk])).status_code
        == 404
    )
