"""What loads after the page: dashboard panels and the 360 page's add forms, in a browser."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS
from tests.factories import PASSWORD, AccountFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, user):  # type: ignore[no-untyped-def]
    page.goto(f"{page.base_url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn-primary")


def test_the_dashboard_fills_its_panels_and_the_360_page_opens_its_forms(page, org):
    account = AccountFactory(name="上海华信通信有限公司", owner=org.rep)
    _sign_in(page, org.rep)
    # Every panel of the rep's dashboard arrives by itself, with no error on the way.
    for testid in ("today-activities", "rep-funnel-chart", "flagged-deals", "special-days"):
        page.wait_for_selector(f"[data-testid={testid}]")
    assert page.locator("[data-panel] .kam-empty:text('正在加载…')").count() == 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-rep.png"), full_page=True)

    page.goto(f"{page.base_url}/accounts/{account.pk}/")
    assert page.locator("input[name=observed_on]").count() == 0
    page.click("summary:text('添加信息')")
    page.wait_for_selector("input[name=observed_on]")
    page.fill("textarea[name=text]", "客户明年扩建机房")
    page.select_option("select[name=source]", index=1)
    page.locator("form:has(input[name=observed_on]) button[type=submit]").click()
    page.wait_for_selector("text=客户明年扩建机房")
    assert not page.console_errors, page.console_errors


def test_the_aging_page_fills_its_side_panels(page, org):
    _sign_in(page, org.finance)
    page.wait_for_url(f"{page.base_url}/**")
    page.goto(f"{page.base_url}/receivables/")
    page.wait_for_selector("[data-testid=aging-table]")
    # Each side panel replaces its placeholder with its own card.
    for testid in ("alerts", "complete-sales"):
        page.wait_for_selector(f"[data-testid={testid}]")
    page.wait_for_selector("text=全部逾期发票")
    assert page.locator("[data-panel] :text('正在加载…')").count() == 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "aging-finance.png"), full_page=True)
    assert not page.console_errors, page.console_errors
