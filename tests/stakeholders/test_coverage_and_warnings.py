"""Coverage and early warnings at the right level (issue 23 §6): the 3–5 contacts rule per
deal and per key account over the last 90 days, the buyer-identity minefield on missing
information, entrenched interests in the opponent flag, the decisive factor without strategy.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kam.accounts.models import Tier
from kam.activities.models import ActivityStatus
from kam.pipeline import services as pipeline_services
from kam.stakeholders.models import RedFlagSettings, Stakeholder
from kam.stakeholders.red_flags import account_coverage
from tests.factories import AccountFactory, ActivityFactory, ContactFactory
from tests.stakeholders.test_red_flags import Deal, meet

pytestmark = pytest.mark.django_db


def english(user):  # type: ignore[no-untyped-def]
    user.language = "en"
    user.save(update_fields=["language"])
    return user


@pytest.fixture
def deal(org):  # type: ignore[no-untyped-def]
    return Deal(org.rep)


# --- the buyer-identity minefield fires on missing information ---------------------------


def test_no_decision_process_and_no_budget_are_flagged_on_the_deal_page(org, login, deal):
    opportunity = deal.opportunity
    opportunity.decision_who = ""
    opportunity.has_budget = False
    opportunity.save()
    flag = deal.flag("buyer_info_missing")
    assert "no decision process recorded" in flag.message and "no budget status" in flag.message
    panel = login(english(org.rep)).get(
        reverse("stakeholders:opportunity_panel", args=[opportunity.pk])
    )
    page = panel.content.decode()
    assert "The buying roles lack information: no decision process recorded" in page
    org.rep.language = "zh-hans"
    org.rep.save(update_fields=["language"])
    page = login(org.rep).get(reverse("stakeholders:opportunity", args=[opportunity.pk]))
    assert "决策链角色信息不全：未记录决策过程" in page.content.decode()

    opportunity.decision_how = "采购委员会投票"
    opportunity.save()
    with translation.override("en"):
        assert deal.flag("buyer_info_missing").message == (
            "The buying roles lack information: no budget status."
        )
    opportunity.has_budget = True
    opportunity.save()
    assert "buyer_info_missing" not in deal.codes()


# --- the 3–5 contacts rule counts the people met in the last 90 days ---------------------


def test_people_met_long_ago_no_longer_count_for_the_deal(deal):
    deal.opportunity.activities.all().delete()
    meet(deal.opportunity, deal.contacts["decider"], deal.contacts["user"], days_ago=120)
    meet(deal.opportunity, deal.contacts["gatekeeper"], days_ago=10)
    flag = deal.flag("few_people")
    assert flag.message == (
        "Only 1 people met at the customer in the last 90 days; successful reps reach 3 or more."
    )
    RedFlagSettings.objects.create(contact_window_days=150)
    assert "few_people" not in deal.codes()


def met_at(account, *people, days_ago):  # type: ignore[no-untyped-def]
    activity = ActivityFactory(
        account=account,
        status=ActivityStatus.DONE,
        starts_at=timezone.now() - timedelta(days=days_ago),
    )
    activity.contacts.set(people)


def test_a_key_account_with_too_few_people_met_is_flagged_on_its_page(org, login):
    account = AccountFactory(owner=org.rep, tier=Tier.KEY, name="上海移动")
    people = [ContactFactory(account=account, name=n) for n in ("王总", "刘主管", "陈工")]
    met_at(account, people[0], people[1], days_ago=20)
    met_at(account, people[2], days_ago=200)
    assert account_coverage([account])[account.pk].code == "account_few_people"
    page = login(english(org.rep)).get(reverse("stakeholders:account_panel", args=[account.pk]))
    assert (
        "Only 2 people of this key account met in the last 90 days; "
        "successful reps reach 3 or more."
    ) in page.content.decode()
    org.rep.language = "zh-hans"
    org.rep.save(update_fields=["language"])
    page = login(org.rep).get(reverse("stakeholders:account", args=[account.pk]))
    assert "最近 90 天在该大客户仅接触了 2 人" in page.content.decode()

    met_at(account, people[2], days_ago=3)
    panel = login(org.rep).get(reverse("stakeholders:account_panel", args=[account.pk]))
    assert 'data-testid="account-coverage-flag"' not in panel.content.decode()


def test_only_key_accounts_are_held_to_the_rule(org):
    general = AccountFactory(owner=org.rep, tier=Tier.GENERAL)
    key = AccountFactory(owner=org.rep, tier=Tier.KEY)
    assert set(account_coverage([general, key])) == {key.pk}


# --- entrenched interests in the opponent flag -------------------------------------------


def test_a_person_whose_interests_we_threaten_is_watched_like_an_opponent(org, login, deal):
    gatekeeper = deal.members["gatekeeper"]
    Stakeholder.objects.filter(pk=gatekeeper.pk).update(support="neutral")
    assert "opponent_unaddressed" not in deal.codes()
    gatekeeper.refresh_from_db()
    prefix = f"interests-{gatekeeper.pk}-"
    client = login(english(org.rep))
    response = client.post(
        reverse("stakeholders:member_interests", args=[gatekeeper.pk]),
        {
            prefix + "version": gatekeeper.version,
            prefix + "threatened_interests": "现供应商是他引进的，换掉会影响他的地位",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Entrenched interests threatened" in page and "现供应商是他引进的" in page
    flag = deal.flag("opponent_unaddressed")
    assert flag.people == ("陈工",)
    assert flag.message == (
        "Opponent with no action planned: 陈工; entrenched interests threatened: 陈工."
    )
    panel = client.get(reverse("stakeholders:opportunity_panel", args=[deal.opportunity.pk]))
    assert "entrenched interests threatened: 陈工" in panel.content.decode()
    # A planned meeting answers the flag, as for any opponent.
    meet(deal.opportunity, deal.contacts["gatekeeper"], days_ago=-2, status=ActivityStatus.PLANNED)
    assert "opponent_unaddressed" not in deal.codes()


def test_a_supporter_with_interests_at_stake_is_not_an_opponent(deal):
    Stakeholder.objects.filter(pk=deal.members["user"].pk).update(
        threatened_interests="部门预算会被压缩"
    )
    assert "opponent_unaddressed" not in deal.codes()


def test_the_api_records_the_interests(org, api, deal):
    member = deal.members["user"]
    answer = api(org.rep).patch(
        f"/api/v1/buying-circle/{member.pk}/",
        {"version": member.version, "threatened_interests": "怕失去运维外包的回扣"},
        format="json",
    )
    assert answer.status_code == 200
    assert answer.json()["threatened_interests"] == "怕失去运维外包的回扣"


# --- a decisive factor without strategy is a red flag too --------------------------------


def test_a_decisive_factor_we_trail_without_strategy_is_a_red_flag(org, deal):
    factor = pipeline_services.add_decision_factor(
        deal.opportunity, name="本地化服务", priority=1, standing="behind", by=org.rep
    )
    flag = deal.flag("factor_no_strategy")
    assert flag.message == "Decisive factor where we trail, with no strategy: 本地化服务."
    pipeline_services.update_decision_factor(
        factor, by=org.rep, strategy="a_to_b", strategy_actions="把评分重点引向响应时间"
    )
    assert "factor_no_strategy" not in deal.codes()
