"""Words kept as a message and its values, put into words when read (a *phrase*).

A notification, an import report or any other stored text may be read by a Chinese and an
English colleague, and a person may change their language after it was written. So such a
text is stored not as a finished sentence but as a phrase: the message's source text (its
msgid) with its values, as JSON::

    {"msg": "Invoice %(number)s of %(account)s is overdue",
     "args": {"number": "INV-7", "account": "华东电网"}}

and :func:`render` translates it in the language active where it is read: the reader's on a
page and in the API, the recipient's in an email or a group bot's message;
:func:`render_html` does the same for a page, marking the values that are data.

A value is data shown as it is (a name, a cell's text, an amount already grouped), a phrase
(a translated label inside a message), a day or a moment (written in the reader's format),
values joined into one, or, for a text another area has already put into words, that text
in every language KAM speaks. A row written before phrases keeps its text as it was stored
(``{"text": ...}``, or a plain string).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext

#: A phrase or one of its values, as stored (JSON).
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
    """A text shown as written, in every language (data, or a text stored before phrases)."""
    return {"text": text}


def joined(values: Iterable[object], separator: str = "、") -> Phrase:
    return {"join": [encode(value) for value in values], "sep": separator}


def calendar_day(value: date, format_name: str = "DATE_FORMAT") -> Phrase:
    return {"date": value.isoformat(), "format": format_name}


def moment(value: datetime, format_name: str = "SHORT_DATETIME_FORMAT") -> Phrase:
    return {"datetime": value.isoformat(), "format": format_name}


def in_every_language(words: Callable[[], object]) -> Phrase:
    """A text another area puts into words (a rule's verdict), said once per language."""
    said = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            said[code] = str(words())
    return {"i18n": said}


def encode(value: object) -> object:
    """A value of a phrase as JSON: data stays as it is, translatable texts keep their
    source text. A text of another area translated when read (a red flag's ``Text`` with
    its ``template`` and ``params``, labels joined through ``labels``) keeps its parts."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, dict):
        return value  # a phrase already
    if isinstance(value, Promise):
        return {"msg": msgid(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return moment(value)
    if isinstance(value, date):
        return calendar_day(value)
    template, params = getattr(value, "template", None), getattr(value, "params", None)
    if template is not None:
        return phrase(template, **dict(params or {}))
    labels = getattr(value, "labels", None)
    if labels is not None:
        return joined(labels)
    return str(value)


def _argument(value: object) -> object:
    """A value for the message's placeholder: numbers stay numbers (``%(days)d``)."""
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
    if "text" in value:
        return str(value["text"])
    if "join" in value:
        return str(value.get("sep", "、")).join(render(part) for part in value["join"])
    if "date" in value:
        return date_format(date.fromisoformat(value["date"]), value.get("format", "DATE_FORMAT"))
    if "datetime" in value:
        when = timezone.localtime(datetime.fromisoformat(value["datetime"]))
        return date_format(when, value.get("format", "SHORT_DATETIME_FORMAT"))
    if "i18n" in value:
        said = value["i18n"]
        language = translation.get_language() or settings.LANGUAGE_CODE
        return str(said.get(language) or said.get(settings.LANGUAGE_CODE) or "")
    return ""


def _data(text: str) -> SafeString:
    return format_html("<span data-user-content>{}</span>", text)


def render_html(value: object, language: str = "") -> SafeString:
    """The phrase as HTML for a page: its values that are data (a name, a file's cell or
    header) marked as customer data, so a reader (and the browser audit) tells them from
    KAM's words. A text stored before phrases is marked with the language it was written
    in (``language``)."""
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
