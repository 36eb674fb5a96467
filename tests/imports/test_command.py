"""``kam import FILE --kind KIND --user USER [--dry-run]``."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from kam.accounts.models import Account
from kam.core.models import AuditEvent
from kam.imports.models import BatchStatus, ImportBatch
from tests.imports.helpers import headers, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def sheet(tmp_path):  # type: ignore[no-untyped-def]
    def _sheet(rows):  # type: ignore[no-untyped-def]
        path = tmp_path / "accounts.xlsx"
        path.write_bytes(xlsx(rows))
        return str(path)

    return _sheet


def test_dry_run_then_import(org, sheet, capsys):
    path = sheet([headers("accounts", "name", "city"), ["命令行客户", "上海"]])
    call_command("import", path, kind="accounts", user="rep_sh", dry_run=True)
    assert "1 to create" in capsys.readouterr().out
    assert not Account.objects.exists()
    call_command("import", path, kind="accounts", user="rep_sh")
    assert "1 created" in capsys.readouterr().out
    account = Account.objects.get()
    assert account.owner == org.rep
    assert AuditEvent.objects.filter(object_id=str(account.pk), interface="import").exists()
    assert ImportBatch.objects.filter(status=BatchStatus.COMMITTED, via="cli").count() == 1


def test_errors_are_printed_and_nothing_is_written(org, sheet, capsys):
    path = sheet([headers("accounts", "name", "employees"), ["甲", "很多"], ["乙", 3]])
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import", path, kind="accounts", user="rep_sh")
    assert "row 2 [employees]" in capsys.readouterr().err
    assert not Account.objects.exists()


def test_refusals(org, sheet, tmp_path):
    path = sheet([headers("accounts", "name"), ["甲"]])
    with pytest.raises(CommandError, match="no active user"):
        call_command("import", path, kind="accounts", user="nobody")
    with pytest.raises(CommandError, match="Finance"):
        call_command("import", path, kind="accounts", user="finance")
    with pytest.raises(CommandError, match="no such file"):
        call_command("import", str(tmp_path / "missing.xlsx"), kind="accounts", user="rep_sh")
    bad = tmp_path / "bad.xlsx"
    bad.write_text("hello")
    with pytest.raises(CommandError, match="Excel"):
        call_command("import", str(bad), kind="accounts", user="rep_sh")
