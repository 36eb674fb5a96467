"""Task pages: my tasks by tab, the form, one-click done / undone, the panels of the
account, deal, person and contract pages, the dashboard's panel, both languages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kam.activities.models import Task, TaskSource
from kam.activities.todos import services
from kam.core.models import AuditEvent
from tests.factories import AccountFactory, ContactFactory, UserFactory
from tests.pipeline.factories import new_opportunity
from tests.receivables.factories import contract_for

pytestmark = pytest.mark.django_db


def english(user):  # type: ignore[no-untyped-def]
    """Pages speak the user's language, Chinese unless they chose English."""
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def task(owner, by=None, days: int | None = 0, **fields):  # type: ignore[no-untyped-def]
    due = None if days is None else timezone.localdate() + timedelta(days=days)
    return services.create_task(
        title=fields.pop("title", "跟进报价"), owner=owner, by=by or owner, due_on=due, **fields
    )


def test_my_tasks_by_tab_with_counts(org, login):
    account = AccountFactory(owner=org.rep, name="上海移动")
    task(org.rep, title="寄送样品", days=-3, account=account)
    task(org.rep, title="确认会议室", days=0)
    task(org.rep, title="准备方案", days=5)
    done = task(org.rep, title="已经发了邮件", days=-1)
    services.mark_done(done, by=org.rep)
    task(org.rep2, title="别人的待办")
    client = login(english(org.rep))
    page = client.get(reverse("tasks:list")).content.decode()
    assert "寄送样品" in page and "确认会议室" in page and "准备方案" in page
    assert "已经发了邮件" not in page and "别人的待办" not in page
    assert 'data-testid="count-overdue">1<' in page and 'data-testid="count-done">1<' in page
    assert "上海移动" in page and "Overdue" in page
    overdue = client.get(reverse("tasks:list"), {"when": "overdue"}).content.decode()
    assert "寄送样品" in overdue and "准备方案" not in overdue
    done_tab = client.get(reverse("tasks:list"), {"when": "done"}).content.decode()
    assert "已经发了邮件" in done_tab and "寄送样品" not in done_tab


def test_the_list_in_chinese(org, login):
    task(org.rep, title="寄送样品", days=-3)
    text = login(org.rep).get(reverse("tasks:list")).content.decode()
    assert "待办" in text and "逾期" in text and "寄送样品" in text


def test_a_manager_filters_by_owner_and_a_rep_has_no_owner_filter(org, login):
    task(org.rep, title="代表的待办")
    task(org.rep2, title="同事的待办")
    task(org.east_manager, title="经理自己的")
    rep_page = login(org.rep).get(reverse("tasks:list")).content.decode()
    assert 'data-testid="owner-filter"' not in rep_page
    client = login(org.east_manager)
    own = client.get(reverse("tasks:list")).content.decode()
    assert "经理自己的" in own and "代表的待办" not in own
    team = client.get(reverse("tasks:list"), {"owner": "all"}).content.decode()
    assert "经理自己的" in team and "代表的待办" in team and "同事的待办" in team
    one = client.get(reverse("tasks:list"), {"owner": org.rep2.pk}).content.decode()
    assert "同事的待办" in one and "代表的待办" not in one


def test_a_rep_cannot_list_a_colleagues_tasks(org, login):
    task(org.north_rep, title="北方的待办")
    page = login(org.rep).get(reverse("tasks:list"), {"owner": org.north_rep.pk})
    assert "北方的待办" not in page.content.decode()


def test_the_list_is_sorted_by_title_on_request(org, login):
    task(org.rep, title="B 第二", days=1)
    task(org.rep, title="A 第一", days=2)
    page = login(org.rep).get(reverse("tasks:list"), {"sort": "title"}).content.decode()
    assert page.index("A 第一") < page.index("B 第二")
    page = login(org.rep).get(reverse("tasks:list")).content.decode()
    assert page.index("B 第二") < page.index("A 第一")


def test_the_list_reads_a_fixed_number_of_queries(org, login, django_assert_max_num_queries):
    account = AccountFactory(owner=org.rep)
    deal = new_opportunity(account)
    contract = contract_for(account, org.rep)
    client = login(org.rep)
    task(org.rep, account=account)
    task(org.rep, linked=contract)
    client.get(reverse("tasks:list"))
    with django_assert_max_num_queries(9) as few:
        client.get(reverse("tasks:list"))
    for n in range(12):
        task(org.rep, title=f"待办 {n}", opportunity=deal)
        task(org.rep, title=f"合同 {n}", linked=contract)
        task(
            org.rep, title=f"客户 {n}", person=ContactFactory(account=account), by=org.east_manager
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("tasks:list")).content.decode()
    assert "合同 11" in page and reverse("receivables:contract", args=[contract.pk]) in page


def test_create_a_task_for_a_colleague_from_the_deal(org, login):
    account = AccountFactory(owner=org.rep)
    deal = new_opportunity(account, name="核心网扩容")
    client = login(org.east_manager)
    form = client.get(reverse("tasks:create"), {"opportunity": deal.pk}).content.decode()
    assert "核心网扩容" in form and str(org.rep) in form
    assert str(org.north_rep) not in form  # only colleagues whose work one sees
    due = timezone.localdate() + timedelta(days=7)
    answer = client.post(
        reverse("tasks:create") + f"?opportunity={deal.pk}",
        {"title": "约技术负责人", "owner": org.rep.pk, "due_on": due.isoformat()},
    )
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "pipeline:detail", args=[deal.pk]
    )
    created = Task.objects.get()
    assert (created.opportunity, created.account, created.owner) == (deal, account, org.rep)
    assert created.created_by == org.east_manager and created.source == TaskSource.MANUAL


