"""The learned win probability: trained on closed history, judged on held-out deals."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from kam.forecasting import tasks
from kam.forecasting.models import OpportunityOdds, WinModel
from kam.forecasting.services import train_win_model
from kam.pipeline.models import Status
from kam.stakeholders.models import Stakeholder
from tests.factories import ContactFactory
from tests.forecasting.factories import AccountFactory, deal, history

pytestmark = pytest.mark.django_db


def with_coach(opportunity, day):  # type: ignore[no-untyped-def]
    Stakeholder.objects.create(
        opportunity=opportunity,
        contact=ContactFactory(account=opportunity.account),
        is_coach=True,
        is_decision_maker=True,
        added_on=day,
    )


@pytest.fixture
def closed_history(org):
    """Sixty closed deals: won exactly when the buying circle has a coach, whatever the stage."""
    today = timezone.localdate()
    account = AccountFactory(owner=org.rep)
    for i in range(60):
        closed_on = today - timedelta(days=3 + i * 5)
        won = i % 2 == 0
        status = Status.WON if won else Status.LOST
        opportunity = deal(account, "1000", "design", status=status, closed_on=closed_on)
        stages = ["interest", "brewing", "design"][: 1 + i % 3]
        history(
            opportunity,
            *[(key, closed_on - timedelta(days=40 - 10 * n)) for n, key in enumerate(stages)],
            closed=(status, closed_on),
        )
        if won:
            with_coach(opportunity, closed_on - timedelta(days=40))
    coached = deal(account, "5000", "brewing", name="有教练的商机")
    with_coach(coached, today)
    history(coached, ("interest", today - timedelta(days=20)), ("brewing", today))
    lonely = deal(account, "5000", "brewing", name="没有教练的商机")
    history(lonely, ("interest", today - timedelta(days=20)), ("brewing", today))
    return coached, lonely


def test_the_model_beats_the_configured_rates_on_held_out_deals(closed_history):
    model = train_win_model()
    accuracy = model.accuracy
    assert accuracy["held_out_deals"] == 15
    assert accuracy["model"]["brier"] < accuracy["configured"]["brier"] / 2
    assert accuracy["model"]["brier"] < accuracy["learned"]["brier"]
    bands = accuracy["configured"]["calibration"]
    assert sum(b["count"] for b in bands) == accuracy["held_out_examples"]


def test_each_open_deal_gets_a_probability_and_its_main_reasons(closed_history):
    train_win_model()
    good, bad = (OpportunityOdds.objects.get(opportunity=o) for o in closed_history)
    assert good.probability > 0.8 > 0.2 > bad.probability
    assert good.reasons[0]["feature"] == "coverage" and good.reasons[0]["effect"] > 0
    assert bad.reasons[0]["feature"] == "coverage" and bad.reasons[0]["effect"] < 0
    train_win_model()  # retraining replaces, never duplicates
    assert OpportunityOdds.objects.count() == 2
    assert WinModel.objects.count() == 2


def test_reasons_and_accuracy_are_shown_translated(org, closed_history, login):
    train_win_model()
    client = login(org.rep)
    drill = client.get(reverse("forecasting:opportunities"), {"period": "all"}).content.decode()
    assert "决策链覆盖充分" in drill and "决策链覆盖不足" in drill
    page = client.get(reverse("forecasting:accuracy")).content.decode()
    assert 'data-testid="brier-model"' in page and 'data-testid="brier-configured"' in page
    assert "留出" in page


def test_too_little_history_is_a_clear_error(org):
    with pytest.raises(ValidationError, match="Not enough closed history"):
        train_win_model()
    with pytest.raises(CommandError, match="Not enough closed history"):
        call_command("train_odds")
    assert not WinModel.objects.exists()


def test_command_and_task(closed_history):
    out = StringIO()
    call_command("train_odds", stdout=out)
    assert "model:" in out.getvalue() and "configured:" in out.getvalue()
    assert tasks.train_win_model.call() > 60
