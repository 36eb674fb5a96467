"""A notification's words, kept as a message and its values and put into words when read.

One event may be read by a Chinese and an English colleague, and a person may change
their language after it was announced. So a notification stores no finished sentence
but a *phrase*: the message's source text (its msgid) with its values, as JSON::

    {"msg": "Invoice %(number)s of %(account)s is overdue",
     "args": {"number": "INV-7", "account": "华东电网"}}

and :func:`render` translates it in the language active where it is read: the reader's
on a page and in the API, the recipient's in an email or a group bot's message.

A value is data shown as it is (a name, an amount already grouped), a phrase (a
translated label inside a message), a day or a moment (written in the reader's format),
values joined into one, or, for a text another area has already put into words, that
text in every language KAM speaks. A row written before phrases keeps its text as it was
stored (``{"text": ...}``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext

#: A phrase or one of its values, as stored (JSON).
Phrase = dict[str, Any]


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
        return text % {name: _argument(arg) for name, arg in args.items()} if args else text
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
