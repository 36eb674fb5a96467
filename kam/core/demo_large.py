"""The large benchmark tenant (issue 9): a sales organisation of two hundred reps
with three years of history, generated deterministically with bulk inserts.

``kam demo --scale large`` calls, in dependency order, the ``load(ctx)`` of each
area's ``demo_large`` module. Each part streams its rows in batches so memory
stays small, and keeps in the context only the ids later parts need.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from importlib import import_module
from itertools import islice
from typing import Any, TypeVar

from django.contrib.auth.hashers import make_password
from django.db import models, transaction

from kam.core.demo import DEMO_PASSWORD, SEED
from kam.core.models import Role, Team, User

T = TypeVar("T")

AREAS = [
    "kam.core.demo_large",
    "kam.accounts.demo_large",
    "kam.stakeholders.demo_large",
    "kam.pipeline.demo_large",
    "kam.activities.demo_large",
    "kam.forecasting.demo_large",
    "kam.receivables.demo_large",
]

BATCH = 5000


@dataclass(frozen=True)
class Size:
    """How big the tenant is; ``LARGE`` is the benchmark tenant of issue 9."""

    teams: int = 30
    reps: int = 200
    accounts: int = 20_000
    contacts_per_account: int = 5
    opportunities: int = 200_000
    activities: int = 1_000_000
    invoices: int = 300_000
    payments: int = 400_000
    years: int = 3


LARGE = Size()
# A small tenant of the same shape, for the CI smoke run of the benchmarks.
SMOKE = Size(
    teams=8,
    reps=12,
    accounts=300,
    opportunities=2_000,
    activities=6_000,
    invoices=1_500,
    payments=2_000,
)


@dataclass
class LargeContext:
    rng: random.Random
    today: date
    size: Size
    log: Callable[[str], None]
    team_ids: list[int] = field(default_factory=list)
    rep_ids: list[int] = field(default_factory=list)
    rep_team: dict[int, int] = field(default_factory=dict)
    manager_ids: list[int] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def batched(items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def bulk_insert(
    model: type[models.Model],
    rows: Iterable[models.Model],
    *,
    log: Callable[[str], None] | None = None,
    label: str = "",
) -> list[int]:
    """Insert ``rows`` in batches; return their new ids in order."""
    ids: list[int] = []
    started = time.monotonic()
    for chunk in batched(rows):
        created = model.objects.bulk_create(chunk, batch_size=BATCH)  # type: ignore[attr-defined]
        if created and created[0].pk is None:
            raise RuntimeError(f"{model.__name__}: the database did not return new ids")
        ids.extend(obj.pk for obj in created)
        if log and len(ids) % (BATCH * 20) == 0:
            log(f"  {label or model.__name__}: {len(ids):,} …")
    if log:
        log(f"{label or model.__name__}: {len(ids):,} in {time.monotonic() - started:.1f} s")
    return ids


def load(ctx: LargeContext) -> None:
    """Teams (a company, regions, teams), managers, reps, a director, finance, admin."""
    password = make_password(DEMO_PASSWORD)
    regions = max(1, (ctx.size.teams - 1) // 6)
    company = Team.objects.create(name="全国销售部")
    company.path = f"/{company.pk}/"
    company.save(update_fields=["path"])
    leaf_teams: list[Team] = []
    region_teams: list[Team] = []
    for r in range(regions):
        region = Team.objects.create(name=f"第{r + 1}大区", parent=company)
        region.path = f"{company.path}{region.pk}/"
        region.save(update_fields=["path"])
        region_teams.append(region)
    remaining = ctx.size.teams - 1 - regions
    for t in range(remaining):
        region = region_teams[t % regions]
        team = Team.objects.create(name=f"{region.name}第{t // regions + 1}组", parent=region)
        team.path = f"{region.path}{team.pk}/"
        team.save(update_fields=["path"])
        leaf_teams.append(team)
    ctx.team_ids = [company.pk] + [t.pk for t in region_teams] + [t.pk for t in leaf_teams]

    def user(username: str, role: str, team: Team | None) -> User:
        return User(
            username=username,
            password=password,
            role=role,
            team=team,
            last_name="测",
            first_name=username,
            is_staff=role == Role.ADMIN,
        )

    specials = [
        user("admin", Role.ADMIN, None),
        user("director", Role.DIRECTOR, company),
        user("finance", Role.FINANCE, company),
    ]
    managers = [
        user(f"manager{i + 1:02d}", Role.MANAGER, t)
        for i, t in enumerate(region_teams + leaf_teams)
    ]
    reps = [
        user(f"rep{i + 1:03d}", Role.REP, leaf_teams[i % len(leaf_teams)])
        for i in range(ctx.size.reps)
    ]
    User.objects.bulk_create(specials + managers + reps)
    by_name = dict(User.objects.values_list("username", "pk"))
    for team, manager in zip(region_teams + leaf_teams, managers, strict=True):
        Team.objects.filter(pk=team.pk).update(manager_id=by_name[manager.username])
    Team.objects.filter(pk=company.pk).update(manager_id=by_name["director"])
    ctx.manager_ids = [by_name[m.username] for m in managers]
    ctx.rep_ids = [by_name[r.username] for r in reps]
    ctx.rep_team = {by_name[r.username]: r.team.pk for r in reps}  # type: ignore[union-attr]
    ctx.log(f"teams: {len(ctx.team_ids)}, users: {len(by_name)}")


def build_large(
    *, today: date, size: Size, log: Callable[[str], None], seed: int = SEED
) -> LargeContext:
    """Generate the tenant; each area's part in its own transaction, with progress."""
    ctx = LargeContext(rng=random.Random(seed), today=today, size=size, log=log)
    started = time.monotonic()
    for module_name in AREAS:
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        with transaction.atomic():
            module.load(ctx)
    log(f"done in {time.monotonic() - started:.0f} s")
    return ctx
