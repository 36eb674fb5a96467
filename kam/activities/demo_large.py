"""Large tenant: 1,000,000 activities, mostly on opportunities, with participants."""

from __future__ import annotations

import time as time_module
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from kam.activities.demo import OBJECTIVES, OUTCOME_NOTES
from kam.activities.models import Activity, ActivityStatus, Kind, Outcome
from kam.activities.services import refresh_deal_progress
from kam.core.demo_large import LargeContext, bulk_insert
from kam.core.services.statistics import gather_planner_statistics


def load(ctx: LargeContext) -> None:
    rng = ctx.rng
    tz = timezone.get_current_timezone()
    opportunity_ids = ctx.extra["opportunity_ids"]
    meta = ctx.extra["opportunity_meta"]
    account_ids = ctx.extra["account_ids"]
    contact_ids = ctx.extra["contact_ids"]
    per = ctx.extra["contacts_per_account"]
    account_index = {pk: i for i, pk in enumerate(account_ids)}
    from kam.pipeline.models import Opportunity, StageChange

    opportunity_account = dict(Opportunity.objects.values_list("pk", "account_id"))
    participants: list[int] = []
    kinds = Kind.values

    def rows() -> Iterator[dict[str, Any]]:
        for _ in range(ctx.size.activities):
            k = rng.randrange(len(opportunity_ids))
            opportunity_id = opportunity_ids[k]
            _index, owner, _status, anchor = meta[k]
            account_id = opportunity_account[opportunity_id]
            planned = anchor >= ctx.today and rng.random() < 0.3
            day = (
                ctx.today + timedelta(days=rng.randint(0, 30))
                if planned
                else (anchor - timedelta(days=rng.randint(0, 200)))
            )
            outcome = (
                ""
                if planned
                else rng.choices(
                    [Outcome.ADVANCE, Outcome.CONTINUATION, Outcome.NO_SALE, Outcome.ORDER],
                    weights=[45, 40, 10, 5],
                )[0]
            )
            first_contact = account_index[account_id] * per
            participants.append(contact_ids[first_contact + rng.randrange(per)])
            yield {
                "account_id": account_id,
                "opportunity_id": opportunity_id,
                "kind": rng.choice(kinds),
                "owner_id": owner,
                "status": ActivityStatus.PLANNED if planned else ActivityStatus.DONE,
                "starts_at": datetime.combine(day, time(rng.choice([9, 10, 14, 15])), tzinfo=tz),
                "objective": rng.choice(OBJECTIVES),
                "outcome": outcome,
                "outcome_note": OUTCOME_NOTES.get(outcome, ""),
            }

    ids = bulk_insert(Activity, rows(), log=ctx.log, label="activities")
    through = Activity.contacts.through
    bulk_insert(
        through,
        ({"activity_id": a, "contact_id": c} for a, c in zip(ids, participants, strict=True)),
        log=ctx.log,
        label="activity participants",
    )
    # The stall rule's summary on every deal, from the rows just written: the same UPDATE
    # the services run for one deal.
    started = time_module.monotonic()
    # Statistics first: without them PostgreSQL's planner does not know the million rows
    # just written are there, and reads them all for each deal.
    gather_planner_statistics(tables=[Activity._meta.db_table, StageChange._meta.db_table])
    refresh_deal_progress(Opportunity.objects.all())
    elapsed = time_module.monotonic() - started
    ctx.log(f"deal progress: {len(opportunity_ids):,} deals in {elapsed:.1f} s")
