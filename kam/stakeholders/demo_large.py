"""Large tenant: five people per account (100,000), with reports-to lines."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import OuterRef, Subquery

from kam.core.demo_large import LargeContext, bulk_insert
from kam.stakeholders.demo import CHART, GIVEN, SURNAMES
from kam.stakeholders.models import Contact


def load(ctx: LargeContext) -> None:
    rng = ctx.rng
    per = ctx.size.contacts_per_account
    account_ids = ctx.extra["account_ids"]

    def rows() -> Iterator[Contact]:
        for account_id in account_ids:
            for i in range(per):
                title, department, level = CHART[i % len(CHART)]
                yield Contact(
                    account_id=account_id,
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                    title=title,
                    department=department,
                    level=level,
                )

    ids = bulk_insert(Contact, rows(), log=ctx.log, label="people at customers")
    # Everyone reports to the first person of their account, who reports to nobody.
    first = Contact.objects.filter(account_id=OuterRef("account_id")).order_by("pk").values("pk")
    Contact.objects.update(reports_to_id=Subquery(first[:1]))
    tops = ids[::per]
    for start in range(0, len(tops), 5000):
        Contact.objects.filter(pk__in=tops[start : start + 5000]).update(reports_to=None)
    ctx.extra["contact_ids"] = ids
    ctx.extra["contacts_per_account"] = per
