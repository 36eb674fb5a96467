"""Buying circles, dated assessments, the influence map and the payment approval chain."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from kam.core.concurrency import ConflictError
from kam.stakeholders import influence_map, services
from kam.stakeholders.models import (
    Assessment,
    InfluenceLine,
    PaymentApprovalStep,
    Stakeholder,
)
from kam.stakeholders.selectors import buying_circle, payment_approval_chain
from tests.factories import AccountFactory, ContactFactory, OpportunityFactory
from tests.stakeholders.factories import InfluenceLineFactory, StakeholderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(org):
    return OpportunityFactory(account=AccountFactory(owner=org.rep))


# ---------------------------------------------------------------- roles


def test_a_person_may_hold_several_roles_and_the_coach_may_be_outside(org, deal):
    it_head = ContactFactory(account=deal.account, name="信息中心主任")
    member = services.add_stakeholder(
        deal,
        by=org.rep,
        contact=it_head,
        roles=["technical_gatekeeper", "user"],
        purchase_role="solution_evaluation",
        personal_win="系统稳定不背锅",
        business_result="可用率 99.99%",
    )
    assert set(member.roles) == {"technical_gatekeeper", "user"}
    ours = services.add_stakeholder(deal, by=org.rep, staff=org.rep2, roles=["coach"])
    partner = services.add_stakeholder(deal, by=org.rep, outside_name="集成商老周")
    assert ours.is_outside and ours.roles == ["coach"] and partner.roles == ["coach"]
    with pytest.raises(ValidationError, match="only be a coach"):
        services.add_stakeholder(deal, by=org.rep, outside_name="顾问", roles=["decision_maker"])


def test_a_role_on_an_opportunity_of_another_account_is_refused(org, deal):
    stranger = ContactFactory(account=AccountFactory(owner=org.rep))
    with pytest.raises(ValidationError, match="another customer"):
        services.add_stakeholder(deal, by=org.rep, contact=stranger, roles=["decision_maker"])
    assert not Stakeholder.objects.exists()


def test_the_same_person_twice_and_unknown_roles_are_refused(org, deal):
    person = ContactFactory(account=deal.account)
    services.add_stakeholder(deal, by=org.rep, contact=person, roles=["user"])
    with pytest.raises(ValidationError, match="already in the buying circle"):
        services.add_stakeholder(deal, by=org.rep, contact=person, roles=["coach"])
    member = Stakeholder.objects.get()
    with pytest.raises(ValidationError, match="Unknown buying role"):
        services.update_stakeholder(member, by=org.rep, expected_version=1, roles=["boss"])
    assert Stakeholder.objects.get().roles == ["user"]


# ---------------------------------------------------------------- assessments


def test_assessments_are_dated_history_and_the_latest_is_current(org, deal):
    member = StakeholderFactory(opportunity=deal, is_decision_maker=True)
    today = timezone.localdate()
    services.assess(
        member,
        by=org.rep,
        expected_version=1,
        assessed_on=today - timedelta(days=60),
        relationship="acquainted",
        support="neutral",
        innovation="pragmatic",
        style="A",
        influence="high",
        relationship_target="allied",
    )
    services.assess(member, by=org.rep, expected_version=2, relationship="trusting")
    # A late entry for last month goes into the history without replacing today's view.
    services.assess(
        member,
        by=org.rep,
        expected_version=3,
        assessed_on=today - timedelta(days=30),
        relationship="dating",
    )
    member.refresh_from_db()
    assert member.relationship == "trusting"
    trend = [a.relationship for a in buying_circle(deal)[0].assessments.all()]
    assert trend == ["acquainted", "dating", "trusting"]
    assert Assessment.objects.filter(stakeholder=member).count() == 3


def test_an_assessment_outside_its_scale_or_in_the_future_is_refused(org, deal):
    member = StakeholderFactory(opportunity=deal)
    with pytest.raises(ValidationError, match="not on the relationship scale"):
        services.assess(member, by=org.rep, expected_version=1, relationship="best friends")
    with pytest.raises(ValidationError, match="not on the interpersonal style scale"):
        services.assess(member, by=org.rep, expected_version=1, style="E")
    with pytest.raises(ValidationError, match="future"):
        services.assess(
            member,
            by=org.rep,
            expected_version=1,
            support="supporter",
            assessed_on=timezone.localdate() + timedelta(days=1),
        )
    with pytest.raises(ValidationError, match="at least one"):
        services.assess(member, by=org.rep, expected_version=1, support="")
    assert not Assessment.objects.exists()
    member.refresh_from_db()
    assert member.version == 1 and member.support == ""


def test_two_people_assessing_at_once_conflict_and_the_first_is_kept(org, deal):
    member = StakeholderFactory(opportunity=deal)
    services.assess(member, by=org.rep, expected_version=1, support="supporter")
    stale = Stakeholder.objects.get(pk=member.pk)
    stale.version = 1
    with pytest.raises(ConflictError):
        services.assess(stale, by=org.east_manager, expected_version=1, support="opponent")
    assert Stakeholder.objects.get(pk=member.pk).support == "supporter"
    assert Assessment.objects.count() == 1


def test_the_assessment_form_records_and_shows_the_trend(org, deal, login):
    member = StakeholderFactory(opportunity=deal, contact__name="郑总")
    client = login(org.rep)
    today = timezone.localdate()
    for version, (days, level) in enumerate([(20, "acquainted"), (0, "dating")], start=1):
        response = client.post(
            f"/people/members/{member.pk}/assess/",
            {
                "version": version,
                "assessed_on": (today - timedelta(days=days)).isoformat(),
                "relationship": level,
            },
        )
        assert response.status_code == 302
    page = client.get(f"/people/opportunities/{deal.pk}/").content.decode()
    assert "认识/?" in page and page.index("认识/?") < page.index("约会/?")  # the trend, in order
    stale = client.post(
        f"/people/members/{member.pk}/assess/",
        {"version": 1, "assessed_on": today.isoformat(), "relationship": "allied"},
        follow=True,
    )
    assert Stakeholder.objects.get(pk=member.pk).relationship == "dating"
    assert "alert" in stale.content.decode()


# ---------------------------------------------------------------- influence map


def test_the_map_of_a_small_account_shows_both_structures_marked_and_a_translated_legend(org):
    account = AccountFactory(owner=org.rep)
    boss = ContactFactory(account=account, name="王总", title="总经理")
    cfo = ContactFactory(account=account, name="钱总监", title="财务总监", reports_to=boss)
    it = ContactFactory(account=account, name="孙主任", title="信息中心主任", reports_to=boss)
    InfluenceLineFactory(source=cfo, target=boss, strength=InfluenceLine.Strength.STRONG)
    deal = OpportunityFactory(account=account)
    StakeholderFactory(
        opportunity=deal,
        contact=boss,
        is_decision_maker=True,
        support="supporter",
        influence="high",
        relationship="trusting",
    )
    StakeholderFactory(
        opportunity=deal, contact=it, is_technical_gatekeeper=True, support="opponent"
    )
    option = influence_map.map_option(*influence_map.account_map(account))
    series = option["series"][0]
    nodes = {n["name"]: n for n in series["data"]}
    assert set(nodes) == {"王总", "钱总监", "孙主任"}
    categories = [c["name"] for c in series["categories"]]
    assert categories[nodes["王总"]["category"]] == "Supporter"
    assert categories[nodes["孙主任"]["category"]] == "Opponent"
    assert categories[nodes["钱总监"]["category"]] == "Not assessed"
    assert nodes["王总"]["symbol"] == "diamond" and nodes["王总"]["symbolSize"] == 46
    assert nodes["王总"]["itemStyle"]["borderWidth"] == 4  # trusting
    assert nodes["孙主任"]["symbol"] == "rect"
    assert nodes["王总"]["url"] == f"/people/{boss.pk}/"
    formal = [(lk["source"], lk["target"]) for lk in series["links"] if lk["value"] == "reports to"]
    assert sorted(formal) == sorted([(f"c{cfo.pk}", f"c{boss.pk}"), (f"c{it.pk}", f"c{boss.pk}")])
    informal = [lk for lk in series["links"] if lk["value"] == "influences"]
    assert len(informal) == 1 and informal[0]["lineStyle"]["width"] == 4
    with translation.override("zh-hans"):
        chinese = influence_map.map_option(*influence_map.account_map(account))
    assert "支持者" in chinese["legend"][0]["data"]
    assert not {lk["value"] for lk in chinese["series"][0]["links"]} & {"reports to", "influences"}


def test_the_opportunity_map_holds_the_circle_and_outside_coaches(org, deal):
    a = ContactFactory(account=deal.account)
    b = ContactFactory(account=deal.account, reports_to=a)
    ContactFactory(account=deal.account)  # not in the circle: not on the deal's map
    StakeholderFactory(opportunity=deal, contact=a, is_decision_maker=True)
    StakeholderFactory(opportunity=deal, contact=b, is_user=True)
    services.add_stakeholder(deal, by=org.rep, staff=org.rep2)
    nodes, edges = influence_map.opportunity_map(deal)
    assert len(nodes) == 3 and [e.formal for e in edges] == [True]
    assert any(n.key.startswith("s") and n.roles == ("coach",) for n in nodes)


def _people(account, count):
    boss = ContactFactory(account=account)
    deal = OpportunityFactory(account=account)
    previous = boss
    for n in range(count):
        person = ContactFactory(account=account, reports_to=boss if n % 2 else previous)
        StakeholderFactory(opportunity=deal, contact=person, support="neutral")
        InfluenceLineFactory(source=person, target=previous)
        previous = person


def test_the_map_costs_the_same_queries_for_a_small_or_a_large_account(
    org, django_assert_max_num_queries
):
    small, large = AccountFactory(owner=org.rep), AccountFactory(owner=org.rep)
    _people(small, 3)
    _people(large, 40)
    for account in (small, large):
        with django_assert_max_num_queries(3):
            nodes, _edges = influence_map.account_map(account)
        influence_map.map_option(nodes, _edges)
    assert len(nodes) == 41


def test_two_people_editing_one_map_conflict_clearly_and_nothing_is_lost(org, deal, login):
    a = ContactFactory(account=deal.account, name="甲")
    b = ContactFactory(account=deal.account, name="乙")
    member = StakeholderFactory(opportunity=deal, contact=a)
    first = login(org.rep)
    response = first.post(
        f"/people/opportunities/{deal.pk}/map/role/",
        {"member": f"{member.pk}:1", "role": "decision_maker", "held": "1"},
    )
    assert response.status_code == 200
    from django.test import Client

    second = Client()
    second.force_login(org.east_manager)
    stale = second.post(
        f"/people/opportunities/{deal.pk}/map/role/",
        {"member": f"{member.pk}:1", "role": "user", "held": "1"},
    )
    assert stale.status_code == 409 and 'data-testid="map-error"' in stale.content.decode()
    assert Stakeholder.objects.get(pk=member.pk).roles == ["decision_maker"]
    # The same line drawn twice: the second is refused, the first stays.
    line = {"source": a.pk, "target": b.pk, "strength": 3}
    assert first.post(f"/people/accounts/{deal.account_id}/map/lines/", line).status_code == 200
    again = second.post(f"/people/accounts/{deal.account_id}/map/lines/", line)
    assert again.status_code == 422 and InfluenceLine.objects.count() == 1


def test_a_line_to_oneself_or_to_another_customer_is_refused(org, deal):
    a = ContactFactory(account=deal.account)
    other = ContactFactory(account=AccountFactory(owner=org.rep))
    with pytest.raises(ValidationError):
        services.add_influence_line(deal.account, source=a, target=a, by=org.rep)
    with pytest.raises(ValidationError):
        services.add_influence_line(deal.account, source=a, target=other, by=org.rep)
    assert not InfluenceLine.objects.exists()


# ---------------------------------------------------------------- payment approval chain


def _chain_people(account):
    return [
        ContactFactory(account=account, name=name, title=title)
        for name, title in [
            ("小吴", "采购助理"),
            ("韩经理", "采购部经理"),
            ("钱总监", "财务总监"),
            ("王总", "总经理"),
        ]
    ]


def test_the_payment_approval_chain_is_an_ordered_path_of_people(org, deal):
    people = _chain_people(deal.account)
    services.set_payment_approval_chain(
        deal.account, [(p, "发票无误" if i == 2 else "") for i, p in enumerate(people)], by=org.rep
    )
    chain = payment_approval_chain(org.rep, deal.account)
    assert [s.name for s in chain] == ["小吴", "韩经理", "钱总监", "王总"]
    assert [s.position for s in chain] == [1, 2, 3, 4] and chain[2].note == "发票无误"
    assert payment_approval_chain(org.north_rep, deal.account) == []
    # Reordered: the whole path is replaced.
    services.set_payment_approval_chain(
        deal.account,
        [(people[3], ""), (people[2], "")],
        by=org.rep,
        expected=[p.pk for p in people],
    )
    assert [s.name for s in payment_approval_chain(org.rep, deal.account)] == ["王总", "钱总监"]


def test_a_bad_or_stale_payment_chain_is_refused_and_the_recorded_one_kept(org, deal):
    people = _chain_people(deal.account)
    services.set_payment_approval_chain(
        deal.account, [(people[0], ""), (people[1], "")], by=org.rep
    )
    stranger = ContactFactory(account=AccountFactory(owner=org.rep))
    with pytest.raises(ValidationError, match="person at this customer"):
        services.set_payment_approval_chain(deal.account, [(stranger, "")], by=org.rep)
    with pytest.raises(ValidationError, match="twice"):
        services.set_payment_approval_chain(
            deal.account, [(people[2], ""), (people[2], "")], by=org.rep
        )
    with pytest.raises(ConflictError):
        services.set_payment_approval_chain(
            deal.account, [(people[3], "")], by=org.east_manager, expected=[people[0].pk]
        )
    assert list(
        PaymentApprovalStep.objects.order_by("position").values_list("contact__name", flat=True)
    ) == ["小吴", "韩经理"]


def test_the_account_page_edits_the_payment_chain_in_place(org, deal, login):
    people = _chain_people(deal.account)
    client = login(org.rep)
    page = client.get(f"/people/accounts/{deal.account_id}/").content.decode()
    assert 'data-testid="edit-chain"' in page
    url = f"/people/accounts/{deal.account_id}/payment-chain/"
    response = client.post(
        url,
        {"expected": "", "person_1": people[0].pk, "note_1": "单据齐全", "person_2": people[3].pk},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("小吴") < html.index("王总") and "单据齐全" in html
    stale = client.post(url, {"expected": "", "person_1": people[1].pk})
    assert stale.status_code == 409 and 'data-testid="chain-error"' in stale.content.decode()
    assert PaymentApprovalStep.objects.count() == 2
    assert login(org.finance).post(url, {"person_1": people[1].pk}).status_code == 403
    assert login(org.north_rep).post(url, {"person_1": people[1].pk}).status_code == 404
