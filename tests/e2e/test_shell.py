"""A newcomer signs in, switches language and finds every area of the product."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS
from tests.factories import PASSWORD, AccountFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_switch_language_and_navigate(page, org):
    AccountFactory(name="上海华信通信有限公司", owner=org.rep)
    page.goto(f"{page.base_url}/")
    assert "/login/" in page.url
    page.fill("#id_username", org.rep.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn-primary")
    nav = page.locator("[data-testid=main-nav]")
    nav.wait_for()
    assert nav.locator("[data-nav=accounts]").inner_text() == "客户"
    for key in ("stakeholders", "pipeline", "activities", "forecasting", "receivables", "reports"):
        assert nav.locator(f"[data-nav={key}]").is_visible()

    page.click("button[data-language=en]")
    page.wait_for_selector("[data-nav=accounts]:text('Accounts')")
    assert nav.locator("[data-nav=forecasting]").inner_text() == "Forecast"

    page.click("[data-nav=accounts]")
    page.wait_for_selector("[data-testid=account-table]")
    assert "上海华信通信有限公司" in page.inner_text("[data-testid=account-table]")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "accounts-en.png"), full_page=True)

    # The choice sticks to the user: a new browser session is still in English.
    page.context.clear_cookies()
    page.goto(f"{page.base_url}/login/")
    page.fill("#id_username", org.rep.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_selector("[data-nav=accounts]:text('Accounts')")
    assert not page.console_errors, page.console_errors
