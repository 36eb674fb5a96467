"""One Chinese term per English string: the glossary and both catalogues agree.

The glossary (scripts/glossary.zh.tsv) lists the methodology's terms first (DOMAIN.md), each
with its Chinese, its English and the Chinese renderings users must never see for it. Django
merges every app's catalogue into one per language, so an English string translated two ways
in two apps shows whichever app comes first: a msgctxt is the way to give one English word two
Chinese translations.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import polib
import pytest

import kam

ROOT = Path(kam.__file__).parent
GLOSSARY = ROOT.parent / "scripts" / "glossary.zh.tsv"


@dataclass(frozen=True)
class Term:
    english: str
    chinese: str
    forbidden: tuple[str, ...]
    context: str | None


def load_terms(path: Path = GLOSSARY) -> list[Term]:
    terms = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or "\t" not in line:
            continue
        english, chinese, *rest = line.split("\t")
        forbidden = tuple(f for f in (rest[0] if rest else "").split(",") if f)
        context = rest[1] if len(rest) > 1 and rest[1] else None
        terms.append(Term(english, chinese, forbidden, context))
    return terms


def entries(language: str) -> list[tuple[str, polib.POEntry]]:
    found = []
    for path in sorted(ROOT.glob(f"*/locale/{language}/LC_MESSAGES/django.po")):
        for entry in polib.pofile(str(path)):
            if not entry.obsolete and not entry.msgid_plural:
                found.append((path.parts[-5], entry))
    return found


def forbidden_renderings(terms: list[Term], catalogue: list[tuple[str, polib.POEntry]]):  # type: ignore[no-untyped-def]
    """Each entry whose English holds a term (as a word, same msgctxt) and whose Chinese holds
    one of the term's forbidden renderings."""
    wrong = []
    for term in terms:
        if not term.forbidden:
            continue
        word = re.compile(rf"\b{re.escape(term.english)}\b", re.IGNORECASE)
        for app, entry in catalogue:
            if (entry.msgctxt or None) != term.context or not word.search(entry.msgid):
                continue
            for bad in term.forbidden:
                if bad in entry.msgstr:
                    wrong.append(
                        f"{app}: {entry.msgid!r} -> {entry.msgstr!r} ({bad} for {term.english})"
                    )
    return wrong


def inconsistent(catalogue: list[tuple[str, polib.POEntry]]) -> list[str]:
    renderings: dict[tuple[str | None, str], dict[str, set[str]]] = defaultdict(
        lambda: defaultdict(set)
    )
    for app, entry in catalogue:
        renderings[(entry.msgctxt, entry.msgid)][entry.msgstr].add(app)
    return [
        f"{msgid!r} (msgctxt {context!r}): {dict(by)}"
        for (context, msgid), by in renderings.items()
        if len(by) > 1
    ]


def test_the_glossary_gives_each_term_one_chinese():
    seen: dict[tuple[str | None, str], str] = {}
    twice = []
    for term in load_terms():
        key = (term.context, term.english)
        if seen.setdefault(key, term.chinese) != term.chinese:
            twice.append(f"{term.english!r}: {seen[key]} / {term.chinese}")
        assert not any(bad in term.chinese for bad in term.forbidden), term
    assert not twice, twice


def test_the_glossary_starts_with_the_methodologys_terms():
    english = {(t.context, t.english): t.chinese for t in load_terms()[:80]}
    assert english[(None, "Red flags")] == "雷区"
    assert english[("next step", "Next")] == "下一步"
    assert english[(None, "Forecast")] == "销售预计"
    assert english[(None, "Purchase role")] == "采购角色"
    assert english[(None, "experience")] == "体验"


def test_no_english_string_is_translated_two_ways():
    wrong = inconsistent(entries("zh_Hans"))
    assert not wrong, "\n".join(wrong)


def test_the_catalogues_render_each_glossary_term_as_the_glossary_does():
    terms = {(t.context, t.english): t.chinese for t in load_terms()}
    wrong = [
        f"{app}: {entry.msgid!r} -> {entry.msgstr!r}, glossary: {terms[key]!r}"
        for app, entry in entries("zh_Hans")
        if (key := (entry.msgctxt, entry.msgid)) in terms and entry.msgstr != terms[key]
    ]
    assert not wrong, "\n".join(wrong)
    english = [
        f"{app}: {entry.msgid!r} -> {entry.msgstr!r}"
        for app, entry in entries("en")
        if (entry.msgctxt, entry.msgid) in terms and entry.msgstr != entry.msgid
    ]
    assert not english, english


def test_no_catalogue_uses_a_forbidden_rendering():
    wrong = forbidden_renderings(load_terms(), entries("zh_Hans"))
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("english", "chinese"),
    [("My red flags", "我的红旗"), ("Opportunity", "机会"), ("experience", "经验")],
)
def test_the_checks_catch_what_users_saw(english, chinese):
    """The checks themselves fail on the renderings users reported."""
    catalogue = [("reports", polib.POEntry(msgid=english, msgstr=chinese))]
    assert forbidden_renderings(load_terms(), catalogue)


def test_the_consistency_check_catches_a_word_translated_two_ways():
    catalogue = [
        ("accounts", polib.POEntry(msgid="Strength", msgstr="优势")),
        ("stakeholders", polib.POEntry(msgid="Strength", msgstr="强度")),
        ("stakeholders", polib.POEntry(msgid="Next", msgstr="下一步", msgctxt="next step")),
        ("ui", polib.POEntry(msgid="Next", msgstr="下一页")),
    ]
    assert inconsistent(catalogue) == [
        "'Strength' (msgctxt None): {'优势': {'accounts'}, '强度': {'stakeholders'}}"
    ]


@pytest.mark.django_db
def test_pages_use_the_methodologys_words(org, login):
    from django.urls import reverse

    from tests.pipeline.factories import new_opportunity
    from tests.stakeholders.factories import StakeholderFactory

    opportunity = new_opportunity(owner=org.rep, account=None, by=None)
    opportunity.account.owner = org.rep
    opportunity.account.save()
    StakeholderFactory(opportunity=opportunity)
    client = login(org.rep)
    chain = client.get(reverse("stakeholders:opportunity", args=[opportunity.pk])).content.decode()
    assert "下一步:" in chain and "下一页" not in chain
    assert ">强度<" in chain and "优势" not in chain
    people = client.get(reverse("stakeholders:list")).content.decode()
    assert re.search(r'<h1 class="h4 mb-0">决策链 <small', people)
    assert 'data-nav="forecasting"\n            href="/forecast/">销售预计<' in people
