"""Both catalogues complete; the language switch sticks to the user."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.urls import reverse

import kam

ROOT = Path(kam.__file__).parent
CATALOGUES = sorted(ROOT.glob("*/locale/*/LC_MESSAGES/django.po"))


def test_every_app_has_both_catalogues():
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")}
    for language in ("zh_Hans", "en"):
        have = {p.parts[-5] for p in CATALOGUES if p.parts[-3] == language}
        assert apps <= have, f"missing {language} catalogue for {apps - have}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: f"{p.parts[-5]}-{p.parts[-3]}")
def test_catalogue_is_complete(path):
    catalogue = polib.pofile(str(path))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not untranslated and not fuzzy, f"untranslated: {untranslated}, fuzzy: {fuzzy}"


@pytest.mark.parametrize(
    "path", [p for p in CATALOGUES if p.parts[-3] == "en"], ids=lambda p: p.parts[-5]
)
def test_english_reads_as_written(path):
    """The source strings are English: a text guessed from another string is a bug."""
    catalogue = polib.pofile(str(path))
    wrong = [
        (e.msgid, e.msgstr)
        for e in catalogue
        if not e.obsolete and not e.msgid_plural and e.msgstr != e.msgid
    ]
    assert not wrong, wrong[:10]


@pytest.mark.skipif(
    shutil.which("msgfmt") is None and not os.environ.get("KAM_STRICT"),
    reason="GNU gettext not installed (CI installs it and sets KAM_STRICT)",
)
@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: f"{p.parts[-5]}-{p.parts[-3]}")
def test_msgfmt_accepts_the_catalogue(path, tmp_path):
    """Placeholders and format flags agree between source and translation."""
    result = subprocess.run(
        ["msgfmt", "--check-format", "-o", str(tmp_path / "out.mo"), str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(
    shutil.which("xgettext") is None and not os.environ.get("KAM_STRICT"),
    reason="GNU gettext not installed (CI installs it and sets KAM_STRICT)",
)
def test_catalogues_are_up_to_date_with_the_source(tmp_path):
    """Every translatable string in the source is in the catalogues."""
    for app_dir in sorted(p.parent for p in ROOT.glob("*/apps.py")):
        copy = tmp_path / app_dir.name
        shutil.copytree(app_dir, copy, ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
        # The django-admin script, not `python -m django`: the app folder has modules
        # (selectors.py) that would shadow the standard library from the working directory.
        command = [
            str(Path(sys.executable).parent / "django-admin"),
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            "--no-location",
        ]
        subprocess.run(command, cwd=copy, check=True, capture_output=True)
        catalogue = polib.pofile(str(copy / "locale/zh_Hans/LC_MESSAGES/django.po"))
        missing = [e.msgid for e in catalogue.untranslated_entries()]
        assert not missing, f"{app_dir.name}: not in the catalogue: {missing}"


@pytest.mark.django_db
def test_language_switch_sticks_to_the_user(org, client):
    client.force_login(org.rep)
    client.post(reverse("switch_language"), {"language": "en", "next": "/accounts/"})
    org.rep.refresh_from_db()
    assert org.rep.language == "en"
    # A fresh session (another device) still gets English.
    client.logout()
    client.cookies.clear()
    client.force_login(org.rep)
    page = client.get(reverse("accounts:list")).content.decode()
    assert "Accounts" in page and "Sign out" in page
    client.post(reverse("switch_language"), {"language": "zh-hans", "next": "/"})
    assert "退出" in client.get(reverse("accounts:list")).content.decode()


@pytest.mark.django_db
def test_language_switch_refuses_unknown_languages_and_foreign_redirects(org, client):
    client.force_login(org.rep)
    response = client.post(
        reverse("switch_language"), {"language": "xx", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    org.rep.refresh_from_db()
    assert org.rep.language == ""


@pytest.mark.django_db
def test_chinese_is_the_default(org, client):
    client.force_login(org.rep)
    assert "客户" in client.get(reverse("accounts:list")).content.decode()
