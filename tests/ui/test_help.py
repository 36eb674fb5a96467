"""The method ships with the product: a help page per concept, linked where it is used,
and the same guide in the repository in both languages."""

from __future__ import annotations

import importlib.util
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

import kam
from kam.ui import help
from tests.factories import AccountFactory, ActivityFactory
from tests.pipeline.factories import new_opportunity

ROOT = Path(kam.__file__).parent
REPO = ROOT.parent
LANGUAGES = ["zh-hans", "en"]
HELP_LINK = re.compile(r"{%\s*help_link\s+(.+?)\s*%}")


def _as(user, language):  # type: ignore[no-untyped-def]
    user.language = language
    user.save(update_fields=["language"])
    return user


def _title(topic: help.Topic, language: str) -> str:
    with translation.override(language):
        return str(topic.title)


def template_uses() -> list[tuple[str, str]]:
    """Every ``{% help_link ... %}`` in the templates of every app: (file, argument)."""
    return [
        (str(path.relative_to(ROOT)), argument)
        for path in sorted(ROOT.glob("*/templates/**/*.html"))
        for argument in HELP_LINK.findall(path.read_text(encoding="utf-8"))
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_topic_page_answers_in_the_readers_language(org, login, language):  # type: ignore[no-untyped-def]
    client = login(_as(org.rep, language))
    index = client.get(reverse("ui:help_index"))
    assert index.status_code == 200
    index_page = index.content.decode()
    for topic in help.TOPICS.values():
        url = reverse("ui:help_topic", args=[topic.key])
        assert f'href="{url}"' in index_page, topic.key
        response = client.get(url)
        assert response.status_code == 200, topic.key
        page = response.content.decode()
        title = _title(topic, language)
        assert f'<h1 class="h4">{title}</h1>' in page, (topic.key, title)
        assert "DOMAIN" not in page and "§" not in page, topic.key
        for related in topic.related:
            assert reverse("ui:help_topic", args=[related]) in page, (topic.key, related)


def test_the_chinese_pages_are_chinese_and_the_english_pages_english(org, login):  # type: ignore[no-untyped-def]
    han = re.compile(r"[\u3400-\u9fff]")
    english = login(_as(org.rep, "en"))
    for topic in help.TOPICS.values():
        page = english.get(reverse("ui:help_topic", args=[topic.key])).content.decode()
        article = page[page.index("<article") : page.index("</article>")]
        assert not han.search(article), (topic.key, han.search(article))
    chinese = login(_as(org.rep, "zh-hans"))
    page = chinese.get(reverse("ui:help_topic", args=["minefields"])).content.decode()
    for words in ("雷区", "向导", "决策者", "技术把关者", "下一步"):
        assert words in page, words
    page = chinese.get(reverse("ui:help_topic", args=["outcomes"])).content.decode()
    for words in ("成功订单", "进展", "延续", "无销售"):
        assert words in page, words


def test_a_topic_that_does_not_exist_is_not_found_and_strangers_sign_in_first(org, login, client):  # type: ignore[no-untyped-def]
    assert client.get(reverse("ui:help_index"))["Location"].startswith("/login/")
    signed_in = login(org.rep)
    assert signed_in.get("/help/no-such-topic/").status_code == 404
    assert signed_in.post(reverse("ui:help_index")).status_code == 405


def test_every_help_link_in_the_templates_names_a_topic():
    uses = template_uses()
    wrong = [
        (path, argument)
        for path, argument in uses
        if argument[:1] not in "'\"" or argument.strip("'\"") not in help.TOPICS
    ]
    assert not wrong, wrong
    linked = {argument.strip("'\"") for _path, argument in uses}
    # The places the method is used: the account, the decision chain, the deal, the
    # call's outcome, the forecast and the receivables.
    for key in (
        "qualification",
        "value-pyramid",
        "attack-defend",
        "buying-roles",
        "minefields",
        "stages",
        "twenty-questions",
        "outcomes",
        "forecast",
        "aging",
    ):
        assert key in linked, key


def test_every_related_topic_exists_and_every_topic_has_its_page():
    for topic in help.TOPICS.values():
        assert (ROOT / "ui" / "templates" / topic.template).exists(), topic.key
        assert set(topic.related) <= set(help.TOPICS), topic.key
        assert topic.group in {group.key for group in help.GROUPS}, topic.key


def test_an_unknown_topic_fails_loudly():
    with pytest.raises(TemplateSyntaxError, match="no such help topic"):
        Template('{% help_link "minefield" %}')
    variable = Template("{% help_link key %}")
    with override_settings(DEBUG=True), pytest.raises(help.UnknownTopic):
        variable.render(Context({"key": "minefield"}))
    with override_settings(DEBUG=False):
        assert variable.render(Context({"key": "minefield"})) == ""


@pytest.mark.parametrize(
    ("language", "label"),
    [("zh-hans", "帮助：雷区"), ("en", "Help: Red flags (minefields)")],
)
def test_the_link_is_a_labelled_question_mark(language, label):
    with translation.override(language):
        html = Template('{% help_link "minefields" %}').render(Context())
    assert f'aria-label="{label}"' in html
    assert 'href="/help/minefields/"' in html
    assert '<span class="kam-help-mark" aria-hidden="true">?</span>' in html
    css = (ROOT / "ui" / "static" / "kam" / "kam.css").read_text()
    rule = css[css.index(".kam-help {") : css.index("}", css.index(".kam-help {"))]
    assert "min-width: var(--kam-touch)" in rule and "min-height: var(--kam-touch)" in rule


@pytest.mark.django_db
def test_the_places_that_use_a_concept_link_to_it(org, login):  # type: ignore[no-untyped-def]
    account = AccountFactory(owner=org.rep)
    opportunity = new_opportunity(account=account, by=org.rep)
    activity = ActivityFactory(account=account, starts_at=timezone.now() - timedelta(hours=3))
    client = login(org.rep)
    pages = {
        reverse("stakeholders:opportunity", args=[opportunity.pk]): [
            "minefields",
            "buying-roles",
        ],
        reverse("pipeline:detail", args=[opportunity.pk]): [
            "early-qualification",
            "stages",
            "twenty-questions",
            "decision-factors",
            "objections",
        ],
        reverse("accounts:detail", args=[account.pk]): ["qualification"],
        reverse("accounts:matrix"): ["attack-defend"],
        reverse("accounts:pyramid"): ["value-pyramid"],
        reverse("activities:outcome", args=[activity.pk]): ["outcomes"],
        reverse("forecasting:index"): ["forecast"],
        reverse("receivables:index"): ["aging"],
    }
    for url, topics in pages.items():
        page = client.get(url).content.decode()
        for key in topics:
            assert f'href="/help/{key}/"' in page, (url, key)
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("ui:help_index")}"' in home


def test_the_guide_ships_in_both_languages_and_the_readme_links_it():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "DOMAIN" not in readme
    for language, heading in (("zh-Hans", "zh-hans"), ("en", "en")):
        path = REPO / "docs" / f"methodology.{language}.md"
        assert f"docs/methodology.{language}.md" in readme
        guide = path.read_text(encoding="utf-8")
        assert "DOMAIN" not in guide and "§" not in guide
        for topic in help.TOPICS.values():
            assert f"\n### {_title(topic, heading)}\n" in guide, (language, topic.key)


def test_the_guide_says_what_the_help_pages_say():
    """docs/ is written from the help pages; after changing one, run
    ``python scripts/methodology_docs.py`` (with the catalogues compiled)."""
    spec = importlib.util.spec_from_file_location(
        "methodology_docs", REPO / "scripts" / "methodology_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for language, suffix in module.LANGUAGES.items():
        written = (REPO / "docs" / f"methodology.{suffix}.md").read_text(encoding="utf-8")
        assert written == module.guide(language), f"docs/methodology.{suffix}.md is out of date"
