"""What each deal stores for the stall rule stays equal to what its activities and stage
moves say, whatever the services do; and the stored filter finds what the rule finds."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kam.activities import selectors, services
from kam.activities.models import Activity, ActivityStatus, Kind, Outcome
from kam.pipeline.calculations import stall_verdict
from kam.pipeline.models import Opportunity, PipelineSettings, StageChange, Status
from tests.factories import AccountFactory
from tests.pipeline.factories import new_opportunity, qualify, walk_to

pytestmark = pytest.mark.django_db

DEALS = 3
OUTCOMES = [Outcome.ORDER, Outcome.ADVANCE, Outcome.CONTINUATION, Outcome.NO_SALE]

steps = st.lists(
    st.one_of(
        # plan an activity on a deal, held some days ago (planned, not yet judged)
        st.tuples(st.just("plan"), st.integers(0, DEALS - 1), st.integers(0, 90)),
        # record an outcome of the n-th activity planned so far
        st.tuples(st.just("record"), st.integers(0, 20), st.sampled_from(OUTCOMES)),
        # move the n-th activity to another deal of the account
        st.tuples(st.just("reassign"), st.integers(0, 20), st.integers(0, DEALS - 1)),
        # move a deal one stage on
        st.tuples(st.just("move"), st.integers(0, DEALS - 1), st.just(0)),
    ),
    max_size=14,
)


def expected(deal: Opportunity) -> tuple[str, str, datetime]:
    """The stall summary computed in Python from the raw rows."""
    judged = sorted(
        Activity.objects.filter(opportunity=deal, status=ActivityStatus.DONE).exclude(outcome=""),
        key=lambda a: (a.starts_at, a.pk),
        reverse=True,
    )
    newest = [a.outcome for a in judged[:2]] + ["", ""]
    moments = [deal.created_at]
    moments += [a.starts_at for a in judged if a.outcome in (Outcome.ADVANCE, Outcome.ORDER)]
    moments += list(
        StageChange.objects.filter(opportunity=deal).values_list("changed_at", flat=True)
    )
    return newest[0], newest[1], max(moments)


def stored(deal: Opportunity) -> tuple[str, str, datetime]:
    deal.refresh_from_db()
    return deal.last_outcome, deal.previous_outcome, deal.progressed_at


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=steps, stall_days=st.integers(1, 120))
def test_the_stored_summary_follows_every_service(org, plan, stall_days):  # type: ignore[no-untyped-def]
    with transaction.atomic():
        account = AccountFactory(owner=org.rep)
        deals = [new_opportunity(account, name=f"商机{n}") for n in range(DEALS)]
        long_ago = timezone.now() - timedelta(days=100)
        Opportunity.objects.filter(account=account).update(created_at=long_ago)
        StageChange.objects.filter(opportunity__account=account).update(changed_at=long_ago)
        assert services.refresh_deal_progress([d.pk for d in deals]) == DEALS
        activities: list[Activity] = []
        for action, a, b in plan:
            if action == "plan":
                activities.append(
                    services.plan_activity(
                        account=account,
                        opportunity=deals[a],
                        kind=Kind.SALES_VISIT,
                        owner=org.rep,
                        starts_at=timezone.now() - timedelta(days=b, hours=1),
                        objective="客户同意安排技术交流",
                        by=org.rep,
                    )
                )
            elif action == "record" and activities:
                activity = activities[a % len(activities)]
                activity.refresh_from_db()
                note = "客户同意下周做方案评审" if b in (Outcome.ADVANCE, Outcome.ORDER) else ""
                services.record_outcome(
                    activity, outcome=b, note=note, by=org.rep, expected_version=None
                )
            elif action == "reassign" and activities:
                activity = activities[a % len(activities)]
                activity.refresh_from_db()
                services.update_activity(
                    activity, by=org.rep, expected_version=None, opportunity=deals[b]
                )
            elif action == "move":
                deal = Opportunity.objects.get(pk=deals[a].pk)
                if deal.stage.key == "interest":
                    walk_to(qualify(deal), "brewing", by=org.rep)

        for deal in deals:
            assert stored(deal) == expected(deal)

        PipelineSettings.objects.update_or_create(pk=1, defaults={"stall_days": stall_days})
        today = timezone.localdate()
        by_rule = set()
        for deal in Opportunity.objects.filter(account=account, status=Status.OPEN):
            last, previous, progressed = expected(deal)
            verdict = stall_verdict(
                last_outcomes=[o for o in (last, previous) if o],
                last_progress=timezone.localdate(progressed),
                today=today,
                stall_days=stall_days,
            )
            if verdict.stalled:
                by_rule.add(deal.pk)
        found = selectors.stalled_deals(org.rep, today=today).filter(account=account)
        assert set(found.values_list("pk", flat=True)) == by_rule
        assert {s.opportunity.pk for s in selectors.explain_stalled(found)} == by_rule
        transaction.set_rollback(True)


def test_an_outcome_recorded_through_the_service_is_on_the_deal(org):
    deal = new_opportunity(AccountFactory(owner=org.rep))
    long_ago = timezone.now() - timedelta(days=90)
    Opportunity.objects.filter(pk=deal.pk).update(created_at=long_ago)
    StageChange.objects.filter(opportunity=deal).update(changed_at=long_ago)
    services.refresh_deal_progress([deal.pk])

    def visit(hours_ago: int):  # type: ignore[no-untyped-def]
        return services.plan_activity(
            account=deal.account,
            opportunity=deal,
            kind=Kind.SOLUTION_DEMO,
            owner=org.rep,
            starts_at=timezone.now() - timedelta(hours=hours_ago),
            objective="客户同意安排技术交流",
            by=org.rep,
        )

    talk, demo = visit(5), visit(2)
    deal.refresh_from_db()
    assert (deal.last_outcome, deal.previous_outcome) == ("", "")
    services.record_outcome(
        talk, outcome=Outcome.CONTINUATION, note="", by=org.rep, expected_version=talk.version
    )
    deal.refresh_from_db()
    # A continuation is an outcome, not progress: the deal still last moved 90 days ago.
    assert deal.last_outcome == Outcome.CONTINUATION
    assert deal.progressed_at == long_ago
    services.record_outcome(
        demo,
        outcome=Outcome.ADVANCE,
        note="客户同意下周安排方案评审",
        by=org.rep,
        expected_version=demo.version,
    )
    deal.refresh_from_db()
    assert (deal.last_outcome, deal.previous_outcome) == (Outcome.ADVANCE, Outcome.CONTINUATION)
    assert deal.progressed_at == demo.starts_at


def test_a_stage_move_is_progress(org):
    deal = new_opportunity(AccountFactory(owner=org.rep))
    Opportunity.objects.filter(pk=deal.pk).update(created_at=timezone.now() - timedelta(days=90))
    StageChange.objects.filter(opportunity=deal).update(
        changed_at=timezone.now() - timedelta(days=90)
    )
    services.refresh_deal_progress([deal.pk])
    assert selectors.stalled_deals(org.rep).filter(pk=deal.pk).exists()
    deal.refresh_from_db()
    walk_to(qualify(deal), "brewing", by=org.rep)
    assert not selectors.stalled_deals(org.rep).filter(pk=deal.pk).exists()
