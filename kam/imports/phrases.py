"""An import report's words, kept as a message and its values and put into words when read.

A report is read by whoever opens it, in their language, which need not be the language
of the upload. So a report stores no finished sentence but a *phrase*, as
:mod:`kam.notifications.phrases` does for a notification (the import is independent of
the notifications, so it keeps this small equivalent): the message's source text (its
msgid) with its values, as JSON::

    {"msg": "“%(value)s” is not a number.", "args": {"value": "约300人"}}

and :func:`render` translates it in the language active where it is read (the page, the
API, the error workbook). A value is data shown as it is (a cell's text), a phrase (a
label), values joined, or, for a refusal another area's services put into words, that
text in every language KAM speaks (``{"i18n": {...}}``). A report written before phrases
keeps its text as it was stored (a plain string).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext

#: A phrase or one of its values, as stored (JSON); a plain string from before phrases.
Phrase = dict[str, Any]

_PLACEHOLDER = re.compile(r"%%|%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]")


def msgid(text: str | Promise) -> str:
    """The source text of a lazily translated string (the string itself if it is not)."""
    if isinstance(text, Promise):
        with translation.override(None):
            return str(text)
    return text


def phrase(message: str | Promise, /, **args: object) -> Phrase:
    """``message`` (a ``gettext_lazy`` text, so the catalogues know it) with its values."""
    if not args:
        return {"msg": msgid(message)}
    return {"msg": msgid(message), "args": {name: encode(value) for name, value in args.items()}}


def label(text: str | Promise) -> Phrase:
    """A translatable label shown with a capital first letter (a field's verbose name)."""
    return {"msg": msgid(text), "cap": True}


def literal(text: str) -> Phrase:
    """A text shown as written, in every language."""
    return {"text": text}


def joined(values: Iterable[object], separator: str = "、") -> Phrase:
    return {"join": [encode(value) for value in values], "sep": separator}


def in_every_language(words: Callable[[], object]) -> Phrase:
    """A text put into words elsewhere, said once per language KAM speaks."""
    said = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            said[code] = str(words())
    return {"i18n": said}


def encode(value: object) -> object:
    """A value of a phrase as JSON: data stays as it is, translatable texts keep their
    source text."""
    if value is None or isinstance(value, bool | int | str | dict):
        return value
    if isinstance(value, Promise):
        return {"msg": msgid(value)}
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def _argument(value: object) -> object:
    """A value for the message's placeholder: numbers stay numbers (``%(count)d``)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return render(value)


def render(value: object) -> str:
    """The phrase (or value) in the active language."""
    if value is None:
        return ""
    if not isinstance(value, dict):
        return str(value)
    if "msg" in value:
        text = gettext(value["msg"])
        args = value.get("args")
        if args:
            text = text % {name: _argument(arg) for name, arg in args.items()}
        return capfirst(text) if value.get("cap") else text
    if "join" in value:
        return str(value.get("sep", "、")).join(render(part) for part in value["join"])
    if "i18n" in value:
        said = value["i18n"]
        language = translation.get_language() or settings.LANGUAGE_CODE
        return str(said.get(language) or said.get(settings.LANGUAGE_CODE) or "")
    if "text" in value:
        return str(value["text"])
    return ""


def _data(text: str) -> SafeString:
    return format_html("<span data-user-content>{}</span>", text)


def render_html(value: object, language: str = "") -> SafeString:
    """The phrase as HTML for a page: its values that come from the file (a cell, a
    header) marked as customer data, so a reader (and the browser audit) tells the
    file's words from KAM's. A text stored before phrases is marked with the language it
    was written in (``language``, the upload's)."""
    if not isinstance(value, dict):
        if value is None or value == "":
            return SafeString("")
        if language:
            return format_html('<span lang="{}">{}</span>', language, value)
        return _data(str(value))
    args = value.get("args")
    if "msg" in value and args:
        # The translated message, escaped, becomes the format of format_html, which
        # escapes the values it puts in: "%(value)s" turns into "{value}".
        template = str(conditional_escape(gettext(value["msg"])))
        template = template.replace("{", "{{").replace("}", "}}")
        template = _PLACEHOLDER.sub(lambda m: "%" if m[0] == "%%" else f"{{{m[1]}}}", template)
        return format_html(template, **{name: _html_argument(arg) for name, arg in args.items()})
    if "join" in value:
        return format_html_join(
            str(value.get("sep", "、")), "{}", ((render_html(part),) for part in value["join"])
        )
    return format_html("{}", render(value))


def _html_argument(value: object) -> object:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, dict):
        return render_html(value)
    return "" if value is None else _data(str(value))
