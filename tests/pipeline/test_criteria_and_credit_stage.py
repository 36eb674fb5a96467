"""Shaping the decision criteria and the credit check of the commitment stage (issue 23 §4, §6)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kam.pipeline import services
from kam.pipeline.models import DecisionFactor, Stage, StageModel
from kam.receivables import services as receivables
from tests.factories import AccountFactory
from tests.pipeline.factories import new_opportunity, qualify, stage

pytestmark = pytest.mark.django_db


def english(user):  # type: ignore[no-untyped-def]
    user.language = "en"
    user.save(update_fields=["language"])
    return user


# --- the commitment stage is a flag, in every stage model --------------------------------


def test_the_seeded_commitment_stages_carry_the_flag():
    flagged = set(Stage.objects.filter(requires_credit_check=True).values_list("key", flat=True))
    assert flagged == {"commitment", "business"}


def custom_model() -> StageModel:
    model = StageModel.objects.create(key="projects", name_zh="项目制", name_en="Projects")
    for order, (key, flag) in enumerate(
        [("lead", False), ("scope", False), ("award", True), ("deliver", False)], start=1
    ):
        Stage.objects.create(
            model=model,
            key=key,
            order=order,
            name_zh=key,
            name_en=key.title(),
            win_rate=Decimal(order * 20),
            requires_credit_check=flag,
        )
    return model


def test_a_custom_stage_model_warns_on_its_flagged_stage_at_the_move(org, login):
    account = AccountFactory(owner=org.rep)
    receivables.set_credit(
        account, by=org.finance, expected_version=None, credit_limit=Decimal("1000"), on_hold=False
    )
    model = custom_model()
    stages = {s.key: s for s in model.stages.all()}
    deal = qualify(new_opportunity(account, stage=stages["lead"], amount=Decimal("50000")))
    client = login(english(org.rep))

    def move(key: str) -> str:
        deal.refresh_from_db()
        passed = Stage.objects.filter(model=model, order__lt=stages[key].order)
        response = client.post(
            reverse("pipeline:move", args=[deal.pk]),
            {"to_stage": stages[key].pk, "version": deal.version, "confirm_exit": "on"},
            follow=True,
        )
        assert response.status_code == 200, passed
        return response.content.decode()

    assert "credit limit" not in move("scope")
    page = move("award")
    assert "Moved to Award." in page and "credit limit" in page
    # The same deal jumping past the flagged stage is asked too.
    other = qualify(new_opportunity(account, stage=stages["lead"], amount=Decimal("50000")))
    moved = services.move_opportunity(
        other,
        stages["deliver"],
        by=org.rep,
        expected_version=other.version,
        confirmed_exit_stages=[s.pk for s in model.stages.all()],
    )
    assert "credit limit" in moved.credit_warning


def test_without_the_flag_the_commitment_key_alone_no_longer_warns(org):
    account = AccountFactory(owner=org.rep)
    receivables.set_credit(
        account, by=org.finance, expected_version=None, credit_limit=Decimal("1000"), on_hold=False
    )
    Stage.objects.filter(key="commitment").update(requires_credit_check=False)
    deal = qualify(new_opportunity(account, amount=Decimal("50000")))
    moved = services.move_opportunity(
        deal,
        stage("commitment"),
        by=org.rep,
        expected_version=deal.version,
        confirmed_exit_stages=list(
            Stage.objects.filter(model=stage("commitment").model).values_list("pk", flat=True)
        ),
    )
    assert moved.stage.key == "commitment" and moved.credit_warning == ""


def test_administrators_set_the_flag_on_the_settings_page_and_in_the_api(org, login, api):
    design = stage("design")
    prefix = f"stage-{design.pk}-"
    data = {"part": "stage", "stage": design.pk}
    for field in [
        "name_zh",
        "name_en",
        "win_rate",
        "our_step_zh",
        "our_step_en",
        "exit_criteria_zh",
        "exit_criteria_en",
    ]:
        data[prefix + field] = getattr(design, field)
    page = login(english(org.admin)).get(reverse("pipeline:settings")).content.decode()
    assert "credit check on entering" in page.lower()
    data[prefix + "requires_credit_check"] = "on"
    assert login(org.admin).post(reverse("pipeline:settings"), data).status_code == 302
    design.refresh_from_db()
    assert design.requires_credit_check is True

    url = f"/api/v1/stages/{design.pk}/"
    assert (
        api(org.rep).patch(url, {"requires_credit_check": False}, format="json").status_code == 403
    )
    answer = api(org.admin).patch(url, {"requires_credit_check": False}, format="json")
    assert answer.status_code == 200 and answer.json()["requires_credit_check"] is False
    models = api(org.rep).get("/api/v1/stage-models/").json()["results"]
    flags = {s["key"]: s["requires_credit_check"] for m in models for s in m["stages"]}
    assert flags["commitment"] is True and flags["design"] is False


# --- shaping the decision criteria (决策因素制定) -----------------------------------------


@pytest.fixture
def deal(org):  # type: ignore[no-untyped-def]
    return new_opportunity(AccountFactory(owner=org.rep), name="核心网扩容项目")


def test_a_decisive_factor_we_trail_without_strategy_is_flagged_on_the_deal_page(org, login, deal):
    factor = services.add_decision_factor(
        deal, name="本地化交付能力", priority=1, standing="behind", set_by="competitor", by=org.rep
    )
    services.add_decision_factor(deal, name="价格", priority=2, standing="behind", by=org.rep)
    english(org.rep)
    page = login(org.rep).get(reverse("pipeline:detail", args=[deal.pk])).content.decode()
    assert "Decisive factor “本地化交付能力”: we trail and have no strategy to shape it." in page
    assert "“价格”" not in page  # medium priority: not decisive
    assert "A competitor" in page

    response = login(org.rep).post(
        reverse("pipeline:factor_update", args=[deal.pk, factor.pk]),
        {
            f"factor-{factor.pk}-priority": "1",
            f"factor-{factor.pk}-standing": "behind",
            f"factor-{factor.pk}-set_by": "competitor",
            f"factor-{factor.pk}-strategy": "a_to_a_plus_1",
            f"factor-{factor.pk}-strategy_actions": "",
        },
        follow=True,
    )
    assert "Say what we will do to carry out this strategy." in response.content.decode()
    response = login(org.rep).post(
        reverse("pipeline:factor_update", args=[deal.pk, factor.pk]),
        {
            f"factor-{factor.pk}-priority": "1",
            f"factor-{factor.pk}-standing": "behind",
            f"factor-{factor.pk}-set_by": "competitor",
            f"factor-{factor.pk}-strategy": "a_to_a_plus_1",
            f"factor-{factor.pk}-strategy_actions": "请技术把关者把驻场服务写进评标标准",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "we trail and have no strategy" not in page
    assert "A→A+1 (add a criterion we win)" in page and "驻场服务" in page


def test_the_flag_reads_in_chinese(org, login, deal):
    services.add_decision_factor(deal, name="交付周期", priority=1, standing="behind", by=org.rep)
    page = login(org.rep).get(reverse("pipeline:detail", args=[deal.pk])).content.decode()
    assert "决定性因素“交付周期”：我们落后，且尚无策略。" in page


def test_the_api_sets_the_strategy_and_answers_the_flag(org, api, deal):
    base = f"/api/v1/opportunities/{deal.pk}/decision-factors/"
    client = api(org.rep)
    created = client.post(
        base, {"name": "交付", "priority": 1, "standing": "behind"}, format="json"
    ).json()
    assert created["needs_strategy"] is True and created["strategy"] == ""
    refused = client.patch(f"{base}{created['id']}/", {"strategy": "be_first"}, format="json")
    assert refused.status_code == 400
    answer = client.patch(
        f"{base}{created['id']}/",
        {"strategy": "reprioritise", "strategy_actions": "请决策者把服务排在价格之前"},
        format="json",
    )
    assert answer.status_code == 200
    assert answer.json()["needs_strategy"] is False and answer.json()["strategy"] == "reprioritise"
    assert api(org.finance).patch(
        f"{base}{created['id']}/", {"strategy": "be_first"}, format="json"
    ).status_code in (403, 404)


def test_a_strategy_needs_its_actions():
    deal = new_opportunity(AccountFactory())
    with pytest.raises(ValidationError) as refused:
        services.add_decision_factor(deal, name="价格", strategy="a_to_b", by=None)
    assert "strategy_actions" in refused.value.message_dict
    assert not DecisionFactor.objects.exists()
