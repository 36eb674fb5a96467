"""Demo accounts: ~150 Chinese customers across industries, some in groups."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from kam.accounts.models import Account, AccountMember, Industry, Nature, Scale, Tier
from kam.core.demo import DemoContext
from kam.core.models import Interface

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


# --- the full picture of the key accounts (§1.1-§1.7) ---------------------------------

COMPETITORS = [
    (
        "华信通",
        "2019年起供应核心交换机，与客户信息中心关系深厚",
        "价格低、响应快",
        "高端方案经验少",
    ),
    ("瑞科网络", "去年中标一期视频会议项目", "品牌知名度高", "本地服务团队薄弱，交付慢"),
    ("天泽科技", "代理商渠道进入，份额小", "渠道灵活", "无自有研发，方案同质化"),
]
INSTALLED = [
    ("核心交换机", "华信通", False, "数据中心骨干网", 12, 2019),
    ("光传输设备", "本公司", True, "城域网传输", 40, 2021),
    ("视频会议终端", "瑞科网络", False, "集团会议室", 60, 2022),
    ("网络安全网关", "本公司", True, "互联网出口", 6, 2023),
]
DEPARTMENTS = [
    ("信息中心", "提出需求、技术评估", "分管副总经理", "与采购部共同组织技术评审"),
    ("采购部", "招标、商务谈判", "总经理办公室", "依据信息中心的技术评分确定短名单"),
    ("财务部", "预算审批、付款", "总会计师", "按合同节点审核付款"),
]
NOTES = [
    (
        "customer_annual_report",
        "年报显示明年计划投资 3.2 亿元用于数字化转型，其中网络基础设施约占 20%。",
    ),
    ("surroundings_suppliers", "其集成商透露：二期项目预计在明年第二季度启动招标。"),
    ("ours_service", "售后反馈：现网光传输设备运行稳定，客户信息中心满意度高。"),
]
SWOT = [
    ("S", "industry_position", "区域龙头，现金流稳定"),
    ("W", "technology", "信息化团队人手不足，依赖外部集成商"),
    ("O", "politics", "国产化替代政策推动设备更新"),
    ("T", "competitors", "竞争对手以低价切入二期项目"),
]
NEEDS = [
    ("SO", "借助国产化政策，用我方方案完成骨干网升级", "medium", Decimal("4800000")),
    ("WO", "以托管运维服务弥补其信息化人手不足", "short", Decimal("900000")),
    ("WT", "网络安全等级保护测评整改，消除合规风险", "long", Decimal("2600000")),
]


def load_profiles(ctx: DemoContext) -> None:
    """The profile, installed base, buying departments, competitors, information, SWOT,
    latent needs and this year's plan of the key accounts; qualification inputs for all.

    Runs after the deals and the receivables, and ends by assessing every account, so
    scores, tiers and segments come from the data as they would in use."""
    from kam.accounts import services
    from kam.accounts.models import (
        AccountNote,
        AccountPlan,
        CompetitorPresence,
        GrowthLever,
        InstalledProduct,
        LatentNeed,
        PlanAction,
        PlanObjective,
        ProductLine,
        PurchasingDepartment,
        SwotItem,
        WhitespaceCell,
    )

    rng = ctx.rng
    accounts: list[Account] = ctx.extra["accounts"]
    year = ctx.today.year
    for account in accounts:
        big = account.tier == Tier.KEY
        account.scale = Scale.LARGE if big or rng.random() < 0.5 else Scale.SME
        account.purchase_potential = Decimal(
            rng.randint(8, 60) * 500000 if big else rng.randint(1, 20) * 200000
        )
        account.margin_pct = Decimal(rng.randint(12, 32) if big else rng.randint(5, 25))
        account.payment_cycle_days = rng.randint(30, 75) if big else rng.randint(45, 150)
        account.goal_access = rng.randint(3, 5) if big else rng.randint(0, 3)
        account.openness = rng.randint(3, 5) if big else rng.randint(1, 4)
        account.employees = rng.randint(800, 20000) if big else rng.randint(50, 2000)
        account.financial_year = year
        account.annual_revenue = Decimal(rng.randint(5, 300) * 10000000)
    Account.objects.bulk_update(
        accounts,
        [
            "scale",
            "purchase_potential",
            "margin_pct",
            "payment_cycle_days",
            "goal_access",
            "openness",
            "employees",
            "financial_year",
            "annual_revenue",
        ],
    )

    key_accounts = [a for a in accounts if a.tier == Tier.KEY][:12]
    lines = list(ProductLine.objects.filter(active=True).order_by("order")[:4])
    for account in key_accounts:
        Account.objects.filter(pk=account.pk).update(
            business="区域电网运营、售电及综合能源服务" if account.industry == "energy" else "",
            address=f"{account.city}市浦东新区世纪大道{rng.randint(1, 2000)}号",
            post_code=f"{rng.randint(100000, 899999)}",
            website="https://www.example.cn",
            business_status="经营稳健，今年营收同比增长约 8%，正推进数字化转型。",
            competitive_environment="行业集中度提高，客户对成本和交付周期更敏感。",
            core_business_structure="主营业务约占 70%，新业务（综合服务）占比逐年上升。",
        )
        InstalledProduct.objects.bulk_create(
            InstalledProduct(
                account=account, product=p, brand=b, ours=o, use=u, quantity=q, in_use_since=y
            )
            for p, b, o, u, q, y in rng.sample(INSTALLED, 3)
        )
        PurchasingDepartment.objects.bulk_create(
            PurchasingDepartment(
                account=account, name=n, role_in_purchasing=r, reports_to=t, cooperation=c
            )
            for n, r, t, c in DEPARTMENTS
        )
        CompetitorPresence.objects.bulk_create(
            CompetitorPresence(
                account=account,
                competitor=c,
                history=h,
                their_reps=rng.choice(["王经理（强势、擅长关系）", "刘工（技术型）"]),
                strengths=s,
                weaknesses=w,
            )
            for c, h, s, w in rng.sample(COMPETITORS, 2)
        )
        AccountNote.objects.bulk_create(
            AccountNote(
                account=account,
                text=text,
                source=source,
                observed_on=ctx.today - timedelta(days=rng.randint(5, 120)),
                author=account.owner,
            )
            for source, text in NOTES
        )
        SwotItem.objects.bulk_create(
            SwotItem(account=account, kind=k, factor=f, text=t) for k, f, t in SWOT
        )
        LatentNeed.objects.bulk_create(
            LatentNeed(account=account, quadrant=q, text=t, horizon=h, estimated_amount=a)
            for q, t, h, a in NEEDS
        )
        potential = account.purchase_potential or Decimal(0)
        plan = AccountPlan.objects.create(
            account=account,
            year=year,
            revenue_goal=potential * Decimal("0.35"),
            profit_goal=potential * Decimal("0.07"),
            share_goal_pct=Decimal(35),
            value_proposition="以稳定的国产化网络与本地化服务，降低客户三年总拥有成本。",
            short_term_focus="保住现网光传输扩容订单，按期回款。",
            long_term_focus="进入二期骨干网升级项目的短名单，成为首选供应商。",
        )
        GrowthLever.objects.bulk_create(
            [
                GrowthLever(
                    plan=plan,
                    kind="raise_usage",
                    description="现网光传输设备扩容",
                    expected_revenue=Decimal(1200000),
                    attractiveness=4,
                    probability=4,
                    horizon="short",
                ),
                GrowthLever(
                    plan=plan,
                    kind="cross_sell",
                    description="网络安全托管服务",
                    expected_revenue=Decimal(900000),
                    attractiveness=4,
                    probability=2,
                    horizon="medium",
                ),
                GrowthLever(
                    plan=plan,
                    kind="drop_unprofitable",
                    description="停止免费驻场维护",
                    expected_revenue=Decimal(0),
                    attractiveness=2,
                    probability=3,
                    horizon="short",
                ),
            ]
        )
        objective = PlanObjective.objects.create(
            plan=plan,
            text="进入二期骨干网项目短名单",
            measure="客户书面邀请参加技术交流",
            horizon="medium",
        )
        PlanAction.objects.bulk_create(
            [
                PlanAction(
                    objective=objective,
                    text="邀请信息中心主任参观标杆客户",
                    owner=account.owner,
                    due_date=ctx.today + timedelta(days=20),
                    status="in_progress",
                ),
                PlanAction(
                    objective=objective,
                    text="提交国产化替代技术白皮书",
                    owner=account.owner,
                    due_date=ctx.today - timedelta(days=10),
                    status="done",
                ),
            ]
        )
        units = ["集团本部", *[a.name for a in accounts if a.parent_id == account.pk][:2]]
        WhitespaceCell.objects.bulk_create(
            WhitespaceCell(
                plan=plan,
                unit=unit,
                product_line=line,
                status=rng.choice(["bought", "opportunity", "competitor", "na"]),
            )
            for unit in units
            for line in lines
        )
    designed = {a.pk: a.tier for a in accounts}
    director = ctx.users["director"]
    overridden = 0
    for account in accounts:
        services.assess_account(account, by=None, via=Interface.CLI, today=ctx.today)
        if designed[account.pk] == Tier.KEY and account.tier != Tier.KEY:
            # Strategic accounts whose business has not (yet) earned the score: the
            # director keeps them key by hand, with the reason on record.
            services.override_tier(
                account,
                tier=Tier.KEY,
                reason="集团战略客户：虽近期成交少，但采购潜力大，按公司战略列为关键客户。",
                by=director,
                expected_version=None,
                via=Interface.CLI,
            )
            overridden += 1
    ctx.log(
        f"account profiles: {len(accounts)} assessed ({overridden} key by hand), "
        f"{len(key_accounts)} with a full picture"
    )
