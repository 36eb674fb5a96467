"""Fill empty zh_Hans entries from the shared glossary (scripts/glossary.zh.tsv).

The glossary keeps one Chinese term per English string across all apps. Entries
it does not know are listed, to be added to the glossary (or translated in the
.po directly) before committing.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

HERE = Path(__file__).resolve().parent


def load_glossary() -> dict[str, str]:
    glossary: dict[str, str] = {}
    for line in (HERE / "glossary.zh.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or "\t" not in line:
            continue
        english, chinese, *rest = line.split("\t")
        context = rest[1] if len(rest) > 1 else ""
        # A term with a msgctxt is translated by hand in its own entry, never filled by msgid.
        if not context:
            glossary[english] = chinese
    return glossary


def main(root: Path) -> int:
    glossary = load_glossary()
    missing: list[str] = []
    for path in sorted(
        [
            *root.glob("locale/zh_Hans/LC_MESSAGES/*.po"),
            *root.glob("*/locale/zh_Hans/LC_MESSAGES/*.po"),
        ]
    ):
        catalogue = polib.pofile(str(path))
        for entry in catalogue:
            if entry.obsolete:
                continue
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
                entry.msgstr = ""
                entry.msgstr_plural = {k: "" for k in entry.msgstr_plural}
            key = f"{entry.msgid} ||| {entry.msgid_plural}" if entry.msgid_plural else entry.msgid
            if entry.translated():
                continue
            if key in glossary:
                if entry.msgid_plural:
                    entry.msgstr_plural = {0: glossary[key]}
                else:
                    entry.msgstr = glossary[key]
            else:
                missing.append(f"{path}: {key!r}")
        catalogue.save()
    for line in missing:
        print("untranslated:", line)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "kam")))
