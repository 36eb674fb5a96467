"""The import pages: upload, live status, report, commit, templates."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kam.imports.models import BatchStatus, ImportBatch
from kam.pipeline.models import Opportunity
from tests.factories import AccountFactory
from tests.imports.helpers import headers, xlsx

pytestmark = pytest.mark.django_db
SOON = timezone.localdate() + dt.timedelta(days=90)


def upload(client, kind, content, name="data.xlsx"):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("imports:index"),
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
    )


def test_upload_check_and_commit_from_the_pages(org, login, django_capture_on_commit_callbacks):
    AccountFactory(owner=org.rep, name="甲公司")
    client = login(org.rep)
    page = client.get(reverse("imports:index"))
    assert "从 Excel 导入" in page.content.decode()
    rows = [
        headers("opportunities", "account", "name", "amount", "expected_close_date"),
        ["甲公司", "网页导入", "８８,０００", SOON],
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, "opportunities", xlsx(rows))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{batch.pk}/"
    assert batch.status == BatchStatus.READY
    body = client.get(response["Location"]).content.decode()
    assert "甲公司 · 网页导入" in body and "将新建" in body and 'data-testid="commit"' in body
    assert not Opportunity.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTED
    assert Opportunity.objects.get().name == "网页导入"


def test_the_status_panel_polls_while_the_job_runs_and_stops_after(org, login):
    client = login(org.rep)
    with_queue = upload(client, "accounts", xlsx([headers("accounts", "name"), ["甲"]]))
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.QUEUED  # no worker ran: the job is waiting
    panel = client.get(reverse("imports:progress", args=[batch.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in panel and "等待检查" in panel
    assert with_queue.status_code == 302
    from kam.imports import services

    services.check_batch(batch)
    panel = client.get(reverse("imports:progress", args=[batch.pk])).content.decode()
    assert "hx-trigger" not in panel and "可以导入" in panel


def test_bad_files_get_a_clear_translated_message_and_nothing_is_stored(org, login, settings):
    client = login(org.rep)
    response = upload(client, "accounts", b"name,city\n", name="accounts.csv")
    assert "这不是 Excel 文件" in response.content.decode()
    response = upload(client, "accounts", b"\xd0\xcf\x11\xe0rest", name="old.xls")
    assert "旧版 Excel" in response.content.decode()
    settings.KAM_IMPORT_MAX_BYTES = 100
    response = upload(client, "accounts", xlsx([["客户名称"], ["甲"]]))
    assert "上限为" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_finance_is_told_it_does_not_import_accounts(org, login):
    response = upload(login(org.finance), "accounts", xlsx([["客户名称"], ["甲"]]))
    assert "财务可以查看客户" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_the_error_report_names_row_column_and_reason(
    org, login, django_capture_on_commit_callbacks
):
    client = login(org.rep)
    rows = [headers("accounts", "name", "employees"), ["甲公司", "很多"]]
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, "accounts", xlsx(rows))
    batch = ImportBatch.objects.get()
    body = client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert batch.status == BatchStatus.INVALID
    assert "员工人数" in body and "“<span data-user-content>很多</span>”不是数字。" in body
    assert 'data-testid="commit"' not in body
    refused = client.post(reverse("imports:commit", args=[batch.pk]), follow=True)
    assert "只有检查无误的文件才能导入" in refused.content.decode()


def test_someone_else_s_import_is_not_found(org, login):
    upload(login(org.rep), "accounts", xlsx([["客户名称"], ["甲"]]))
    batch = ImportBatch.objects.get()
    other = login(org.rep2)
    for name in ("imports:detail", "imports:progress"):
        assert other.get(reverse(name, args=[batch.pk])).status_code == 404
    assert other.post(reverse("imports:commit", args=[batch.pk])).status_code == 404
    assert batch.file_name not in other.get(reverse("imports:index")).content.decode()
    assert login(org.admin).get(reverse("imports:detail", args=[batch.pk])).status_code == 200


@pytest.mark.parametrize(
    "kind", ["accounts", "contacts", "opportunities", "activities", "contracts", "payments"]
)
def test_templates_have_bilingual_headers_that_the_import_reads_back(org, login, kind):
    response = login(org.rep).get(reverse("imports:template", args=[kind]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert all(" / " in h for h in header), header
    from kam.imports.kinds import IMPORTERS
    from kam.imports.reading import read_sheet

    parsed = read_sheet(response.content, IMPORTERS[kind].columns)
    assert parsed.problems == [] and len(parsed.columns) == len(header)


def test_an_unknown_template_is_not_found(org, login):
    assert login(org.rep).get("/imports/template/nonsense.xlsx").status_code == 404


def test_the_menu_leads_to_imports(org, login):
    body = login(org.rep).get(reverse("home"), follow=True).content.decode()
    assert 'data-nav="imports"' in body
