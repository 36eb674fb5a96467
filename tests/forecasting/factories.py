"""Factories of the forecast area."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from kam.pipeline.models import Opportunity, SmallSale, StageChange, Status
from tests.factories import AccountFactory, OpportunityFactory, default_stage

STAGE_KEYS = ["interest", "brewing", "design", "comparison", "commitment", "use"]


def deal(
    account, amount, stage="interest", *, close=None, status=Status.OPEN, closed_on=None, **kw
):  # type: ignore[no-untyped-def]
    fields = {
        "account": account,
        "amount": Decimal(amount),
        "stage": default_stage(stage),
        "status": status,
        "closed_on": closed_on,
    }
    if close is not None:
        fields["expected_close_date"] = close
    fields.update(kw)
    return OpportunityFactory(**fields)


def small_sale(account, amount, sold_on: date, owner=None) -> SmallSale:  # type: ignore[no-untyped-def]
    return SmallSale.objects.create(
        account=account,
        owner=owner or account.owner,
        description="备件",
        amount=Decimal(amount),
        sold_on=sold_on,
    )


def history(
    opportunity: Opportunity, *moves: tuple[str, date], closed: tuple[str, date] | None = None
) -> None:
    """StageChange rows: each (stage key, day) entered; then optionally (status, day) closed."""
    tz = timezone.get_current_timezone()
    previous = None
    for key, day in moves:
        stage = default_stage(key)
        StageChange.objects.create(
            opportunity=opportunity,
            from_stage=previous,
            to_stage=stage,
            changed_at=datetime.combine(day, time(10), tzinfo=tz),
        )
        previous = stage
    if closed is not None:
        status, day = closed
        StageChange.objects.create(
            opportunity=opportunity,
            from_stage=previous,
            to_stage=previous,
            status=status,
            changed_at=datetime.combine(day, time(17), tzinfo=tz),
        )


__all__ = ["STAGE_KEYS", "AccountFactory", "deal", "history", "small_sale"]
