"""Demo accounts: ~150 Chinese customers across industries, some in groups."""

from __future__ import annotations

from kam.accounts.models import Account, AccountMember, Industry, Nature, Tier
from kam.core.demo import DemoContext

CITIES_BY_TEAM = {
    "shanghai": ["上海"],
    "hangzhou": ["杭州", "宁波", "苏州"],
    "beijing": ["北京"],
    "tianjin": ["天津", "石家庄"],
    "guangzhou": ["广州", "佛山"],
    "shenzhen": ["深圳", "东莞"],
}

# (industry, nature, name pattern stems, suffix)
INDUSTRY_NAMES = [
    (Industry.TELECOM, Nature.STATE_OWNED, ["移动通信", "联合网络", "电信", "广电网络"], "分公司"),
    (Industry.ENERGY, Nature.STATE_OWNED, ["电力", "燃气", "水务", "新能源"], "集团有限公司"),
    (
        Industry.MANUFACTURING,
        Nature.PRIVATE,
        ["精密机械", "汽车零部件", "电子科技", "智能装备"],
        "股份有限公司",
    ),
    (
        Industry.FINANCE,
        Nature.STATE_OWNED,
        ["农商银行", "城市商业银行", "证券", "保险"],
        "股份有限公司",
    ),
    (Industry.TRANSPORT, Nature.STATE_OWNED, ["地铁", "港务", "机场", "物流"], "集团有限公司"),
    (Industry.HEALTHCARE, Nature.GOVERNMENT, ["第一人民医院", "中心医院", "妇幼保健院"], ""),
    (Industry.EDUCATION, Nature.GOVERNMENT, ["理工大学", "职业技术学院", "师范大学"], ""),
    (Industry.GOVERNMENT, Nature.GOVERNMENT, ["大数据局", "公安局", "交通运输局"], ""),
    (Industry.RETAIL, Nature.PRIVATE, ["百货", "连锁超市", "电商"], "有限公司"),
    (Industry.INTERNET, Nature.PRIVATE, ["云计算", "网络科技", "数字传媒"], "有限公司"),
    (Industry.CONSTRUCTION, Nature.STATE_OWNED, ["建工", "城投", "地产"], "集团有限公司"),
    (Industry.MANUFACTURING, Nature.FOREIGN, ["西门子", "博世", "施耐德"], "（中国）有限公司"),
]

BRANDS = [
    "华信",
    "瑞丰",
    "中达",
    "宏远",
    "天成",
    "恒通",
    "金桥",
    "东方",
    "海创",
    "鼎盛",
    "长虹",
    "新元",
    "博远",
    "国泰",
    "嘉禾",
    "融信",
    "同辉",
    "启明",
    "中凯",
    "盛世",
]

GROUPS = [
    (
        "远航能源集团有限公司",
        Industry.ENERGY,
        Nature.STATE_OWNED,
        "shanghai",
        ["远航能源（上海）发电有限公司", "远航能源江苏新能源有限公司", "远航能源浙江售电有限公司"],
    ),
    (
        "华联通信控股有限公司",
        Industry.TELECOM,
        Nature.STATE_OWNED,
        "beijing",
        ["华联通信天津分公司", "华联通信河北分公司"],
    ),
    (
        "南粤交通投资集团",
        Industry.TRANSPORT,
        Nature.STATE_OWNED,
        "guangzhou",
        ["南粤高速公路运营有限公司", "南粤港口物流有限公司", "南粤智慧交通科技有限公司"],
    ),
]

TOTAL = 150


def _reps_by_team(ctx: DemoContext) -> dict[str, list]:
    by_team: dict[str, list] = {}
    for rep in ctx.reps:
        key = next(k for k, t in ctx.teams.items() if t.pk == rep.team_id)
        by_team.setdefault(key, []).append(rep)
    return by_team


def load(ctx: DemoContext) -> None:
    rng = ctx.rng
    reps_by_team = _reps_by_team(ctx)
    accounts: list[Account] = []
    team_of: dict[str, str] = {}
    names: set[str] = set()

    # Zhang Yi's flagship account comes first so the demo rep has a living key account.
    for group_name, industry, nature, team_key, subsidiaries in GROUPS:
        owner = reps_by_team[team_key][0]
        parent = Account.objects.create(
            name=group_name,
            industry=industry,
            nature=nature,
            tier=Tier.KEY,
            city=CITIES_BY_TEAM[team_key][0],
            owner=owner,
        )
        accounts.append(parent)
        names.add(group_name)
        for sub in subsidiaries:
            child = Account.objects.create(
                name=sub,
                industry=industry,
                nature=nature,
                tier=rng.choice([Tier.KEY, Tier.IMPORTANT]),
                city=rng.choice(CITIES_BY_TEAM[team_key]),
                owner=rng.choice(reps_by_team[team_key]),
                parent=parent,
            )
            accounts.append(child)
            names.add(sub)

    pending: list[Account] = []
    team_keys = list(CITIES_BY_TEAM)
    while len(accounts) + len(pending) < TOTAL:
        team_key = team_keys[(len(accounts) + len(pending)) % len(team_keys)]
        city = rng.choice(CITIES_BY_TEAM[team_key])
        industry, nature, stems, suffix = rng.choice(INDUSTRY_NAMES)
        stem = rng.choice(stems)
        if industry in (Industry.HEALTHCARE, Industry.EDUCATION, Industry.GOVERNMENT):
            name = f"{city}市{stem}" if industry == Industry.GOVERNMENT else f"{city}{stem}"
        elif industry == Industry.TELECOM:
            name = f"{rng.choice(BRANDS)}{stem}{city}{suffix}"
        else:
            name = f"{city}{rng.choice(BRANDS)}{stem}{suffix}"
        if name in names:
            continue
        names.add(name)
        tier = rng.choices([Tier.KEY, Tier.IMPORTANT, Tier.GENERAL], weights=[15, 30, 55])[0]
        account = Account(
            name=name,
            industry=industry,
            nature=nature,
            tier=tier,
            city=city,
            owner=rng.choice(reps_by_team[team_key]),
        )
        pending.append(account)
        team_of[name] = team_key
    accounts.extend(Account.objects.bulk_create(pending))

    members = []
    for account in accounts:
        if account.tier == Tier.KEY and rng.random() < 0.6:
            colleagues = [
                r
                for r in ctx.reps
                if r.team_id == account.owner.team_id and r.pk != account.owner_id
            ]
            if colleagues:
                members.append(
                    AccountMember(
                        account=account,
                        user=rng.choice(colleagues),
                        role=AccountMember.TeamRole.PRESALES,
                    )
                )
    AccountMember.objects.bulk_create(members)
    ctx.extra["accounts"] = accounts
    ctx.log(f"accounts: {len(accounts)} ({len(members)} account-team members)")
