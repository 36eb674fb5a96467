"""Fill the English catalogues: the source strings are English, so msgstr = msgid."""

from __future__ import annotations

import sys
from pathlib import Path

import polib


def fill(path: Path) -> int:
    catalogue = polib.pofile(str(path))
    filled = 0
    for entry in catalogue:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            if not all(entry.msgstr_plural.values()):
                entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
                filled += 1
        elif not entry.msgstr:
            entry.msgstr = entry.msgid
            filled += 1
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalogue.save()
    return filled


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "kam")
    for po in sorted(
        [*root.glob("locale/en/LC_MESSAGES/*.po"), *root.glob("*/locale/en/LC_MESSAGES/*.po")]
    ):
        print(po, fill(po))
