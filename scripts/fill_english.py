"""Fill the English catalogues: the source strings are English, so msgstr = msgid."""

from __future__ import annotations

import sys
from pathlib import Path

import polib


def fill(path: Path) -> int:
    """Make every entry read as its source. makemessages guesses a "fuzzy" text for a
    new string from a similar old one; in English the source itself is always right,
    so a guess never survives here."""
    catalogue = polib.pofile(str(path))
    filled = 0
    for entry in catalogue:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            plural = {0: entry.msgid, 1: entry.msgid_plural}
            if entry.msgstr_plural != plural:
                entry.msgstr_plural = plural
                filled += 1
        elif entry.msgstr != entry.msgid:
            entry.msgstr = entry.msgid
            filled += 1
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    catalogue.save()
    return filled


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "kam")
    for po in sorted(
        [*root.glob("locale/en/LC_MESSAGES/*.po"), *root.glob("*/locale/en/LC_MESSAGES/*.po")]
    ):
        print(po, fill(po))
