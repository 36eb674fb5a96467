"""Write the methodology guide, docs/methodology.<language>.md, from KAM's own help pages.

The guide in the repository and the help in the app are one text: each topic's page
(kam/ui/templates/help/<topic>.html, translated through the ui catalogues) is rendered in
each language and written out as Markdown, in the order of the help index. Run it after
changing a help page or its translation (and `kam compiletranslations`):

    python scripts/methodology_docs.py
"""

from __future__ import annotations

import os
import sys
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LANGUAGES = {"zh-hans": "zh-Hans", "en": "en"}
HEADINGS = {
    "zh-hans": {
        "title": "KAM 大客户销售方法指南",
        "contents": "目录",
        "in_app": "KAM 中本主题的帮助页面：`{url}`",
        "other": "English version",
        "other_file": "methodology.en.md",
    },
    "en": {
        "title": "KAM's key-account selling method",
        "contents": "Contents",
        "in_app": "In KAM, this topic's help page is `{url}`.",
        "other": "中文版",
        "other_file": "methodology.zh-Hans.md",
    },
}


class MarkdownWriter(HTMLParser):
    """The few elements the help pages use (h1, h2, p, ul, ol, li) as Markdown blocks."""

    def __init__(self, heading_level: int) -> None:
        super().__init__()
        self.level = heading_level
        self.blocks: list[str] = []
        self.text: list[str] = []
        self.lists: list[list[object]] = []  # [tag, counter]
        self.example = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("ul", "ol"):
            start = int(dict(attrs).get("start") or 1)
            self.lists.append([tag, start - 1])
        elif tag in ("h1", "h2", "p", "li"):
            self.text = []
            self.example = ("class", "kam-help-example") in attrs

    def handle_endtag(self, tag: str) -> None:
        text = " ".join("".join(self.text).split())
        if tag == "h2":
            self.blocks.append(f"{'#' * self.level} {text}")
        elif tag == "p":
            self.blocks.append(f"> {text}" if self.example else text)
        elif tag == "li":
            kind = self.lists[-1]
            kind[1] = int(str(kind[1])) + 1
            marker = f"{kind[1]}." if kind[0] == "ol" else "-"
            self.blocks.append(f"{marker} {text}")
        elif tag in ("ul", "ol"):
            self.lists.pop()
            self.blocks.append("")
        if tag in ("h2", "p", "li"):
            self.text = []

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def markdown(self) -> str:
        """The blocks, a blank line apart; the items of one list on consecutive lines."""
        out: list[str] = []
        in_list = False
        for block in self.blocks:
            if not block:  # a list ended
                in_list = False
                continue
            item = _is_item(block)
            if out:
                out.append("\n" if item and in_list else "\n\n")
            out.append(block)
            in_list = item
        return "".join(out)


def _is_item(line: str) -> bool:
    return line[:2] == "- " or line.split(" ", 1)[0].rstrip(".").isdigit()


def _markdown(html: str, heading_level: int) -> str:
    writer = MarkdownWriter(heading_level)
    writer.feed(html)
    return writer.markdown()


def guide(language: str) -> str:
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation

    from kam.ui import help

    words = HEADINGS[language]
    with translation.override(language):
        intro = render_to_string("help/_intro.html")
        lines = [
            f"# {words['title']}",
            "",
            f"[{words['other']}]({words['other_file']})",
            "",
            _markdown(intro, 3),
            "",
            f"## {words['contents']}",
            "",
        ]
        for group, topics in help.grouped():
            lines.append(f"- {group.title}")
            for topic in topics:
                lines.append(f"  - [{topic.title}](#{topic.key})")
        for group, topics in help.grouped():
            lines += ["", f"## {group.title}"]
            for topic in topics:
                body = _markdown(render_to_string(topic.template), 4)
                url = reverse("ui:help_topic", args=[topic.key])
                lines += [
                    "",
                    f'<a id="{topic.key}"></a>',
                    "",
                    f"### {topic.title}",
                    "",
                    body,
                    "",
                    words["in_app"].format(url=url),
                ]
    return "\n".join(lines) + "\n"


def main() -> None:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
    import django

    django.setup()
    for language, suffix in LANGUAGES.items():
        path = REPO / "docs" / f"methodology.{suffix}.md"
        path.parent.mkdir(exist_ok=True)
        path.write_text(guide(language), encoding="utf-8")
        print(f"wrote {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
