"""Each role's first page: what it shows, what it leaves out, where its figures lead."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kam.core.models import AuditEvent
from kam.stakeholders.models import PersonalInfo

pytestmark = pytest.mark.django_db


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
    response = login(org.rep).get("/")
    assert response.status_code == 200
    assert "reports/dashboard_rep.html" in [t.name for t in response.templates]
    board = response.context["board"]
    assert [a.pk for a in board.today_activities] == [book.planned_today.pk]
    assert board.forecast.forecast.rows and board.scope.rep == org.rep
    # Their own open deal is in the forecast, nobody else's.
    assert board.forecast.forecast.totals.total == Decimal("300000.00")
    assert board.overdue_total == Decimal("40000.00")
    assert [i.pk for i in board.overdue] == [book.my_invoice.pk]
    count, amount, lines = board.stalled
    assert (count, amount) == (1, Decimal("300000.00"))
    assert [s.opportunity.pk for s in lines] == [book.my_deal.pk]
    assert [d.opportunity for d in board.flagged] == [book.my_deal]
    page = response.content.decode()
    assert "北京丙大单" not in page and "北京客户丙" not in page and "上海乙新建" not in page


def test_a_manager_sees_the_team_not_another_team(org, book, login):
    response = login(org.east_manager).get("/")
    assert "reports/dashboard_manager.html" in [t.name for t in response.templates]
    board = response.context["board"]
    assert board.scope.team == org.east
    assert board.forecast.forecast.totals.total == Decimal("500000.00")
    assert {d.opportunity.pk for d in board.flagged} <= {book.my_deal.pk, book.colleague_deal.pk}
    count, _amount, lines = board.stalled
    assert count == 1 and lines[0].opportunity == book.my_deal
    assert board.aging.totals.overdue == Decimal("40000.00")
    breakdown = {line.label: line.forecast.total for line in board.forecast.breakdown}
    assert breakdown == {"上海组": board.forecast.forecast.total}
    assert board.forecast.forecast.total > 0
    reps = {t.key: t for t in board.activities.by_rep}
    assert set(reps) == {org.rep.pk}
    assert reps[org.rep.pk].counts["continuation"] == 2
    assert reps[org.rep.pk].advance_rate == Decimal(0)
    assert "北京丙大单" not in response.content.decode()


def test_a_director_sees_the_company(org, book, login):
    response = login(org.director).get("/")
    assert "reports/dashboard_executive.html" in [t.name for t in response.templates]
    board = response.context["board"]
    assert board.forecast.forecast.totals.total == Decimal("9500000.00")
    assert board.overdue_total == Decimal("40000.00") + Decimal("500000.00")
    assert {line.label for line in board.forecast.breakdown} == {"华东大区", "华北大区"}
    assert sum(row.accounts for row in board.pyramid.rows) == 3
    # The largest deals come first among the risks.
    assert [d.opportunity for d in board.flagged][:1] == [book.their_deal]


def test_finance_and_administrators_get_the_company_dashboard(org, book, login):
    for user in (org.finance, org.admin):
        response = login(user).get("/")
        assert "reports/dashboard_executive.html" in [t.name for t in response.templates]


def test_every_chart_point_opens_records_the_user_may_see(org, book, login):
    client = login(org.rep)
    response = client.get("/")
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
    response = client.get("/")
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
    response = client.get("/")
    for chart in ("pyramid-data", "matrix-data", "rollup-data", "cash-data"):
        for url in _urls(_chart(response, chart))[:6]:
            assert client.get(url).status_code == 200, url


def test_birthdays_this_week_are_shown_to_the_account_team_and_logged_once_a_day(org, book, login):
    today = book.today
    birthday = date(1980, today.month, today.day)
    PersonalInfo.objects.create(contact=book.my_person, birthday=birthday)
    PersonalInfo.objects.create(contact=book.their_person, birthday=birthday)
    client = login(org.rep)
    board = client.get("/").context["board"]
    assert [(s.contact, s.day) for s in board.special_days] == [(book.my_person, today)]
    client.get("/")
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
    assert login(org.rep).get("/").context["board"].special_days == []


@pytest.mark.parametrize("role", ["rep", "east_manager", "director"])
def test_dashboard_queries_do_not_grow_with_the_book(
    org, book, login, django_assert_max_num_queries, role
):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.forecasting.factories import deal

    client = login(getattr(org, role))
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    assert len(few.captured_queries) <= 60
    for n in range(15):
        deal(book.mine, str(1000 + n), "interest", close=book.today)
        deal(book.theirs, str(1000 + n), "design", close=book.today)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/").status_code == 200


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
    assert client.get(reverse("reports:win_loss")).status_code == 302
