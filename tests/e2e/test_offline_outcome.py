"""A rep at a customer's site with a phone and no signal still records the visit's outcome."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kam.activities import services
from kam.activities.models import Activity, ActivityStatus, Outcome, OutcomeReceipt
from kam.core.models import AuditEvent
from tests.e2e.conftest import ARTIFACTS
from tests.factories import PASSWORD, AccountFactory, ActivityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.base_url = live_server.url
    page.console_errors = errors
    yield page
    context.close()


def _sign_in(page, user):  # type: ignore[no-untyped-def]
    page.goto(f"{page.base_url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_selector("[data-testid=main-nav]", state="attached")


def _worker_ready(page) -> bool:  # type: ignore[no-untyped-def]
    return page.evaluate(
        "navigator.serviceWorker.ready.then((registration) => Boolean(registration.active))"
    )


def _past_visit(owner) -> Activity:  # type: ignore[no-untyped-def]
    return ActivityFactory(
        account=AccountFactory(name="上海华信通信有限公司", owner=owner),
        starts_at=timezone.now() - timedelta(hours=2),
    )


def _outcome_updates(activity: Activity) -> int:
    return AuditEvent.objects.filter(
        object_id=str(activity.pk), action=AuditEvent.Action.UPDATE
    ).count()


def test_an_outcome_recorded_without_signal_is_sent_once_when_it_returns(phone, org):
    activity = _past_visit(org.rep)
    _sign_in(phone, org.rep)
    phone.goto(f"{phone.base_url}/activities/{activity.pk}/outcome/")
    assert _worker_ready(phone)

    phone.context.set_offline(True)
    phone.check(f"input[name=outcome][value={Outcome.ADVANCE}]")
    phone.fill("textarea[name=outcome_note]", "客户同意下周二安排技术演示")
    phone.click("[data-testid=outcome-form] button[type=submit]")
    state = phone.locator("[data-testid=draft-state][data-state=waiting]")
    state.wait_for()
    assert "等待发送" in state.inner_text()
    badge = phone.locator("[data-testid=drafts-badge]")
    assert badge.is_visible() and badge.inner_text().strip() == "1 条待发送"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "outcome-waiting-390.png"), full_page=True)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PLANNED

    # Another page while offline: the worker answers with its offline page, listing the draft.
    phone.goto(f"{phone.base_url}/activities/")
    phone.wait_for_selector("[data-testid=offline-page]")
    assert "没有网络连接" in phone.inner_text("h1")
    assert "上海华信通信有限公司" in phone.inner_text("[data-testid=drafts]")

    # Back online, the next page sends it; it is recorded exactly once.
    phone.context.set_offline(False)
    phone.goto(f"{phone.base_url}/activities/{activity.pk}/outcome/")
    phone.wait_for_url(f"{phone.base_url}/activities/{activity.pk}/")
    activity.refresh_from_db()
    assert (activity.status, activity.outcome) == (ActivityStatus.DONE, Outcome.ADVANCE)
    assert activity.outcome_note == "客户同意下周二安排技术演示"
    assert _outcome_updates(activity) == 1
    assert OutcomeReceipt.objects.filter(activity=activity, user=org.rep).count() == 1
    assert phone.locator("[data-testid=drafts]").is_hidden()
    assert phone.evaluate("localStorage.getItem('kam.outcome-drafts')") == "{}"


def test_a_draft_the_server_refuses_stays_on_the_phone_with_its_reason(phone, org):
    activity = _past_visit(org.rep)
    _sign_in(phone, org.rep)
    phone.goto(f"{phone.base_url}/activities/{activity.pk}/outcome/")
    assert _worker_ready(phone)

    phone.context.set_offline(True)
    phone.check(f"input[name=outcome][value={Outcome.CONTINUATION}]")
    phone.click("[data-testid=outcome-form] button[type=submit]")
    phone.locator("[data-testid=draft-state][data-state=waiting]").wait_for()

    # Meanwhile the manager changes the activity: the rep's draft is now stale.
    services.update_activity(
        Activity.objects.get(pk=activity.pk),
        by=org.east_manager,
        expected_version=activity.version,
        location="客户新园区",
    )
    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    refused = phone.locator("[data-testid=draft-state][data-state=refused]")
    refused.wait_for()
    assert "在您编辑期间，此记录已被他人修改。" in refused.inner_text()
    badge = phone.locator("[data-testid=drafts-badge]")
    assert badge.inner_text().strip() == "1 条未记录"
    phone.screenshot(path=str(ARTIFACTS / "outcome-refused-390.png"), full_page=True)

    # Kept: on another page the badge lists it, and it opens the form with the reason.
    phone.goto(f"{phone.base_url}/activities/")
    badge.click()
    phone.click("[data-testid=drafts] a.kam-draft")
    phone.wait_for_url(f"{phone.base_url}/activities/{activity.pk}/outcome/")
    assert "已被他人修改" in phone.inner_text("[data-testid=draft-state]")
    assert phone.is_checked(f"input[name=outcome][value={Outcome.CONTINUATION}]")
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PLANNED and not OutcomeReceipt.objects.exists()

    phone.click("[data-draft-discard]")
    phone.wait_for_load_state()
    phone.locator("[data-testid=draft-state]").wait_for(state="hidden")
    assert phone.locator("[data-testid=drafts]").is_hidden()


def test_kam_installs_and_its_offline_page_speaks_the_users_language(phone, org):
    _sign_in(phone, org.rep)
    phone.goto(f"{phone.base_url}/activities/")
    manifest = phone.request.get(f"{phone.base_url}/manifest.webmanifest?language=en")
    assert manifest.headers["content-type"] == "application/manifest+json"
    worker = phone.request.get(f"{phone.base_url}/sw.js")
    assert worker.headers["content-type"] == "text/javascript; charset=utf-8"
    assert worker.headers["service-worker-allowed"] == "/"
    assert _worker_ready(phone)

    org.rep.language = "en"
    org.rep.save(update_fields=["language"])
    phone.reload()
    assert _worker_ready(phone)
    phone.wait_for_timeout(300)  # the page tells the worker its language
    phone.context.set_offline(True)
    phone.goto(f"{phone.base_url}/accounts/")
    phone.wait_for_selector("[data-testid=offline-page]")
    assert phone.inner_text("h1") == "No connection"
    assert phone.evaluate("document.documentElement.lang") == "en"
    phone.context.set_offline(False)
    assert not phone.console_errors, phone.console_errors
