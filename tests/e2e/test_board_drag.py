"""The funnel board in a browser: a deal dragged to the next column moves, and both column
heads count it where it now stands."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from kam.pipeline.models import Opportunity
from tests.factories import PASSWORD, AccountFactory, OpportunityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _count_and_amount(text: str) -> tuple[int, int]:
    """The column head's figures: "2 deals · 300,000" (or its Chinese) as (2, 300000)."""
    numbers = [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", text)]
    return numbers[0], numbers[-1]


def test_a_deal_dragged_to_the_next_column_moves_and_the_heads_follow(page, org):
    account = AccountFactory(owner=org.rep)
    qualified = {"has_need": True, "has_authority": True, "has_budget": True, "has_timeline": True}
    deal = OpportunityFactory(
        account=account, name="机房扩容项目", amount=Decimal("300000"), **qualified
    )
    stage = deal.stage
    following = stage.model.stages.filter(order__gt=stage.order).order_by("order").first()
    assert following is not None
    page.goto(f"{page.base_url}/login/")
    page.fill("#id_username", org.rep.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.on("dialog", lambda dialog: dialog.accept())  # the exit criteria of the stage left
    page.goto(f"{page.base_url}{reverse('pipeline:board')}")

    def column(stage_id: int):  # type: ignore[no-untyped-def]
        return page.locator(f"[data-board-column][data-stage-id='{stage_id}']")

    def head(stage_id: int) -> tuple[int, int]:
        return _count_and_amount(column(stage_id).get_by_test_id("column-total").inner_text())

    before_from, before_to = head(stage.pk), head(following.pk)
    card = column(stage.pk).get_by_test_id("board-card").filter(has_text="机房扩容项目")
    card.drag_to(column(following.pk).locator("[data-cards]"))

    column(following.pk).get_by_test_id("board-card").filter(has_text="机房扩容项目").wait_for()
    for _ in range(100):  # the heads come back with the card (out of band)
        if head(following.pk) != before_to:
            break
        page.wait_for_timeout(100)
    assert head(stage.pk) == (before_from[0] - 1, before_from[1] - 300000)
    assert head(following.pk) == (before_to[0] + 1, before_to[1] + 300000)
    assert Opportunity.objects.get(pk=deal.pk).stage_id == following.pk
    assert not page.console_errors, page.console_errors
