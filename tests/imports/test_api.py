"""Imports in the API: upload, report, commit; the same permissions as the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kam.imports.models import BatchStatus, ImportBatch
from kam.pipeline.models import Opportunity
from tests.factories import AccountFactory
from tests.imports.helpers import headers, xlsx

pytestmark = pytest.mark.django_db
SOON = timezone.localdate() + dt.timedelta(days=90)


def post_file(client, kind, content, name="deals.xlsx"):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/imports/",
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


def test_upload_read_the_report_and_commit(org, api, django_capture_on_commit_callbacks):
    AccountFactory(owner=org.rep, name="甲公司")
    client = api(org.rep)
    rows = [
        headers("opportunities", "account", "name", "amount", "expected_close_date"),
        ["甲公司", "接口导入", 1000, SOON],
        ["甲公司", "坏行", "abc", SOON],
    ]
    with django_capture_on_commit_callbacks(execute=True):
        created = post_file(client, "opportunities", xlsx(rows))
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    report = client.get(f"/api/v1/imports/{pk}/").json()
    assert report["status"] == BatchStatus.INVALID
    assert report["report"]["errors"] == [
        {"row": 3, "column": "amount", "message": "“abc”不是数字。"}
    ]
    assert report["report"]["rows"] == [
        {"row": 2, "action": "create", "label": "甲公司 · 接口导入", "changes": ""}
    ]
    refused = client.post(f"/api/v1/imports/{pk}/commit/")
    assert refused.status_code == 400

    with django_capture_on_commit_callbacks(execute=True):
        good = post_file(client, "opportunities", xlsx(rows[:2]))
    pk = good.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        committed = client.post(f"/api/v1/imports/{pk}/commit/")
    assert committed.status_code == 202
    assert client.get(f"/api/v1/imports/{pk}/").json()["status"] == BatchStatus.COMMITTED
    assert Opportunity.objects.get().name == "接口导入"
    assert [b["id"] for b in client.get("/api/v1/imports/").json()["results"]] == [pk, pk - 1]


def test_bad_files_answer_400_with_the_reason(org, api):
    client = api(org.rep)
    response = post_file(client, "accounts", b"not a workbook", name="x.txt")
    assert response.status_code == 400
    assert "这不是 Excel 文件" in str(response.json())
    assert post_file(client, "nonsense", xlsx([["a"]])).status_code == 400
    assert not ImportBatch.objects.exists()


def test_permissions_match_the_pages(org, api):
    assert post_file(api(org.rep), "payments", xlsx([["客户名称"]])).status_code == 403
    assert post_file(api(org.finance), "accounts", xlsx([["客户名称"]])).status_code == 403
    response = post_file(api(org.rep), "accounts", xlsx([["客户名称"], ["甲"]]))
    pk = response.json()["id"]
    other = api(org.north_rep)
    assert other.get(f"/api/v1/imports/{pk}/").status_code == 404
    assert other.post(f"/api/v1/imports/{pk}/commit/").status_code == 404
    assert other.get("/api/v1/imports/").json()["results"] == []
    assert api().get("/api/v1/imports/").status_code in (401, 403)


def test_the_operations_are_in_the_schema(org, api):
    paths = api(org.rep).get("/api/v1/schema/?format=json").json()["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/imports/"])
    assert "post" in paths["/api/v1/imports/{id}/commit/"]
