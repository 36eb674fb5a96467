"""The kanban funnel board: columns, lazy columns, drag to move (issue 5 no. 5)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kam.activities.models import Kind
from kam.pipeline import services
from kam.pipeline.models import Stage, StageChange
from kam.pipeline.selectors import BOARD_PAGE
from kam.stakeholders.red_flags import red_flags_for
from tests.factories import AccountFactory, ActivityFactory, OpportunityFactory
from tests.pipeline.factories import new_opportunity, qualify, stage, walk_to

pytestmark = pytest.mark.django_db

BOARD = reverse("pipeline:board")
#: The board page of a manager, whatever the number of cards: the session and user, the
#: filters' choices, the columns and their cards, and what the cards show (the red
#: flags' bounded reads, the funnel screen's settings, the people met lately, the decisive
#: factors, the next activities).
BOARD_QUERIES = 26


def english(user):  # type: ignore[no-untyped-def]
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def cards(page: str) -> list[str]:
    return re.findall(r'id="card-(\d+)"', page)


def test_one_column_per_stage_of_the_default_model_with_the_deals_in_it(org, login):
    deal = new_opportunity(AccountFactory(owner=org.rep), name="看板项目")
    qualify(deal)
    deal.refresh_from_db()
    walk_to(deal, "design")
    new_opportunity(AccountFactory(owner=org.north_rep), name="别组项目")
    response = login(org.rep).get(BOARD)
    columns = response.context["columns"]
    assert [c.stage.key for c in columns] == [
        "interest",
        "brewing",
        "design",
        "comparison",
        "commitment",
        "use",
    ]
    assert [c.count for c in columns] == [0, 0, 1, 0, 0, 0]
    page = response.content.decode()
    assert "看板项目" in page and "别组项目" not in page
    assert "pipeline/board.js" in page
    assert "<script>" not in page  # no inline scripts under the CSP


def test_columns_load_lazily_and_queries_do_not_grow_with_cards(
    org, login, django_assert_max_num_queries
):
    account = AccountFactory(owner=org.rep)
    OpportunityFactory(account=account)
    client = login(org.rep)
    with CaptureQueriesContext(connection) as few:
        client.get(BOARD)
    OpportunityFactory.create_batch(BOARD_PAGE + 10, account=account)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(BOARD)
    first = response.context["columns"][0]
    assert first.count == BOARD_PAGE + 11
    assert len(cards(response.content.decode())) == BOARD_PAGE
    more = reverse("pipeline:board_column", args=[first.stage.pk])
    assert more in response.content.decode()
    rest = client.get(more, {"offset": first.next_offset}).content.decode()
    assert len(cards(rest)) == 11
    assert 'data-testid="column-more"' not in rest


def test_board_filters_by_owner(org, login):
    new_opportunity(AccountFactory(owner=org.rep), name="甲")
    new_opportunity(AccountFactory(owner=org.rep2), name="乙", owner=org.rep2)
    response = login(org.east_manager).get(BOARD, {"owner": org.rep2.pk})
    assert sum(c.count for c in response.context["columns"]) == 1
    assert "乙" in response.content.decode()


def drop(client, opportunity, key, **extra):  # type: ignore[no-untyped-def]
    data = {"to_stage": stage(key).pk, "version": opportunity.version, **extra}
    return client.post(reverse("pipeline:board_move", args=[opportunity.pk]), data)


def test_dropping_forward_needs_the_exit_criteria_confirmed(org, login):
    deal = new_opportunity(AccountFactory(owner=org.rep))
    client = login(english(org.rep))
    response = drop(client, deal, "brewing")
    assert "Confirm the exit criteria" in response.content.decode()
    assert f'data-stage-id="{stage("interest").pk}"' in response.content.decode()
    deal.refresh_from_db()
    assert deal.stage.key == "interest"
    response = drop(client, deal, "brewing", confirmed_exit_stages=str(stage("interest").pk))
    page = response.content.decode()
    assert f'data-stage-id="{stage("brewing").pk}"' in page
    assert "Moved to Brewing." in page
    deal.refresh_from_db()
    assert deal.stage.key == "brewing"
    # moving back needs no confirmation
    assert "Moved to Interest." in drop(client, deal, "interest").content.decode()


def test_two_people_drag_the_same_card_the_second_sees_a_conflict(org, login):
    deal = new_opportunity(AccountFactory(owner=org.rep))
    loaded = deal.version
    client = login(org.rep)
    drop(client, deal, "brewing", confirmed_exit_stages=str(stage("interest").pk))
    response = client.post(
        reverse("pipeline:board_move", args=[deal.pk]),
        {"to_stage": stage("interest").pk, "version": loaded},
    )
    page = response.content.decode()
    assert "此记录已被他人修改" in page
    assert f'data-stage-id="{stage("brewing").pk}"' in page
    deal.refresh_from_db()
    assert deal.stage.key == "brewing"
    assert StageChange.objects.filter(opportunity=deal).count() == 2


def test_a_stage_of_another_model_is_refused(org, login):
    deal = new_opportunity(AccountFactory(owner=org.rep))
    other = Stage.objects.exclude(model=deal.stage.model).first()
    assert other is not None
    client = login(english(org.rep))
    response = client.post(
        reverse("pipeline:board_move", args=[deal.pk]),
        {"to_stage": other.pk, "version": deal.version},
    )
    assert "That stage belongs to another stage model." in response.content.decode()
    deal.refresh_from_db()
    assert deal.stage.key == "interest"


def test_cards_of_another_team_cannot_be_moved(org, login):
    deal = new_opportunity(AccountFactory(owner=org.north_rep))
    response = drop(login(org.rep), deal, "interest")
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["rep", "east_manager", "director"])
def test_a_teams_board_costs_the_same_queries_for_few_or_many_cards(
    org, login, who, django_assert_max_num_queries
):
    # A rep and a manager get their deals' keys in one query, a director each column off
    # the index: either way the count must not follow the number of cards.
    account = AccountFactory(owner=org.rep)
    OpportunityFactory(account=account, name="最早的项目")
    client = login(getattr(org, who))
    with CaptureQueriesContext(connection) as few:
        client.get(BOARD)
    OpportunityFactory.create_batch(BOARD_PAGE * 2 + 5, account=account)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(BOARD)
    first = response.context["columns"][0]
    assert first.count == BOARD_PAGE * 2 + 6
    assert len(first.cards) == BOARD_PAGE
    assert first.cards[0].deal.name == "最早的项目"  # same close date: the older deal first
    second = client.get(
        reverse("pipeline:board_column", args=[first.stage.pk]), {"offset": first.next_offset}
    )
    third = client.get(
        reverse("pipeline:board_column", args=[first.stage.pk]),
        {"offset": first.next_offset + BOARD_PAGE},
    )
    shown = cards(response.content.decode()) + cards(second.content.decode())
    shown += cards(third.content.decode())
    assert len(shown) == len(set(shown)) == BOARD_PAGE * 2 + 6


def test_a_drop_brings_back_both_column_heads_with_their_new_counts(org, login):
    account = AccountFactory(owner=org.rep)
    deal = new_opportunity(account)
    new_opportunity(account)
    client = login(english(org.rep))
    page = drop(client, deal, "brewing", confirmed_exit_stages=str(stage("interest").pk))
    page = page.content.decode()
    left = page.split(f'id="column-total-{stage("interest").pk}" hx-swap-oob="true"')[1]
    entered = page.split(f'id="column-total-{stage("brewing").pk}" hx-swap-oob="true"')[1]
    assert left.split("</div>")[0].split(">", 1)[1].startswith("1 deal · ")
    assert entered.split("</div>")[0].split(">", 1)[1].startswith("1 deal · ")


def test_six_columns_fit_a_desktop_screen(org, login):
    page = login(org.rep).get(reverse("pipeline:board")).content.decode()
    assert 'style="flex: 1 0 12.5rem; max-width: 18rem"' in page
    assert "width: 16rem" not in page


def _card(page: str, pk: int) -> str:
    """The HTML of one card of a board page."""
    start = page.index(f' id="card-{pk}"')
    end = page.find(' id="card-', start + 1)
    return page[start : end if end != -1 else len(page)]


def test_a_card_shows_what_a_manager_reviews_in_a_pinned_number_of_queries(
    org, login, django_assert_num_queries
):
    deal = new_opportunity(AccountFactory(owner=org.rep), name="复核项目")
    services.record_evaluation(deal, answers={1: "yes", 2: "yes", 3: "unsure"}, by=org.rep)
    total = deal.evaluations.get().total_score
    visit = ActivityFactory(
        account=deal.account,
        opportunity=deal,
        kind=Kind.SOLUTION_DEMO,
        starts_at=timezone.now() + timedelta(days=3),
    )
    ActivityFactory(  # a later one is not the next
        account=deal.account, opportunity=deal, starts_at=timezone.now() + timedelta(days=9)
    )
    flags = len(red_flags_for(deal))
    assert flags > 0  # a new deal with nobody known in its buying circle raises some
    client = login(english(org.east_manager))
    client.get(BOARD)  # settings rows created on first use are not the board's cost
    with django_assert_num_queries(BOARD_QUERIES):
        page = client.get(BOARD).content.decode()
    card = _card(page, deal.pk)
    assert f'data-testid="card-owner">{org.rep}<' in card
    assert f'data-testid="card-red-flags">{flags}<' in card
    assert f'data-testid="card-evaluation">{total} / 40 · gates 0/4<' in card
    assert (
        'data-testid="card-gates-failed">Is it a project?、Is it our opportunity?、'
        "Can we win?、Is it worth it?<" in card
    )
    assert 'data-testid="card-reevaluate"' not in card  # evaluated just now, in its stage
    when = timezone.localtime(visit.starts_at).date().isoformat()
    assert (
        f'data-testid="card-next-activity">Solution demo · <span class="text-nowrap">{when}</span><'
        in card
    )
    for label in ("Owner", "Red flags", "Evaluation", "Next activity"):
        assert f"<dt>{label}</dt>" in card


def test_a_card_without_an_evaluation_or_a_planned_activity_says_so(org, login):
    deal = new_opportunity(AccountFactory(owner=org.rep))
    ActivityFactory(  # done, or past: not planned ahead
        account=deal.account, opportunity=deal, starts_at=timezone.now() - timedelta(days=2)
    )
    card = _card(login(english(org.rep)).get(BOARD).content.decode(), deal.pk)
    assert 'data-testid="card-evaluation">—<' in card
    assert 'data-testid="card-gates-failed"' not in card
    assert 'data-testid="card-reevaluate">Never evaluated<' in card
    assert 'data-testid="card-next-activity">None planned<' in card
    moved = drop(login(org.rep), deal, "interest")  # the card answered after a drop
    assert 'data-testid="card-red-flags"' in moved.content.decode()
