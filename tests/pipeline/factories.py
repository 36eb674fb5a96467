"""Factories and helpers for the funnel's tests."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from kam.pipeline import services
from kam.pipeline.models import Opportunity, Stage
from tests.factories import AccountFactory, OpportunityFactory, default_stage

__all__ = ["OpportunityFactory", "default_stage", "new_opportunity", "stage"]


def stage(key: str) -> Stage:
    return default_stage(key)


def new_opportunity(account=None, *, by=None, **fields) -> Opportunity:  # type: ignore[no-untyped-def]
    """An opportunity created through the service, as a user would (first StageChange included)."""
    account = account or AccountFactory()
    params = {
        "name": "核心网扩容项目",
        "amount": Decimal("500000"),
        "owner": account.owner,
        "expected_close_date": timezone.localdate() + timedelta(days=60),
    }
    params.update(fields)
    return services.create_opportunity(account=account, by=by or account.owner, **params)


def qualify(opportunity: Opportunity) -> Opportunity:
    return services.update_opportunity(
        opportunity,
        by=None,
        expected_version=opportunity.version,
        has_need=True,
        has_authority=True,
        has_budget=True,
        has_timeline=True,
    )


def walk_to(opportunity: Opportunity, key: str, *, by=None) -> Opportunity:  # type: ignore[no-untyped-def]
    """Move forward to ``key`` confirming every exit criterion on the way."""
    target = stage(key)
    passed = Stage.objects.filter(model=target.model, order__lt=target.order).values_list(
        "pk", flat=True
    )
    return services.move_opportunity(
        opportunity,
        target,
        by=by or opportunity.owner,
        expected_version=opportunity.version,
        confirmed_exit_stages=list(passed),
    )
