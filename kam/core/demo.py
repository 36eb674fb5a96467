"""The demo tenant: a deterministic, realistic Chinese B2B data set.

``kam demo`` builds it by calling, in dependency order, the ``load(ctx)``
function of each area's ``demo`` module. Each area adds its part to the shared
:class:`DemoContext`, so later areas can build on earlier ones. Everything is
drawn from one seeded random generator: the same seed and the same "today"
give the same data.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib import import_module
from typing import Any

from django.db import transaction

from kam.core.models import Interface, Role, Team, User
from kam.core.services.teams import save_team
from kam.core.services.users import create_user

DEMO_PASSWORD = "Kam-demo-2026"
SEED = 20261125

# The steps that build demo data, in dependency order: "module" calls its load(ctx),
# "module:function" another function of it (a step that needs later areas' data).
AREAS = [
    "kam.core.demo",
    "kam.accounts.demo",
    "kam.stakeholders.demo",
    "kam.pipeline.demo",
    "kam.activities.demo",
    "kam.stakeholders.demo:load_circles",
    "kam.pipeline.demo:load_details",
    "kam.forecasting.demo",
    "kam.receivables.demo",
    "kam.performance.demo",
    "kam.accounts.demo:load_profiles",
    "kam.jobs.demo",
    "kam.notifications.demo",
    "kam.imports.demo",
    # Last, so that its draws from the shared random sequence change no other area's data.
    "kam.coach.demo",
    # Draws nothing at random: after the rest, so it changes no other area's data.
    "kam.activities.demo:load_tasks",
]


@dataclass
class DemoContext:
    rng: random.Random
    today: date
    log: Callable[[str], None]
    users: dict[str, User] = field(default_factory=dict)
    reps: list[User] = field(default_factory=list)
    teams: dict[str, Team] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


# (username, family name, given name, role, team key)
PEOPLE = [
    ("admin", "系统", "管理员", Role.ADMIN, None),
    ("director", "陈", "志远", Role.DIRECTOR, "national"),
    ("finance", "刘", "敏", Role.FINANCE, "national"),
    ("manager", "王", "强", Role.MANAGER, "east"),
    ("manager_north", "赵", "立新", Role.MANAGER, "north"),
    ("manager_south", "黄", "海涛", Role.MANAGER, "south"),
    ("rep", "张", "毅", Role.REP, "shanghai"),
    ("lijing", "李", "静", Role.REP, "shanghai"),
    ("zhouhao", "周", "浩", Role.REP, "hangzhou"),
    ("wuqian", "吴", "倩", Role.REP, "hangzhou"),
    ("sunpeng", "孙", "鹏", Role.REP, "beijing"),
    ("mali", "马", "丽", Role.REP, "beijing"),
    ("zhengwei", "郑", "伟", Role.REP, "tianjin"),
    ("hejun", "何", "军", Role.REP, "tianjin"),
    ("linfang", "林", "芳", Role.REP, "guangzhou"),
    ("guoyang", "郭", "阳", Role.REP, "guangzhou"),
    ("xuting", "徐", "婷", Role.REP, "shenzhen"),
    ("luobin", "罗", "斌", Role.REP, "shenzhen"),
]

# (key, name, parent key, manager username)
TEAMS = [
    ("national", "全国销售部", None, "director"),
    ("east", "华东大区", "national", "manager"),
    ("shanghai", "上海大客户一组", "east", "manager"),
    ("hangzhou", "杭州大客户组", "east", "manager"),
    ("north", "华北大区", "national", "manager_north"),
    ("beijing", "北京大客户组", "north", "manager_north"),
    ("tianjin", "天津大客户组", "north", "manager_north"),
    ("south", "华南大区", "national", "manager_south"),
    ("guangzhou", "广州大客户组", "south", "manager_south"),
    ("shenzhen", "深圳大客户组", "south", "manager_south"),
]

DEMO_LOGINS = [
    ("admin", "Administrator"),
    ("director", "Sales director"),
    ("manager", "Sales manager (East China)"),
    ("rep", "Key account manager (Zhang Yi, Shanghai)"),
    ("finance", "Finance"),
]


def load(ctx: DemoContext) -> None:
    """Teams and users."""
    for key, name, parent_key, _manager in TEAMS:
        ctx.teams[key] = save_team(
            Team(),
            name=name,
            parent=ctx.teams.get(parent_key) if parent_key else None,
            manager=None,
            by=None,
            via=Interface.CLI,
        )
    for username, family, given, role, team_key in PEOPLE:
        user = create_user(
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            team=ctx.teams[team_key] if team_key else None,
            last_name=family,
            first_name=given,
            email=f"{username}@demo.kam.example",
            is_staff=role == Role.ADMIN,
            via=Interface.CLI,
        )
        ctx.users[username] = user
        if role == Role.REP:
            ctx.reps.append(user)
    for key, _name, _parent_key, manager in TEAMS:
        team = ctx.teams[key]
        team.manager = ctx.users[manager]
        team.save(update_fields=["manager"])
    ctx.log(f"teams: {len(ctx.teams)}, users: {len(ctx.users)}")


def has_data() -> bool:
    return User.objects.exists()


def has_demo_logins() -> bool:
    return User.objects.filter(username__in=[u for u, _ in DEMO_LOGINS]).count() == len(DEMO_LOGINS)


def build(*, today: date, log: Callable[[str], None], seed: int = SEED) -> DemoContext:
    """Build the whole demo tenant in one transaction."""
    ctx = DemoContext(rng=random.Random(seed), today=today, log=log)
    with transaction.atomic():
        for step in AREAS:
            module_name, _, function = step.partition(":")
            try:
                module = import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                continue
            getattr(module, function or "load")(ctx)
    return ctx
