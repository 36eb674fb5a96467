"""Targets: explicit or rolled up from members; set by managers; never negative."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kam.core.concurrency import ConflictError
from kam.forecasting.models import Metric, Target
from kam.forecasting.periods import parse_period
from kam.forecasting.selectors import target_for
from kam.forecasting.services import set_target

pytestmark = pytest.mark.django_db
Q4 = parse_period("2026-Q4")


def test_team_target_rolls_up_from_members_and_sub_teams_unless_set(org):
    set_target(
        metric=Metric.BOOKINGS, period=Q4, amount="1000.50", user=org.rep, by=org.east_manager
    )
    set_target(metric=Metric.BOOKINGS, period=Q4, amount="2000", user=org.rep2, by=org.east_manager)
    shanghai = target_for(Metric.BOOKINGS, Q4, team=org.shanghai)
    assert shanghai.explicit is None and shanghai.rolled_up == Decimal("3000.50")
    assert shanghai.effective == Decimal("3000.50")
    # The region rolls up from its sub-team; its own manager's target counts too.
    set_target(
        metric=Metric.BOOKINGS, period=Q4, amount="500", user=org.east_manager, by=org.director
    )
    assert target_for(Metric.BOOKINGS, Q4, team=org.east).effective == Decimal("3500.50")
    # An explicit team target wins, and the page still shows the roll-up beside it.
    set_target(
        metric=Metric.BOOKINGS, period=Q4, amount="4000", team=org.shanghai, by=org.east_manager
    )
    shanghai = target_for(Metric.BOOKINGS, Q4, team=org.shanghai)
    assert (shanghai.explicit, shanghai.rolled_up) == (Decimal("4000"), Decimal("3000.50"))
    assert target_for(Metric.BOOKINGS, Q4, team=org.east).effective == Decimal("4500")
    assert target_for(Metric.BOOKINGS, Q4).effective == Decimal("4500")
    # Collections are a separate metric; another period is separate too.
    assert target_for(Metric.COLLECTIONS, Q4, team=org.shanghai).effective is None
    assert target_for(Metric.BOOKINGS, parse_period("2026-11"), user=org.rep).effective is None


@pytest.mark.parametrize("amount", ["-1", "-0.01", "abc", "1.001", "NaN", "Infinity"])
def test_bad_amounts_are_refused_and_nothing_is_saved(org, amount):
    with pytest.raises(ValidationError):
        set_target(metric=Metric.BOOKINGS, period=Q4, amount=amount, user=org.rep, by=org.director)
    assert not Target.objects.exists()


def test_only_managers_of_the_scope_directors_and_admins_set_targets(org):
    for who, kwargs in [
        (org.rep, {"user": org.rep}),
        (org.finance, {"user": org.rep}),
        (org.north_manager, {"user": org.rep}),
        (org.north_manager, {"team": org.shanghai}),
        (org.east_manager, {}),  # the company
    ]:
        with pytest.raises(PermissionDenied):
            set_target(metric=Metric.BOOKINGS, period=Q4, amount="1", by=who, **kwargs)
    assert not Target.objects.exists()
    set_target(metric=Metric.BOOKINGS, period=Q4, amount="9", by=org.admin)
    assert target_for(Metric.BOOKINGS, Q4).explicit == Decimal("9")


def test_setting_again_updates_the_one_target_and_refuses_a_stale_edit(org):
    first = set_target(metric=Metric.BOOKINGS, period=Q4, amount="1", user=org.rep, by=org.director)
    set_target(
        metric=Metric.BOOKINGS,
        period=Q4,
        amount="2",
        user=org.rep,
        by=org.director,
        expected_version=first.version,
    )
    assert Target.objects.get().amount == Decimal("2")
    with pytest.raises(ConflictError):
        set_target(
            metric=Metric.BOOKINGS,
            period=Q4,
            amount="3",
            user=org.rep,
            by=org.director,
            expected_version=first.version,
        )
    assert Target.objects.get().amount == Decimal("2")


def test_targets_page_shows_explicit_and_rolled_up_and_saves(org, login):
    client = login(org.east_manager)
    set_target(metric=Metric.BOOKINGS, period=Q4, amount="100", user=org.rep, by=org.director)
    page = client.get(reverse("forecasting:targets"), {"period": "2026-Q4"}).content.decode()
    assert "100.00" in page and org.shanghai.name in page
    response = client.post(
        reverse("forecasting:set_target"),
        {
            "metric": "bookings",
            "period": "2026-Q4",
            "scope": f"team:{org.shanghai.pk}",
            "amount": "-5",
            "back": "period=2026-Q4",
        },
        follow=True,
    )
    assert "below zero" in response.content.decode() or "不能小于零" in response.content.decode()
    assert not Target.objects.filter(team=org.shanghai).exists()
    client.post(
        reverse("forecasting:set_target"),
        {
            "metric": "bookings",
            "period": "2026-Q4",
            "scope": f"team:{org.shanghai.pk}",
            "amount": "250000",
            "back": "period=2026-Q4",
        },
    )
    assert Target.objects.get(team=org.shanghai).amount == Decimal("250000")


def test_a_rep_cannot_set_targets_through_the_page(org, login):
    client = login(org.rep)
    client.post(
        reverse("forecasting:set_target"),
        {"metric": "bookings", "period": "2026-Q4", "scope": f"rep:{org.rep.pk}", "amount": "1"},
    )
    assert not Target.objects.exists()
    response = client.post(
        reverse("forecasting:set_target"),
        {
            "metric": "bookings",
            "period": "2026-Q4",
            "scope": f"rep:{org.north_rep.pk}",
            "amount": "1",
        },
    )
    assert response.status_code == 404