def test_the_form_shows_the_refusal(org, login):
    account = AccountFactory(owner=org.rep)
    client = login(english(org.east_manager))
    page = client.post(
        reverse("tasks:create") + f"?account={account.pk}", {"title": "跟进", "owner": org.rep2.pk}
    ).content.decode()
    assert f"{org.rep2} does not see this account." in page
    assert not Task.objects.exists()


def test_an_unseen_record_is_a_404(org, login):
    hidden = new_opportunity(AccountFactory(owner=org.north_rep))
    client = login(org.rep)
    assert client.get(reverse("tasks:create"), {"opportunity": hidden.pk}).status_code == 404
    assert client.get(reverse("tasks:panel"), {"opportunity": hidden.pk}).status_code == 404
    other = task(org.north_rep)
    assert client.get(reverse("tasks:edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("tasks:toggle", args=[other.pk]), {"done": "1"}).status_code == 404


def test_edit_a_task(org, login):
    mine = task(org.rep, title="寄样品")
    client = login(english(org.rep))
    answer = client.post(
        reverse("tasks:edit", args=[mine.pk]),
        {"title": "寄两套样品", "owner": org.rep.pk, "version": mine.version, "notes": "顺丰"},
    )
    assert answer.status_code == 302
    mine.refresh_from_db()
    assert (mine.title, mine.notes, mine.due_on) == ("寄两套样品", "顺丰", None)
    stale = client.post(
        reverse("tasks:edit", args=[mine.pk]),
        {"title": "又改了", "owner": org.rep.pk, "version": 1},
    ).content.decode()
    assert "又改了" in stale and "changed" in stale.lower()


def test_one_click_done_and_undone_with_htmx(org, login):
    mine = task(org.rep, title="寄样品")
    client = login(english(org.rep))
    row = client.post(
        reverse("tasks:toggle", args=[mine.pk]), {"done": "1"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert row.startswith("<tr") and "<s>寄样品</s>" in row and "Mark as not done" in row
    mine.refresh_from_db()
    assert mine.done_by == org.rep
    item = client.post(
        reverse("tasks:toggle", args=[mine.pk]),
        {"done": "0", "as": "panel"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert item.startswith("<li") and "Mark as done" in item
    mine.refresh_from_db()
    assert mine.done_at is None
    actions = AuditEvent.objects.filter(object_type="activities.task").values_list(
        "action", flat=True
    )
    assert list(actions) == ["update", "update", "create"]


@pytest.mark.parametrize("about", ["account", "opportunity", "person", "contract"])
def test_the_record_pages_load_their_tasks(org, login, about):
    account = AccountFactory(owner=org.rep)
    records = {
        "account": account,
        "opportunity": new_opportunity(account),
        "person": ContactFactory(account=account),
        "contract": contract_for(account, org.rep),
    }
    record = records[about]
    kwargs = {"linked": record} if about == "contract" else {about: record}
    task(org.rep, title="这条记录的待办", **kwargs)
    task(org.rep, title="别处的待办")
    pages = {
        "account": reverse("accounts:detail", args=[account.pk]),
        "opportunity": reverse("pipeline:detail", args=[record.pk]),
        "person": reverse("stakeholders:detail", args=[record.pk]),
        "contract": reverse("receivables:contract", args=[record.pk]),
    }
    client = login(org.rep)
    page = client.get(pages[about]).content.decode()
    panel_url = f"{reverse('tasks:panel')}?{about}={record.pk}"
    assert panel_url in page.replace("&amp;", "&")
    panel = client.get(panel_url).content.decode()
    assert "这条记录的待办" in panel and "别处的待办" not in panel
    assert f"{reverse('tasks:create')}?{about}={record.pk}" in panel.replace("&amp;", "&")


def test_the_reps_dashboard_shows_tasks_due(org, login):
    task(org.rep, title="今天要打的电话", days=0)
    task(org.rep, title="上周就该做的", days=-7)
    task(org.rep, title="下个月的", days=40)
    page = login(english(org.rep)).get(reverse("reports:panel", args=["tasks"])).content.decode()
    assert "今天要打的电话" in page and "上周就该做的" in page and "下个月的" not in page
    assert "1 overdue" in page
    org.rep.language = "zh-hans"
    org.rep.save()
    chinese = login(org.rep).get(reverse("reports:panel", args=["tasks"])).content.decode()
    assert "1 项逾期" in chinese and "到期待办" in chinese
    frame = login(org.rep).get(reverse("home")).content.decode()
    assert reverse("reports:panel", args=["tasks"]) in frame


def test_the_navigation_names_tasks_in_both_languages(org, login):
    client = login(org.rep)
    page = client.get(reverse("tasks:list")).content.decode()
    assert 'data-nav="tasks"' in page and ">待办</a>" in page.replace("\n", "").replace("  ", "")
    english(org.rep)
    page = client.get(reverse("tasks:list")).content.decode()
    assert ">Tasks</a>" in page.replace("\n", "").replace("  ", "")


def test_a_finance_user_keeps_their_own_tasks(org, login):
    UserFactory()  # someone else
    account = AccountFactory(owner=org.rep)
    contract = contract_for(account, org.rep)
    client = login(org.finance)
    answer = client.post(
        reverse("tasks:create") + f"?contract={contract.pk}",
        {"title": "核对回款", "owner": org.finance.pk},
    )
    assert answer.status_code == 302
    assert Task.objects.get().account == account
