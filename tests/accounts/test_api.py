"""The accounts API: the same visibility as the pages, writes through the services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kam.accounts.models import (
    Account,
    AccountMember,
    AccountNote,
    AccountPlan,
    CompetitorPresence,
    GrowthLever,
    InstalledProduct,
    LatentNeed,
    PlanAction,
    ProductLine,
    PurchasingDepartment,
    SwotItem,
    ValuePeriod,
    WhitespaceCell,
)
from kam.core.models import AuditEvent, User
from tests.accounts.factories import (
    AccountFactory,
    AccountMemberFactory,
    AccountPlanFactory,
    GrowthLeverFactory,
    InstalledProductFactory,
    LatentNeedFactory,
    PlanActionFactory,
    PlanObjectiveFactory,
    won,
)
from tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db
D = Decimal


def results(response):  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    body = response.json()
    return body["results"] if isinstance(body, dict) and "results" in body else body


# --- accounts --------------------------------------------------------------------------


def test_a_rep_creates_an_account_and_it_is_scored(api, org):
    response = api(org.rep).post(
        "/api/v1/accounts/",
        {"name": "上海移动", "owner": org.rep.pk, "industry": "telecom", "margin_pct": "30"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "上海移动" and body["version"] == 1
    assert body["qualification_score"] == "15.0" and body["tier"] == "general"
    account = Account.objects.get(pk=body["id"])
    assert AuditEvent.objects.filter(object_id=str(account.pk), interface="api").exists()


def test_a_duplicate_name_is_refused_and_the_existing_account_offered(api, org):
    existing = AccountFactory(owner=org.rep, name="华为技术(深圳)有限公司")
    response = api(org.rep).post(
        "/api/v1/accounts/",
        {"name": "华为技术（深圳）有限公司", "owner": org.rep.pk},
        format="json",
    )
    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert details["existing"] == str(existing.pk) and existing.name in details["name"][0]
    assert Account.objects.count() == 1


def test_a_duplicate_the_user_cannot_see_is_not_offered(api, org):
    AccountFactory(owner=org.north_rep, name="北京银行")
    response = api(org.rep).post(
        "/api/v1/accounts/", {"name": "北京银行", "owner": org.rep.pk}, format="json"
    )
    assert response.status_code == 400 and "existing" not in response.json()["error"]["details"]


def test_an_update_needs_the_loaded_version_and_a_stale_one_gets_409(api, org):
    account = AccountFactory(owner=org.rep, city="上海")
    url = f"/api/v1/accounts/{account.pk}/"
    client = api(org.rep)
    missing = client.patch(url, {"city": "杭州"}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()["error"]["details"]
    ok = client.patch(url, {"city": "杭州", "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(url, {"city": "南京", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    assert Account.objects.get(pk=account.pk).city == "杭州"


@pytest.mark.parametrize(
    ("field", "value"),
    [("annual_revenue", "-1"), ("margin_pct", "100.5"), ("purchase_potential", "-3")],
)
def test_bad_numbers_are_refused_with_nothing_changed(api, org, field, value):
    account = AccountFactory(owner=org.rep)
    response = api(org.rep).patch(
        f"/api/v1/accounts/{account.pk}/", {field: value, "version": 1}, format="json"
    )
    assert response.status_code == 400 and field in response.json()["error"]["details"]
    fresh = Account.objects.get(pk=account.pk)
    assert fresh.version == 1 and getattr(fresh, field) is None


def test_a_group_cycle_is_refused(api, org):
    group = AccountFactory(owner=org.rep)
    child = AccountFactory(owner=org.rep, parent=group)
    response = api(org.rep).patch(
        f"/api/v1/accounts/{group.pk}/", {"parent": child.pk, "version": 1}, format="json"
    )
    assert response.status_code == 400 and "parent" in response.json()["error"]["details"]
    assert Account.objects.get(pk=group.pk).parent_id is None


def test_a_rep_neither_sees_nor_changes_another_teams_account(api, org):
    theirs = AccountFactory(owner=org.north_rep, name="北京移动")
    mine = AccountFactory(owner=org.rep, name="上海移动")
    client = api(org.rep)
    assert [a["name"] for a in results(client.get("/api/v1/accounts/"))] == ["上海移动"]
    for path in ("", "qualification/", "total-value/"):
        assert client.get(f"/api/v1/accounts/{theirs.pk}/{path}").status_code == 404, path
    assert (
        client.patch(
            f"/api/v1/accounts/{theirs.pk}/", {"city": "x", "version": 1}, format="json"
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/accounts/{theirs.pk}/tier/",
            {"tier": "key", "reason": "x", "version": 1},
            format="json",
        ).status_code
        == 404
    )
    assert client.get(f"/api/v1/accounts/{mine.pk}/").status_code == 200


def test_finance_reads_every_account_but_changes_nothing(api, org):
    account = AccountFactory(owner=org.north_rep)
    InstalledProductFactory(account=account)
    client = api(org.finance)
    assert client.get(f"/api/v1/accounts/{account.pk}/").status_code == 200
    assert len(results(client.get(f"/api/v1/installed-products/?account={account.pk}"))) == 1
    writes = [
        client.patch(f"/api/v1/accounts/{account.pk}/", {"city": "x", "version": 1}, format="json"),
        client.post("/api/v1/accounts/", {"name": "新", "owner": org.rep.pk}, format="json"),
        client.post(
            "/api/v1/installed-products/",
            {"account": account.pk, "product": "x", "brand": "y"},
            format="json",
        ),
        client.post(f"/api/v1/accounts/{account.pk}/assess/"),
        client.post("/api/v1/account-plans/", {"account": account.pk, "year": 2026}, format="json"),
    ]
    assert [w.status_code for w in writes] == [403] * 5
    assert Account.objects.count() == 1 and InstalledProduct.objects.count() == 1


def cold(api, user):  # type: ignore[no-untyped-def]
    """A client whose user object is fresh, as for a real request (no per-user caches)."""
    return api(User.objects.get(pk=user.pk))


def test_the_account_list_filters_and_keeps_its_query_count(api, org):

    def build(n: int) -> None:
        for _ in range(n):
            account = AccountFactory(owner=org.rep, tier="key")
            OpportunityFactory(account=account)

    build(3)
    with CaptureQueriesContext(connection) as few:
        assert len(results(cold(api, org.east_manager).get("/api/v1/accounts/?tier=key"))) == 3
    build(12)
    with CaptureQueriesContext(connection) as many:
        assert len(results(cold(api, org.east_manager).get("/api/v1/accounts/?tier=key"))) == 15
    assert len(few) == len(many)
    assert results(cold(api, org.east_manager).get("/api/v1/accounts/?tier=general")) == []


# --- qualification, tier, total value, pyramid, matrix ----------------------------------------


def test_the_qualification_breakdown_shows_every_criterion_and_its_source(api, org):
    account = AccountFactory(owner=org.rep, margin_pct=D(15), purchase_potential=D(10000000))
    won(account, 2500000)
    body = api(org.rep).get(f"/api/v1/accounts/{account.pk}/qualification/").json()
    lines = {line["key"]: line for line in body["lines"]}
    assert len(lines) == 7
    assert lines["sales_volume"]["computed"] and lines["sales_volume"]["score"] == "50.0"
    assert not lines["margin"]["computed"] and lines["margin"]["points"] == "7.5"
    assert lines["sales_volume"]["name"]
    assert body["total"] == "31.3" and body["suggested_tier"] == "general"
    assert body["segment"] == "acquire" and body["share_of_wallet_pct"] == "25.0"
    assert "openness" in body["missing"]


def test_a_tier_set_by_hand_records_who_and_why(api, org):
    account = AccountFactory(owner=org.rep)
    client = api(org.east_manager)
    url = f"/api/v1/accounts/{account.pk}/tier/"
    no_reason = client.post(url, {"tier": "key", "reason": " ", "version": 1}, format="json")
    assert no_reason.status_code == 400
    response = client.post(
        url, {"tier": "key", "reason": "集团战略客户", "version": 1}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["tier"] == "key" and body["tier_overridden"]
    assert body["tier_override_by"] == org.east_manager.pk
    assert body["tier_override_reason"] == "集团战略客户"
    stale = client.post(url, {"tier": "general", "reason": "x", "version": 1}, format="json")
    assert stale.status_code == 409
    cleared = client.post(f"{url}clear/", {"version": body["version"]}, format="json")
    assert cleared.status_code == 200 and cleared.json()["tier"] == "general"
    assert not cleared.json()["tier_overridden"]


def test_customer_total_value_through_value_periods(api, org):
    account = AccountFactory(owner=org.rep)
    client = api(org.rep)
    response = client.post(
        "/api/v1/value-periods/",
        {
            "account": account.pk,
            "year": 2025,
            "profit_contribution": "10000",
            "cost_of_sales": "2000",
            "cost_of_service": "1000",
            "cost_of_relationship": "500",
            "referral_value": "700",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    negative = client.post(
        "/api/v1/value-periods/",
        {"account": account.pk, "year": 2024, "cost_of_service": "-1"},
        format="json",
    )
    assert negative.status_code == 400
    again = client.post(
        "/api/v1/value-periods/", {"account": account.pk, "year": 2025}, format="json"
    )
    assert again.status_code == 400
    assert ValuePeriod.objects.count() == 1
    rows = client.get(f"/api/v1/accounts/{account.pk}/total-value/").json()
    assert rows == [
        {
            "value_period": response.json()["id"],
            "year": 2025,
            "revenue": "0.00",
            "profit_computed": False,
            "profit_contribution": "10000.00",
            "cost_of_sales": "2000.00",
            "cost_of_service": "1000.00",
            "cost_of_relationship": "500.00",
            "cost_to_serve": "3500.00",
            "learning_value": "0.00",
            "skill_value": "0.00",
            "referral_value": "700.00",
            "intangible": "700.00",
            "total": "7200.00",
        }
    ]


def test_pyramid_and_matrix_count_only_visible_accounts(api, org):
    mine = AccountFactory(owner=org.rep, tier="key", purchase_potential=D(10000000))
    won(mine, 800)
    won(AccountFactory(owner=org.rep, tier="general"), 200)
    won(AccountFactory(owner=org.north_rep, tier="key", purchase_potential=D(10000000)), 9000)
    client = api(org.rep)
    pyramid = client.get("/api/v1/accounts/pyramid/").json()
    tiers = {row["tier"]: row for row in pyramid["tiers"]}
    assert tiers["key"]["accounts"] == 1 and tiers["key"]["revenue_share"] == "80.0"
    assert pyramid["pareto"]["accounts"] == 2
    matrix = client.get("/api/v1/accounts/matrix/").json()
    assert [p["account"] for p in matrix["points"]] == [mine.pk]
    assert matrix["points"][0]["strategy"] == "intrude"
    assert (
        len(
            client.get("/api/v1/accounts/matrix/", HTTP_ACCEPT="application/json").json()[
                "allocation"
            ]
        )
        == 5
    )


# --- sub-resources -------------------------------------------------------------------------

ITEMS = [
    (
        "installed-products",
        InstalledProduct,
        {"product": "S9300", "brand": "华为", "ours": True, "quantity": 12, "in_use_since": 2019},
    ),
    (
        "purchasing-departments",
        PurchasingDepartment,
        {"name": "采购部", "role_in_purchasing": "招标"},
    ),
    ("competitor-presences", CompetitorPresence, {"competitor": "思科", "strengths": "品牌"}),
    (
        "account-notes",
        AccountNote,
        {"text": "年报显示增长", "source": "customer_annual_report", "observed_on": "2026-03-01"},
    ),
    ("swot-items", SwotItem, {"kind": "S", "factor": "brand", "text": "品牌强"}),
    (
        "latent-needs",
        LatentNeed,
        {"quadrant": "SO", "text": "5G专网", "estimated_amount": "300000"},
    ),
]


@pytest.mark.parametrize(("path", "model", "data"), ITEMS)
def test_each_sub_resource_is_added_listed_changed_and_removed(api, org, path, model, data):
    account = AccountFactory(owner=org.rep)
    other = AccountFactory(owner=org.rep)
    client = api(org.rep)
    created = client.post(f"/api/v1/{path}/", {"account": account.pk, **data}, format="json")
    assert created.status_code == 201, created.content
    item = model.objects.get()
    assert item.account == account
    assert AuditEvent.objects.filter(object_id=str(item.pk), interface="api").exists()
    assert len(results(client.get(f"/api/v1/{path}/?account={account.pk}"))) == 1
    assert results(client.get(f"/api/v1/{path}/?account={other.pk}")) == []
    url = f"/api/v1/{path}/{item.pk}/"
    first_field = next(
        k
        for k, v in data.items()
        if isinstance(v, str)
        and k not in {"source", "kind", "factor", "quadrant", "observed_on", "estimated_amount"}
    )
    changed = client.patch(url, {first_field: "改过"}, format="json")
    assert changed.status_code == 200, changed.content
    assert getattr(model.objects.get(), first_field) == "改过"
    assert client.delete(url).status_code == 204
    assert not model.objects.exists()


@pytest.mark.parametrize(("path", "model", "data"), ITEMS)
def test_another_teams_sub_resources_answer_404(api, org, path, model, data):
    theirs = AccountFactory(owner=org.north_rep)
    api(org.north_rep).post(f"/api/v1/{path}/", {"account": theirs.pk, **data}, format="json")
    item = model.objects.get()
    client = api(org.rep)
    assert results(client.get(f"/api/v1/{path}/")) == []
    assert client.get(f"/api/v1/{path}/{item.pk}/").status_code == 404
    assert client.patch(f"/api/v1/{path}/{item.pk}/", {}, format="json").status_code == 404
    assert client.delete(f"/api/v1/{path}/{item.pk}/").status_code == 404
    added = client.post(f"/api/v1/{path}/", {"account": theirs.pk, **data}, format="json")
    assert added.status_code == 404
    assert model.objects.count() == 1


def test_a_sub_resource_cannot_move_to_another_account(api, org):
    item = InstalledProductFactory(account=AccountFactory(owner=org.rep))
    other = AccountFactory(owner=org.rep)
    api(org.rep).patch(
        f"/api/v1/installed-products/{item.pk}/", {"account": other.pk}, format="json"
    )
    assert InstalledProduct.objects.get().account_id == item.account_id


def test_a_latent_need_becomes_an_opportunity_in_one_call(api, org):
    need = LatentNeedFactory(account=AccountFactory(owner=org.rep))
    client = api(org.rep)
    url = f"/api/v1/latent-needs/{need.pk}/opportunity/"
    close = (timezone.localdate() + timedelta(days=60)).isoformat()
    negative = client.post(
        url, {"name": "试点", "amount": "-5", "expected_close_date": close}, format="json"
    )
    assert negative.status_code == 400
    response = client.post(
        url, {"name": "5G专网试点", "amount": "300000", "expected_close_date": close}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["need"]["opportunity"] == body["opportunity"]
    assert LatentNeed.objects.get().opportunity.name == "5G专网试点"
    twice = client.post(
        url, {"name": "x", "amount": "1", "expected_close_date": close}, format="json"
    )
    assert twice.status_code == 400


def test_the_account_team(api, org):
    account = AccountFactory(owner=org.north_rep)
    client = api(org.north_rep)
    response = client.post(
        "/api/v1/account-members/",
        {"account": account.pk, "user": org.rep.pk, "role": "presales"},
        format="json",
    )
    assert response.status_code == 201, response.content
    member_url = f"/api/v1/account-members/{response.json()['id']}/"
    # the new member now sees the account and its team
    assert api(org.rep).get(f"/api/v1/accounts/{account.pk}/").status_code == 200
    twice = client.post(
        "/api/v1/account-members/",
        {"account": account.pk, "user": org.rep.pk, "role": "sales"},
        format="json",
    )
    assert twice.status_code == 400
    changed = client.patch(member_url, {"role": "service"}, format="json")
    assert changed.status_code == 200 and AccountMember.objects.get().role == "service"
    finance = client.post(
        "/api/v1/account-members/",
        {"account": account.pk, "user": org.finance.pk, "role": "sales"},
        format="json",
    )
    assert finance.status_code == 400
    assert client.delete(member_url).status_code == 204
    assert api(org.rep).get(f"/api/v1/accounts/{account.pk}/").status_code == 404


# --- account plans -------------------------------------------------------------------------


def test_an_account_plan_with_levers_whitespace_objectives_and_actions(api, org):
    account = AccountFactory(owner=org.rep)
    client = api(org.rep)
    plan = client.post(
        "/api/v1/account-plans/",
        {"account": account.pk, "year": 2026, "revenue_goal": "1000000", "share_goal_pct": "30"},
        format="json",
    )
    assert plan.status_code == 201, plan.content
    plan_id = plan.json()["id"]
    lever = client.post(
        "/api/v1/plan-levers/",
        {
            "plan": plan_id,
            "kind": "cross_sell",
            "description": "安全产品",
            "attractiveness": 4,
            "probability": 2,
            "expected_revenue": "200000",
        },
        format="json",
    )
    assert lever.status_code == 201 and lever.json()["priority"] == "wait"
    line = ProductLine.objects.get(key="cloud")
    cell = {"plan": plan_id, "unit": "华东子公司", "product_line": line.pk, "status": "opportunity"}
    assert client.post("/api/v1/plan-whitespace/", cell, format="json").status_code == 201
    cell["status"] = "competitor"
    assert client.post("/api/v1/plan-whitespace/", cell, format="json").status_code == 201
    assert WhitespaceCell.objects.get().status == "competitor"
    objective = client.post(
        "/api/v1/plan-objectives/", {"plan": plan_id, "text": "份额30%"}, format="json"
    )
    assert objective.status_code == 201
    opportunity = OpportunityFactory(account=account)
    action = client.post(
        "/api/v1/plan-actions/",
        {
            "objective": objective.json()["id"],
            "text": "拜访CIO",
            "owner": org.rep.pk,
            "due_date": "2026-06-30",
            "opportunity": opportunity.pk,
        },
        format="json",
    )
    assert action.status_code == 201, action.content
    action_url = f"/api/v1/plan-actions/{action.json()['id']}/"
    assert client.patch(action_url, {"status": "done"}, format="json").status_code == 200
    assert client.patch(action_url, {"text": "改"}, format="json").status_code == 400
    assert PlanAction.objects.get().status == "done"
    body = client.get(f"/api/v1/account-plans/{plan_id}/").json()
    assert [lv["priority"] for lv in body["levers"]] == ["wait"]
    assert body["whitespace"][0]["status"] == "competitor"
    assert body["objectives"][0]["actions"][0]["status"] == "done"
    assert results(client.get(f"/api/v1/plan-levers/?plan={plan_id}"))[0]["kind"] == "cross_sell"
    cell_id = body["whitespace"][0]["id"]
    assert client.delete(f"/api/v1/plan-whitespace/{cell_id}/").status_code == 204
    assert client.delete(f"/api/v1/plan-levers/{lever.json()['id']}/").status_code == 204
    assert not WhitespaceCell.objects.exists() and not GrowthLever.objects.exists()


def test_a_plan_update_is_version_checked_and_its_numbers_bounded(api, org):
    plan = AccountPlanFactory(account=AccountFactory(owner=org.rep))
    url = f"/api/v1/account-plans/{plan.pk}/"
    client = api(org.rep)
    bad = client.patch(url, {"share_goal_pct": "120", "version": 1}, format="json")
    assert bad.status_code == 400
    ok = client.patch(url, {"value_proposition": "降本", "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(url, {"value_proposition": "旧", "version": 1}, format="json")
    assert stale.status_code == 409
    year = client.patch(url, {"year": plan.year + 1, "version": 2}, format="json")
    assert year.status_code == 400
    fresh = AccountPlan.objects.get()
    assert fresh.value_proposition == "降本" and fresh.share_goal_pct is None


def test_an_action_cannot_link_another_accounts_opportunity(api, org):
    objective = PlanObjectiveFactory(plan=AccountPlanFactory(account=AccountFactory(owner=org.rep)))
    elsewhere = OpportunityFactory(account=AccountFactory(owner=org.rep))
    response = api(org.rep).post(
        "/api/v1/plan-actions/",
        {
            "objective": objective.pk,
            "text": "x",
            "owner": org.rep.pk,
            "due_date": "2026-06-30",
            "opportunity": elsewhere.pk,
        },
        format="json",
    )
    assert response.status_code == 400 and not PlanAction.objects.exists()


def test_another_teams_plans_and_their_pieces_answer_404(api, org):
    plan = AccountPlanFactory(account=AccountFactory(owner=org.north_rep))
    lever = GrowthLeverFactory(plan=plan)
    action = PlanActionFactory(objective__plan=plan)
    client = api(org.rep)
    assert results(client.get("/api/v1/account-plans/")) == []
    assert client.get(f"/api/v1/account-plans/{plan.pk}/").status_code == 404
    assert client.get(f"/api/v1/plan-levers/{lever.pk}/").status_code == 404
    assert client.delete(f"/api/v1/plan-levers/{lever.pk}/").status_code == 404
    assert (
        client.patch(
            f"/api/v1/plan-actions/{action.pk}/", {"status": "done"}, format="json"
        ).status_code
        == 404
    )
    added = client.post(
        "/api/v1/plan-levers/",
        {"plan": plan.pk, "kind": "cross_sell", "description": "x"},
        format="json",
    )
    assert added.status_code == 404
    objective_elsewhere = client.post(
        "/api/v1/plan-actions/",
        {
            "objective": action.objective_id,
            "text": "x",
            "owner": org.rep.pk,
            "due_date": "2026-06-30",
        },
        format="json",
    )
    assert objective_elsewhere.status_code in (400, 404)
    assert GrowthLever.objects.count() == 1 and PlanAction.objects.count() == 1
    assert PlanAction.objects.get().status == "open"


def test_a_manager_sees_the_teams_plans_in_a_fixed_number_of_queries(api, org):
    counts = []
    for n in (3, 15):
        for _ in range(n):
            plan = AccountPlanFactory(account=AccountFactory(owner=org.rep))
            GrowthLeverFactory(plan=plan)
            PlanActionFactory(objective__plan=plan)
            AccountMemberFactory(account=plan.account)
        with CaptureQueriesContext(connection) as captured:
            client = cold(api, org.east_manager)
            assert len(results(client.get("/api/v1/account-plans/?page_size=100"))) in (3, 18)
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_schema_documents_the_account_resources(api, org):
    paths = api(org.rep).get("/api/v1/schema/?format=json").json()["paths"]
    for path in (
        "/api/v1/accounts/{id}/qualification/",
        "/api/v1/accounts/{id}/total-value/",
        "/api/v1/accounts/{id}/tier/",
        "/api/v1/accounts/pyramid/",
        "/api/v1/account-members/",
        "/api/v1/installed-products/",
        "/api/v1/purchasing-departments/",
        "/api/v1/competitor-presences/",
        "/api/v1/account-notes/",
        "/api/v1/swot-items/",
        "/api/v1/latent-needs/{id}/opportunity/",
        "/api/v1/value-periods/",
        "/api/v1/account-plans/",
        "/api/v1/plan-levers/",
        "/api/v1/plan-whitespace/",
        "/api/v1/plan-actions/",
    ):
        assert path in paths, path
    params = {p["name"] for p in paths["/api/v1/swot-items/"]["get"]["parameters"]}
    assert "account" in params
