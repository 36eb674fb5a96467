"""Each role's first page: what it shows, what it leaves out, where its figures lead."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from kam.core.models import AuditEvent
from kam.stakeholders.models import PersonalInfo

pytestmark = pytest.mark.django_db


@dataclass
class Dashboard:
    """The dashboard as a browser assembles it: the frame, then every panel it asks for."""

    templates: list[str]
    panels: dict[str, Any]
    content: bytes


def _dashboard(client):  # type: ignore[no-untyped-def]
    frame = client.get("/")
    assert frame.status_code == 200
    html = frame.content.decode()
    urls = re.findall(r'hx-get="(/reports/dashboard/[^"/]+/)"', html)
    assert urls
    templates = [t.name for t in frame.templates]
    panels: dict[str, Any] = {}
    for url in urls:
        response = client.get(url, headers={"HX-Request": "true"})
        assert response.status_code == 200, url
        panels[url.rstrip("/").rsplit("/", 1)[-1]] = response.context
        html += response.content.decode()
    return Dashboard(templates, panels, html.encode())


def _chart(response, element_id):  # type: ignore[no-untyped-def]
    html = response.content.decode()
    start = html.index(f'id="{element_id}"')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


def _urls(option):  # type: ignore[no-untyped-def]
    return [
        point["url"]
        for series in option["series"]
        for point in series["data"]
        if isinstance(point, dict) and point.get("url")
    ]


def test_a_rep_lands_on_their_own_dashboard(org, book, login):
    response = _dashboard(login(org.rep))
    assert "reports/dashboard_rep.html" in response.templates
    panels = response.panels
    assert [a.pk for a in panels["agenda"]["board"].today_activities] == [book.planned_today.pk]
    forecast = panels["forecast"]["forecast"]
    assert forecast.rows and panels["forecast"]["link"].scope.rep == org.rep
    # Their own open deal is in the forecast, nobody else's.
    assert forecast.totals.total == Decimal("300000.00")
    money = panels["receivables"]["board"]
    assert money.overdue_total == Decimal("40000.00")
    assert [i.pk for i in money.overdue] == [book.my_invoice.pk]
    count, amount, lines = panels["stalled"]["stalled"]
    assert (count, amount) == (1, Decimal("300000.00"))
    assert [s.opportunity.pk for s in lines] == [book.my_deal.pk]
    assert [d.opportunity for d in panels["flags"]["flagged"]] == [book.my_deal]
    page = response.content.decode()
    assert "北京丙大单" not in page and "北京客户丙" not in page and "上海乙新建" not in page


def test_a_manager_sees_the_team_not_another_team(org, book, login):
    response = _dashboard(login(org.east_manager))
    assert "reports/dashboard_manager.html" in response.templates
    panels = response.panels
    assert panels["forecast"]["scope"].team == org.east
    forecast = panels["forecast"]["forecast"]
    assert forecast.totals.total == Decimal("500000.00")
    flagged = {d.opportunity.pk for d in panels["flags"]["flagged"]}
    assert flagged <= {book.my_deal.pk, book.colleague_deal.pk}
    count, _amount, lines = panels["stalled"]["stalled"]
    assert count == 1 and lines[0].opportunity == book.my_deal
    assert panels["aging"]["aging"].totals.overdue == Decimal("40000.00")
    breakdown = {line.label: line.forecast.total for line in panels["forecast"]["breakdown"]}
    assert breakdown == {"上海组": forecast.total}
    assert forecast.total > 0
    reps = {t.key: t for t in panels["activities"]["activities"].by_rep}
    assert set(reps) == {org.rep.pk}
    assert reps[org.rep.pk].counts["continuation"] == 2
    assert reps[org.rep.pk].advance_rate == Decimal(0)
    assert "北京丙大单" not in response.content.decode()


def test_a_director_sees_the_company(org, book, login):
    response = _dashboard(login(org.director))
    assert "reports/dashboard_executive.html" in response.templates
    panels = response.panels
    assert panels["forecast"]["forecast"].totals.total == Decimal("9500000.00")
    assert panels["risks"]["overdue_total"] == Decimal("40000.00") + Decimal("500000.00")
    assert {line.label for line in panels["forecast"]["breakdown"]} == {"华东大区", "华北大区"}
    assert sum(row.accounts for row in panels["pyramid"]["pyramid"].rows) == 3
    tips = panels["pyramid"]["pyramid_chart"]["series"][0]["data"]
    assert [item["url"].rsplit("=", 1)[1] for item in sorted(tips, key=lambda i: i["value"])] == [
        "key",
        "important",
        "general",
    ]  # the key accounts at the tip
    # The largest deals come first among the risks.
    assert [d.opportunity for d in panels["risks"]["flagged"]][:1] == [book.their_deal]


def test_finance_and_administrators_get_the_company_dashboard(org, book, login):
    for user in (org.finance, org.admin):
        response = _dashboard(login(user))
        assert "reports/dashboard_executive.html" in response.templates


def test_every_chart_point_opens_records_the_user_may_see(org, book, login):
    client = login(org.rep)
    response = _dashboard(client)
    urls = _urls(_chart(response, "rep-funnel-data")) + _urls(_chart(response, "rep-target-data"))
    assert urls
    for url in urls:
        assert client.get(url).status_code == 200, url
    design = [u for u in _urls(_chart(response, "rep-funnel-data")) if "stage=" in u]
    pages = [client.get(u).content.decode() for u in design]
    assert any("上海甲扩容" in p for p in pages)
    assert not any("北京丙大单" in p for p in pages)


def test_manager_charts_click_through(org, book, login):
    client = login(org.east_manager)
    response = _dashboard(client)
    for chart in (
        "team-funnel-data",
        "team-breakdown-data",
        "team-aging-data",
        "team-outcome-data",
    ):
        urls = _urls(_chart(response, chart))
        assert urls, chart
        for url in urls[:6]:
            assert client.get(url).status_code == 200, url
    outcome_urls = _urls(_chart(response, "team-outcome-data"))
    continuation = next(u for u in outcome_urls if "outcome=continuation" in u)
    listing = client.get(continuation).context["listing"]
    assert listing.page.paginator.count == 2


def test_director_charts_click_through(org, book, login):
    client = login(org.director)
    response = _dashboard(client)
    for chart in ("pyramid-data", "matrix-data", "rollup-data", "cash-data"):
        for url in _urls(_chart(response, chart))[:6]:
            assert client.get(url).status_code == 200, url


def test_birthdays_this_week_are_shown_to_the_account_team_and_logged_once_a_day(org, book, login):
    today = book.today
    birthday = date(1980, today.month, today.day)
    PersonalInfo.objects.create(contact=book.my_person, birthday=birthday)
    PersonalInfo.objects.create(contact=book.their_person, birthday=birthday)
    client = login(org.rep)
    days = _dashboard(client).panels["special_days"]["special_days"]
    assert [(s.contact, s.day) for s in days] == [(book.my_person, today)]
    _dashboard(client)
    views = AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW_SENSITIVE, actor=org.rep, object_id=str(book.my_person.pk)
    )
    assert views.count() == 1
    assert views.get().changes["fields"] == ["birthday"]
    assert not AuditEvent.objects.filter(
        object_type="stakeholders.contact", object_id=str(book.their_person.pk)
    ).exists()


def test_erased_or_departed_people_have_no_special_day(org, book, login):
    today = book.today
    PersonalInfo.objects.create(contact=book.my_person, birthday=date(1980, today.month, today.day))
    book.my_person.has_left = True
    book.my_person.save()
    assert _dashboard(login(org.rep)).panels["special_days"]["special_days"] == []


@pytest.mark.parametrize("role", ["rep", "east_manager", "director"])
def test_dashboard_queries_do_not_grow_with_the_book(
    org, book, login, django_assert_max_num_queries, role
):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.forecasting.factories import deal

    client = login(getattr(org, role))
    urls = [
        "/",
        *re.findall(r'hx-get="(/reports/dashboard/[^"/]+/)"', client.get("/").content.decode()),
    ]
    counts = {}
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        counts[url] = len(few.captured_queries)
        assert counts[url] <= 30, url
    for n in range(15):
        deal(book.mine, str(1000 + n), "interest", close=book.today)
        deal(book.theirs, str(1000 + n), "design", close=book.today)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200


def test_the_frame_asks_for_its_panels_and_another_roles_panel_is_a_404(org, book, login):
    rep = login(org.rep)
    frame = rep.get("/").content.decode()
    assert reverse("reports:panel", args=["agenda"]) in frame
    assert reverse("reports:panel", args=["pyramid"]) not in frame
    # The company's pyramid is not a rep's panel, whatever the URL says.
    assert rep.get(reverse("reports:panel", args=["pyramid"])).status_code == 404
    assert rep.get(reverse("reports:panel", args=["nonsense"])).status_code == 404
    assert login(org.director).get(reverse("reports:panel", args=["pyramid"])).status_code == 200
    assert login(org.east_manager).get(reverse("reports:panel", args=["agenda"])).status_code == 404


def test_the_reports_page_lists_every_report(org, login):
    page = login(org.rep).get(reverse("reports:index")).content.decode()
    for name in (
        "forecasting:funnel",
        "reports:forecast",
        "reports:win_loss",
        "reports:activities",
    ):
        assert reverse(name) in page
    assert reverse("receivables:index") in page


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get("/").status_code == 302
    assert client.get(reverse("reports:panel", args=["agenda"])).status_code == 302
    assert client.get(reverse("reports:win_loss")).status_code == 302


def test_the_funnel_labels_sit_beside_the_bars_in_the_text_colour(org, book, login):
    client = login(org.east_manager)
    response = client.get(reverse("reports:panel", args=["forecast"]))
    series = _chart(response, "team-funnel-data")["series"][0]
    assert series["label"]["position"] == "right"
    assert series["label"]["color"] == "#212529"


@pytest.mark.parametrize(
    ("language", "open_label", "funnel_label"),
    [
        (
            "zh-hans",
            '进行中的商机 <span class="text-muted">(不限预计成交日期)</span>',
            "预计在 {} 成交的进行中商机",
        ),
        (
            "en",
            'Open opportunities <span class="text-muted">(any close date)</span>',
            "open deals expected to close in {}",
        ),
    ],
)
def test_the_funnel_and_the_open_deals_card_say_which_deals_they_count(  # type: ignore[no-untyped-def]
    org, book, login, language, open_label, funnel_label
):
    org.east_manager.language = language
    org.east_manager.save(update_fields=["language"])
    response = login(org.east_manager).get(reverse("reports:panel", args=["forecast"]))
    page = response.content.decode()
    quarter = response.context["link"].period.key
    assert open_label in page
    assert funnel_label.format(quarter) in page


def test_the_reps_open_deals_card_says_it_counts_every_close_date(org, book, login):  # type: ignore[no-untyped-def]
    page = login(org.rep).get(reverse("reports:panel", args=["agenda"])).content.decode()
    assert '进行中的商机 <span class="text-muted">(不限预计成交日期)</span>' in page
