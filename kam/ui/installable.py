"""What makes KAM an installable app on a phone: the manifest's content and what the
service worker keeps for a visit without signal."""

from __future__ import annotations

import hashlib
from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

import kam

THEME_COLOUR = "#17324d"
BACKGROUND_COLOUR = "#ffffff"

# The static files every page loads (base.html), kept by the service worker when it
# installs; files a page loads only sometimes (the charts) are kept once fetched.
SHELL_FILES = (
    "vendor/bootstrap/bootstrap.min.css",
    "kam/kam.css",
    "vendor/htmx/htmx.min.js",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "kam/kam.js",
    "kam/offline.js",
    "kam/favicon.svg",
    "kam/icons/icon-192.png",
    "kam/icons/icon-512.png",
)

ICONS = (
    ("kam/icons/icon-192.png", "192x192", "any"),
    ("kam/icons/icon-512.png", "512x512", "any"),
    ("kam/icons/icon-maskable-192.png", "192x192", "maskable"),
    ("kam/icons/icon-maskable-512.png", "512x512", "maskable"),
)


def offline_page_urls() -> dict[str, str]:
    """The page shown when a page cannot load, one per language."""
    return {code: f"{reverse('ui:offline')}?language={code}" for code, _name in settings.LANGUAGES}


def precache_urls() -> list[str]:
    return [static(path) for path in SHELL_FILES]


def _release() -> str:
    """A fingerprint of the release: KAM's version and the files the worker keeps.

    Static URLs carry their content's hash in production but not in the embedded
    run, so the files themselves are read; a new fingerprint makes a new cache."""
    digest = hashlib.sha256(kam.__version__.encode())
    for path in SHELL_FILES:
        digest.update(static(path).encode())
        found = finders.find(path)
        if isinstance(found, str):
            with open(found, "rb") as source:
                digest.update(source.read())
    return digest.hexdigest()[:12]


_cached_release = cache(_release)


def release() -> str:
    """The release fingerprint; read once per process unless files change under DEBUG."""
    return _release() if settings.DEBUG else _cached_release()


def manifest() -> dict[str, object]:
    """The web app manifest in the active language."""
    return {
        "name": pgettext("name of the installed app", "KAM key account management"),
        "short_name": "KAM",
        "description": _("Key accounts, deals, visits and their outcomes, in your pocket."),
        "lang": get_language(),
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": static(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for path, sizes, purpose in ICONS
        ],
    }
