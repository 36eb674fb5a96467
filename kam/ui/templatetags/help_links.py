"""``{% help_link "minefields" %}``: the ``?`` beside a concept, opening its help page.

Loaded as a built-in (``TEMPLATES`` in ``kam.settings``), so a template adds the tag and
nothing else. A key written in the template is checked when the template is compiled:
a misspelt topic fails every test that renders the page, not a reader's click. A key
from a variable is checked when rendered (an error while debugging, no link otherwise).
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.template.base import FilterExpression, Parser, Token
from django.template.context import Context
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString

from kam.ui import help

register = template.Library()


def render_link(key: str) -> SafeString:
    """The link of topic ``key``; :class:`~kam.ui.help.UnknownTopic` when it has no page."""
    topic = help.topic(key)
    return render_to_string(
        "help/_link.html",
        {"topic": topic, "url": reverse("ui:help_topic", args=[topic.key])},
    )


class HelpLinkNode(template.Node):
    def __init__(self, key: FilterExpression) -> None:
        self.key = key

    def render(self, context: Context) -> str:
        key = str(self.key.resolve(context))
        try:
            return render_link(key)
        except help.UnknownTopic:
            if settings.DEBUG:
                raise
            return ""


@register.tag("help_link")
def help_link(parser: Parser, token: Token) -> HelpLinkNode:
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one argument: the topic's key")
    literal = bits[1]
    if literal[:1] == literal[-1:] and literal[:1] in ("'", '"'):
        key = literal[1:-1]
        if key not in help.TOPICS:
            raise template.TemplateSyntaxError(
                f"{{% help_link {literal} %}}: no such help topic; "
                f"the topics are: {', '.join(help.TOPICS)}."
            )
    return HelpLinkNode(parser.compile_filter(literal))
