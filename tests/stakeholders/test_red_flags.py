"""Red flags of a deal (DOMAIN.md §2.3), computed from the data every time.

A well-covered deal raises no flag at all; each test then breaks one thing and
sees the matching flag appear (and, where the rule has a way out, disappear
again when the rep acts).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from kam.activities.models import ActivityStatus
from kam.pipeline.models import CompetitionStatus
from kam.stakeholders import services
from kam.stakeholders.calculations import Severity
from kam.stakeholders.models import PolicyWatch, RedFlagSettings
from kam.stakeholders.red_flags import red_flags_for, red_flags_for_opportunities
from kam.stakeholders.selectors import flagged_deals, open_deals
from kam.stakeholders.views import FLAGS_PER_PAGE
from tests.factories import (
    AccountFactory,
    ActivityFactory,
    ContactFactory,
    OpportunityFactory,
    default_stage,
)
from tests.stakeholders.factories import StakeholderFactory

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def meet(deal, *people, days_ago=5, status=ActivityStatus.DONE):
    activity = ActivityFactory(
        account=deal.account,
        opportunity=deal,
        status=status,
        starts_at=timezone.now() - days_ago * DAY,
    )
    activity.contacts.set(people)
    return activity


class Deal:
    """A deal at the Commitment stage with all four roles found, met and trusting."""

    def __init__(self, owner):
        self.account = AccountFactory(owner=owner)
        self.opportunity = OpportunityFactory(
            account=self.account,
            stage=default_stage("commitment"),
            competition_status=CompetitionStatus.PRESENT,
            decision_who="王总拍板，采购委员会备案",
            has_budget=True,
        )
        self.members = {}
        for key, name, roles in [
            ("decider", "王总", {"is_decision_maker": True}),
            ("user", "刘主管", {"is_user": True}),
            ("gatekeeper", "陈工", {"is_technical_gatekeeper": True}),
            ("coach", "赵工", {"is_coach": True}),
        ]:
            self.members[key] = StakeholderFactory(
                opportunity=self.opportunity,
                contact=ContactFactory(account=self.account, name=name),
                relationship="trusting" if key == "decider" else "dating",
                support="supporter",
                influence="medium",
                **roles,
            )
        self.contacts = {k: m.contact for k, m in self.members.items()}
        meet(self.opportunity, self.contacts["decider"], self.contacts["user"], days_ago=10)
        meet(self.opportunity, self.contacts["gatekeeper"], self.contacts["coach"], days_ago=5)

    def codes(self):
        return {f.code for f in red_flags_for(self.opportunity)}

    def flag(self, code):
        return next(f for f in red_flags_for(self.opportunity) if f.code == code)


@pytest.fixture
def deal(org):
    return Deal(org.rep)


def test_a_well_covered_deal_raises_no_flag(deal):
    assert red_flags_for(deal.opportunity) == []


def test_every_flag_has_a_severity_an_explanation_and_a_next_action_in_both_languages(org):
    bare = OpportunityFactory(account=AccountFactory(owner=org.rep))
    PolicyWatch.objects.create(
        account=bare.account, title="国产化比例", review_on=timezone.localdate() - DAY
    )
    english = red_flags_for(bare)
    assert {"role_unidentified", "no_coach", "competition_unknown", "few_people"} <= {
        f.code for f in english
    }
    for flag in english:
        assert flag.severity in (Severity.HIGH, Severity.MEDIUM, Severity.LOW)
        assert flag.message and flag.next_action and flag.severity_label
    roles = next(f for f in english if f.code == "role_unidentified")
    assert "Decision maker" in roles.message and "Technical gatekeeper" in roles.message
    with translation.override("zh-hans"):
        chinese = red_flags_for(bare)
        texts = [(f.message, f.next_action, f.severity_label) for f in chinese]
        # A flag's words are those of whoever reads it (translated when shown).
        read_in_chinese = [(f.message, f.next_action) for f in english]
    for en, zh, (message, action, label) in zip(english, chinese, texts, strict=True):
        assert en.code == zh.code
        assert message != en.message and action != en.next_action
        assert label != en.severity_label
    assert read_in_chinese == [(m, a) for m, a, _label in texts]
    assert "决策者" in texts[[f.code for f in chinese].index("role_unidentified")][0]


def test_a_buying_role_nobody_holds_is_flagged(deal):
    gatekeeper = deal.members["gatekeeper"]
    services.update_stakeholder(gatekeeper, by=None, expected_version=1, roles=["user"])
    flag = deal.flag("role_unidentified")
    assert flag.severity == Severity.HIGH and "Technical gatekeeper" in flag.message
    services.update_stakeholder(
        gatekeeper, by=None, expected_version=2, roles=["user", "technical_gatekeeper"]
    )
    assert "role_unidentified" not in deal.codes()


def test_no_coach_is_flagged_and_a_coach_from_our_side_counts(org, deal):
    coach = deal.members["coach"]
    services.update_stakeholder(coach, by=None, expected_version=1, roles=[])
    assert "no_coach" in deal.codes()
    services.add_stakeholder(deal.opportunity, by=org.rep, staff=org.rep2, roles=["coach"])
    assert "no_coach" not in deal.codes()


def test_a_core_buyer_never_visited_is_flagged_until_met(deal):
    boss = ContactFactory(account=deal.account, name="孙副总")
    StakeholderFactory(opportunity=deal.opportunity, contact=boss, is_decision_maker=True)
    flag = deal.flag("never_visited")
    assert flag.people == ("孙副总",) and flag.severity == Severity.HIGH
    meet(deal.opportunity, boss, days_ago=1, status=ActivityStatus.PLANNED)
    assert "never_visited" in deal.codes()  # a plan is not a visit
    meet(deal.opportunity, boss, days_ago=1)
    assert "never_visited" not in deal.codes()


def test_a_buyer_who_moved_is_flagged_until_the_deal_has_an_activity_since(deal):
    gatekeeper = deal.contacts["gatekeeper"]
    services.update_contact(
        gatekeeper,
        by=None,
        expected_version=1,
        title="首席信息官",
        effective_on=timezone.localdate() - 2 * DAY,
    )
    assert deal.flag("buyer_moved").people == ("陈工",)
    meet(deal.opportunity, deal.contacts["decider"], days_ago=1)
    assert "buyer_moved" not in deal.codes()


def test_a_buyer_who_left_is_flagged(deal):
    user = deal.contacts["user"]
    services.update_contact(user, by=None, expected_version=1, has_left=True)
    assert deal.flag("buyer_moved").people == ("刘主管",)


def test_a_move_older_than_the_last_activity_is_not_flagged(deal):
    services.update_contact(
        deal.contacts["coach"],
        by=None,
        expected_version=1,
        department="规划部",
        effective_on=timezone.localdate() - 30 * DAY,
    )
    assert "buyer_moved" not in deal.codes()


def test_a_new_face_not_yet_met_is_flagged(deal):
    newcomer = ContactFactory(account=deal.account, name="周经理")
    StakeholderFactory(
        opportunity=deal.opportunity, contact=newcomer, added_on=timezone.localdate()
    )
    assert deal.flag("new_face").people == ("周经理",)
    meet(deal.opportunity, newcomer, days_ago=0)
    assert "new_face" not in deal.codes()


def test_the_new_face_window_is_a_setting(deal):
    newcomer = ContactFactory(account=deal.account, name="周经理")
    StakeholderFactory(
        opportunity=deal.opportunity, contact=newcomer, added_on=timezone.localdate() - 40 * DAY
    )
    assert "new_face" not in deal.codes()  # 30 days by default
    RedFlagSettings.objects.create(new_person_days=60)
    assert "new_face" in deal.codes()


def test_unknown_competition_is_flagged(deal):
    deal.opportunity.competition_status = CompetitionStatus.UNKNOWN
    deal.opportunity.save()
    assert deal.flag("competition_unknown").severity == Severity.MEDIUM
    deal.opportunity.competition_status = CompetitionStatus.NONE
    deal.opportunity.save()
    assert "competition_unknown" not in deal.codes()


def test_fewer_than_three_people_met_is_flagged_and_the_minimum_is_a_setting(org):
    lean = Deal(org.rep)
    lean.opportunity.activities.all().delete()
    meet(lean.opportunity, lean.contacts["decider"], lean.contacts["user"])
    flag = lean.flag("few_people")
    assert "Only 2 people" in flag.message and "3" in flag.message
    settings = RedFlagSettings.objects.create(min_people_engaged=2)
    assert "few_people" not in lean.codes()
    settings.min_people_engaged = 5
    settings.save()
    assert "few_people" in Deal(org.rep).codes()  # four people met, five asked for


def test_a_single_threaded_deal_is_flagged(org):
    lonely = Deal(org.rep)
    lonely.opportunity.activities.all().delete()
    meet(lonely.opportunity, lonely.contacts["coach"], days_ago=9)
    assert "single_threaded" not in lonely.codes()  # one activity is not yet a pattern
    meet(lonely.opportunity, lonely.contacts["coach"], days_ago=3)
    assert lonely.flag("single_threaded").severity == Severity.HIGH
    meet(lonely.opportunity, lonely.contacts["decider"], days_ago=1)
    assert "single_threaded" not in lonely.codes()


def test_an_influential_opponent_without_a_planned_action_is_flagged(deal):
    user = deal.members["user"]
    services.assess(user, by=None, expected_version=1, support="opponent", influence="medium")
    assert "opponent_unaddressed" not in deal.codes()  # not influential enough
    services.assess(user, by=None, expected_version=2, support="opponent", influence="high")
    assert deal.flag("opponent_unaddressed").people == ("刘主管",)
    meet(deal.opportunity, deal.contacts["user"], days_ago=-3, status=ActivityStatus.PLANNED)
    assert "opponent_unaddressed" not in deal.codes()


def test_a_decision_maker_below_trusting_at_commitment_is_flagged(deal):
    decider = deal.members["decider"]
    services.assess(decider, by=None, expected_version=1, relationship="dating")
    assert deal.flag("decider_not_trusting").people == ("王总",)
    deal.opportunity.stage = default_stage("design")  # 20 %: too early to demand trust
    deal.opportunity.save()
    assert "decider_not_trusting" not in deal.codes()


def test_the_stage_from_which_trust_is_required_is_a_setting(deal):
    services.assess(deal.members["decider"], by=None, expected_version=1, relationship="dating")
    RedFlagSettings.objects.create(trust_from_win_rate=Decimal(80))
    assert "decider_not_trusting" not in deal.codes()


def test_a_policy_note_past_its_review_date_is_flagged_until_reviewed(deal):
    watch = PolicyWatch.objects.create(
        account=deal.account, title="数据安全细则", review_on=timezone.localdate() + DAY
    )
    assert "policy_overdue" not in deal.codes()
    watch.review_on = timezone.localdate() - DAY
    watch.save()
    flag = deal.flag("policy_overdue")
    assert "数据安全细则" in flag.message and flag.severity == Severity.LOW
    watch.resolved = True
    watch.save()
    assert "policy_overdue" not in deal.codes()


def test_flags_are_ordered_most_severe_first(org):
    bare = OpportunityFactory(account=AccountFactory(owner=org.rep))
    PolicyWatch.objects.create(
        account=bare.account, title="补贴", review_on=timezone.localdate() - DAY
    )
    order = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}
    severities = [order[f.severity] for f in red_flags_for(bare)]
    assert severities == sorted(severities) and severities[-1] == 2


def _pipeline(owner, count):
    for _ in range(count):
        d = Deal(owner)
        services.assess(d.members["user"], by=None, expected_version=1, support="opponent")


def test_a_reps_whole_pipeline_costs_the_same_few_queries_for_few_or_many_deals(
    org, django_assert_max_num_queries
):
    # Two more than before issue 23: the people met lately and the decisive factors.
    _pipeline(org.rep, 2)
    with django_assert_max_num_queries(14):
        few = flagged_deals(open_deals(org.rep))
    assert len(few) == 2
    _pipeline(org.rep, 10)
    with django_assert_max_num_queries(14):
        many = flagged_deals(open_deals(org.rep))
    assert len(many) == 12


def test_flags_of_many_deals_match_the_flags_of_each(org):
    healthy = Deal(org.rep)
    broken = Deal(org.rep)
    services.update_stakeholder(broken.members["coach"], by=None, expected_version=1, roles=[])
    together = red_flags_for_opportunities(
        open_deals(org.rep).filter(pk__in=[healthy.opportunity.pk, broken.opportunity.pk])
    )
    assert together[healthy.opportunity.pk] == []
    assert [f.code for f in together[broken.opportunity.pk]] == [
        f.code for f in red_flags_for(broken.opportunity)
    ]
    assert "no_coach" in {f.code for f in together[broken.opportunity.pk]}


def test_the_pages_show_the_flags_of_the_rep_and_of_the_manager(org, login):
    mine = OpportunityFactory(account=AccountFactory(owner=org.rep), name="核心网扩容项目")
    OpportunityFactory(account=AccountFactory(owner=org.rep2), name="视频会议项目")
    rep_page = login(org.rep).get("/people/red-flags/").content.decode()
    assert "核心网扩容项目" in rep_page and "视频会议项目" not in rep_page
    assert "没有向导" in rep_page  # the explanation, in the page's language
    manager = login(org.east_manager).get("/people/red-flags/?scope=all").content.decode()
    assert "核心网扩容项目" in manager and "视频会议项目" in manager
    panel = login(org.rep).get(f"/people/opportunities/{mine.pk}/decision-chain/")
    assert "寻找向导" in panel.content.decode()  # the next action
    assert login(org.north_rep).get(f"/people/opportunities/{mine.pk}/").status_code == 404


def test_the_pipeline_page_shows_a_page_of_deals_in_the_same_queries_for_many(
    org, login, django_assert_max_num_queries
):
    _pipeline(org.rep, 2)
    client = login(org.rep)
    with CaptureQueriesContext(connection) as few:
        client.get("/people/red-flags/")
    _pipeline(org.rep, FLAGS_PER_PAGE)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/people/red-flags/")
    assert len(response.context["deal_flags"]) == FLAGS_PER_PAGE
    rest = client.get("/people/red-flags/", {"page": 2}).context["deal_flags"]
    assert len(rest) == 2
