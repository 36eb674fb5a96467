"""Large tenant: 20,000 accounts spread over the reps, a few groups among them."""

from __future__ import annotations

from collections.abc import Iterator

from kam.accounts.demo import BRANDS, CITIES_BY_TEAM, INDUSTRY_NAMES
from kam.accounts.models import Account, Tier
from kam.core.demo_large import LargeContext, bulk_insert

CITIES = [city for cities in CITIES_BY_TEAM.values() for city in cities]


def load(ctx: LargeContext) -> None:
    rng = ctx.rng
    reps = ctx.rep_ids
    owners: list[int] = []

    def rows() -> Iterator[Account]:
        for n in range(ctx.size.accounts):
            industry, nature, stems, suffix = INDUSTRY_NAMES[n % len(INDUSTRY_NAMES)]
            owner = reps[n % len(reps)]
            owners.append(owner)
            city = rng.choice(CITIES)
            yield Account(
                # The number keeps 20,000 names unique and readable.
                name=f"{city}{rng.choice(BRANDS)}{rng.choice(stems)}{suffix}（{n + 1:05d}）",
                industry=industry,
                nature=nature,
                city=city,
                owner_id=owner,
                tier=rng.choices([Tier.KEY, Tier.IMPORTANT, Tier.GENERAL], weights=[10, 25, 65])[0],
            )

    ids = bulk_insert(Account, rows(), log=ctx.log, label="accounts")
    # Every 50th account is a group parent of the next three.
    for start in range(0, len(ids) - 4, 50):
        Account.objects.filter(pk__in=ids[start + 1 : start + 4]).update(parent_id=ids[start])
    ctx.extra["account_ids"] = ids
    ctx.extra["account_owner"] = owners
