"""KAM installs on a phone's home screen and keeps its static files for poor signal."""

from __future__ import annotations

import re

import pytest

from kam.ui import installable

pytestmark = pytest.mark.django_db


def test_the_manifest_names_the_app_in_the_language_asked(client):
    response = client.get("/manifest.webmanifest?language=zh-hans")
    assert response["Content-Type"] == "application/manifest+json"
    body = response.json()
    assert (body["name"], body["short_name"], body["lang"]) == ("大客户销售管理", "KAM", "zh-hans")
    assert (body["start_url"], body["scope"], body["display"]) == ("/", "/", "standalone")
    assert body["theme_color"] == "#17324d"
    assert {(icon["sizes"], icon["purpose"]) for icon in body["icons"]} == {
        ("192x192", "any"),
        ("512x512", "any"),
        ("192x192", "maskable"),
        ("512x512", "maskable"),
    }
    english = client.get("/manifest.webmanifest?language=en").json()
    assert (english["name"], english["lang"]) == ("KAM key account management", "en")


def test_every_icon_of_the_manifest_is_served(client):
    for icon in client.get("/manifest.webmanifest").json()["icons"]:
        response = client.get(icon["src"])
        assert response.status_code == 200, icon["src"]
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_the_service_worker_is_served_from_the_root_for_every_page(client):
    response = client.get("/sw.js")
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    assert f'"release": "{installable.release()}"' in script
    assert '"/offline/?language=en"' in script and '"/static/kam/kam.css"' in script


def test_what_the_worker_keeps_is_all_there(client):
    """A missing file would make the worker's installation fail on every phone."""
    for url in installable.precache_urls():
        assert client.get(url).status_code == 200, url
    for url in installable.offline_page_urls().values():
        assert client.get(url).status_code == 200, url


def test_a_new_release_makes_a_new_cache(monkeypatch):
    before = installable._release()
    monkeypatch.setattr("kam.__version__", "99.0.0")
    assert installable._release() != before
    assert re.fullmatch(r"[0-9a-f]{12}", before)


def test_the_offline_page_speaks_the_language_asked_without_a_session(client):
    chinese = client.get("/offline/?language=zh-hans").content.decode()
    assert '<html lang="zh-hans">' in chinese and "没有网络连接" in chinese
    english = client.get("/offline/?language=en").content.decode()
    assert '<html lang="en">' in english and "No connection" in english


def test_pages_link_the_manifest_and_allow_the_worker(org, login):
    response = login(org.rep).get("/accounts/")
    page = response.content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest?language=zh-hans"' in page
    assert 'name="kam-service-worker" content="/sw.js"' in page
    policy = response["Content-Security-Policy"]
    assert "worker-src 'self'" in policy and "manifest-src 'self'" in policy
    assert "script-src 'self';" in policy
