"""``kam compiletranslations``: compile KAM's .po catalogues to .mo, in pure Python.

Django's ``compilemessages`` needs GNU gettext's ``msgfmt``; this needs nothing
beyond KAM's own dependencies, so a fresh machine with only Python can run KAM.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.core.management.base import BaseCommand, CommandError

import kam


def catalogues() -> list[Path]:
    return sorted(Path(kam.__file__).parent.glob("*/locale/*/LC_MESSAGES/django.po"))


class Command(BaseCommand):
    help = "Compile KAM's translation catalogues (.po → .mo) without GNU gettext."

    def handle(self, *args: Any, **options: Any) -> None:
        found = catalogues()
        if not found:
            raise CommandError("No translation catalogues found under the kam package.")
        for po_path in found:
            catalogue = polib.pofile(str(po_path))
            catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
        self.stdout.write(f"Compiled {len(found)} translation catalogues.")
