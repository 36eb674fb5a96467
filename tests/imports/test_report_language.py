"""An import report reads in its reader's language, whatever the language of the upload."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kam.core.models import Interface
from kam.imports import selectors, services
from kam.imports.models import ImportBatch, Kind
from tests.factories import AccountFactory, OpportunityFactory
from tests.imports.helpers import headers, xlsx

pytestmark = pytest.mark.django_db
SOON = timezone.localdate() + dt.timedelta(days=90)


def _checked(user, kind, rows, language):  # type: ignore[no-untyped-def]
    with translation.override(language):
        batch = services.start_import(
            kind=kind,
            file_name="文件.xlsx",
            content=xlsx(rows),
            by=user,
            via=Interface.WEB,
            language=language,
            run_check=False,
        )
        return services.check_batch(batch)


@pytest.fixture
def chinese_upload(org):  # type: ignore[no-untyped-def]
    """A rep's file checked in Chinese: a bad number (the file's own words), an unknown
    column, and an account they may not see (a refusal of the accounts' lookup)."""
    AccountFactory(owner=org.north_rep, name="北方机密客户")
    AccountFactory(owner=org.rep, name="甲公司")
    rows = [
        [*headers("opportunities", "account", "name", "amount", "expected_close_date"), "备注"],
        ["甲公司", "扩容", "很多", SOON, "展会"],
        ["北方机密客户", "偷偷加", 5, SOON, ""],
    ]
    return _checked(org.rep, Kind.OPPORTUNITIES, rows, "zh-hans")


def _messages(batch):  # type: ignore[no-untyped-def]
    return {(e["row"], e["column"]): e["message"] for e in selectors.report_errors(batch)}


def test_errors_recorded_in_chinese_read_in_english_for_an_english_reader(chinese_upload):
    with translation.override("en"):
        messages = _messages(chinese_upload)
    assert messages[(2, "amount")] == "“很多” is not a number."
    assert messages[(1, "备注")].startswith("Unknown column “备注”: rename it")
    assert messages[(3, "account")] == "No account named “北方机密客户” that you can see."
    with translation.override("zh-hans"):
        messages = _messages(chinese_upload)
    assert messages[(2, "amount")] == "“很多”不是数字。"
    assert messages[(3, "account")] == "您可见的客户中没有名为“北方机密客户”的客户。"


def test_errors_recorded_in_english_read_in_chinese_for_a_chinese_reader(org):
    AccountFactory(owner=org.rep, name="甲公司")
    rows = [
        headers("opportunities", "account", "name", "amount", "expected_close_date"),
        ["甲公司", "扩容", "lots", SOON],
        ["甲公司", "扩容二期", 5, "someday"],
    ]
    batch = _checked(org.rep, Kind.OPPORTUNITIES, rows, "en")
    with translation.override("zh-hans"):
        messages = _messages(batch)
    assert messages[(2, "amount")] == "“lots”不是数字。"
    assert "不是日期" in messages[(3, "expected_close_date")]


def test_an_english_reader_sees_the_page_in_english_with_the_files_words_marked(
    chinese_upload, org, login
):
    org.rep.language = "en"
    org.rep.save()
    page = login(org.rep).get(reverse("imports:detail", args=[chinese_upload.pk]))
    body = page.content.decode()
    assert "“<span data-user-content>很多</span>” is not a number." in body
    assert "Unknown column “<span data-user-content>备注</span>”" in body
    assert "不是数字" not in body and "您可见的客户" not in body
    api = login(org.rep).get(f"/api/v1/imports/{chinese_upload.pk}/")
    reasons = [e["message"] for e in api.json()["report"]["errors"]]
    assert "“很多” is not a number." in reasons


def test_what_an_update_changes_reads_in_the_readers_language(org):
    account = AccountFactory(owner=org.rep, name="甲公司")
    OpportunityFactory(account=account, owner=org.rep, name="扩容", amount=100)
    rows = [
        headers("opportunities", "account", "name", "amount", "expected_close_date"),
        ["甲公司", "扩容", 250, SOON],
    ]
    batch = _checked(org.rep, Kind.OPPORTUNITIES, rows, "zh-hans")
    with translation.override("en"):
        [row] = selectors.report_rows(batch)
    assert row["changes"].startswith("Amount: 100.00 → 250.00")
    with translation.override("zh-hans"):
        [row] = selectors.report_rows(batch)
    assert row["changes"].startswith("金额：100.00 → 250.00")


def test_a_report_stored_before_phrases_keeps_its_text(org, login):
    batch = _checked(org.rep, Kind.ACCOUNTS, [headers("accounts", "name"), ["乙公司"]], "zh-hans")
    ImportBatch.objects.filter(pk=batch.pk).update(
        report={"errors": [{"row": 2, "column": "name", "message": "旧的错误说明"}], "rows": []}
    )
    batch.refresh_from_db()
    with translation.override("en"):
        assert selectors.report_errors(batch)[0]["message"] == "旧的错误说明"
    org.rep.language = "en"
    org.rep.save()
    body = login(org.rep).get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert '<span lang="zh-hans">旧的错误说明</span>' in body


def test_a_file_refused_in_chinese_says_why_in_english_for_an_english_reader(org, login):
    batch = _checked(org.rep, Kind.ACCOUNTS, [["某某", "其他"], ["甲", "乙"]], "zh-hans")
    assert batch.message.startswith("工作表中没有可识别的列标题")
    with translation.override("en"):
        assert selectors.report_message(batch).startswith("No column of the sheet has a header")
    org.rep.language = "en"
    org.rep.save()
    client = login(org.rep)
    body = client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert "No column of the sheet has a header this import knows." in body
    api = client.get(f"/api/v1/imports/{batch.pk}/").json()
    assert api["message"].startswith("No column of the sheet has a header")
