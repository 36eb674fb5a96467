"""A column of an import template: its key, its bilingual header, how its cells read."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kam.core.phrases import joined
from kam.imports.cells import CellError, clean_text, half_width, header_key


@dataclass(frozen=True, eq=False)
class Column:
    key: str
    label: Promise | str
    parse: Callable[[Any], Any] = clean_text
    required: bool = False
    help: Promise | str = ""
    example: Any = ""
    aliases: tuple[str, ...] = field(default=())

    def label_in(self, language: str) -> str:
        with translation.override(language):
            return str(self.label)

    def header(self) -> str:
        """The template's header: Chinese first, then English, e.g. “客户名称 / Account name”."""
        zh, en = self.label_in("zh-hans"), self.label_in("en")
        return zh if zh == en else f"{zh} / {en}"

    def header_keys(self) -> set[str]:
        """Every way the header may be written: either language, both, the key, the aliases."""
        zh, en = self.label_in("zh-hans"), self.label_in("en")
        texts = [zh, en, f"{zh}/{en}", f"{en}/{zh}", self.key, *self.aliases]
        return {header_key(text) for text in texts}


def text(max_length: int) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        cleaned = clean_text(value)
        if len(cleaned) > max_length:
            raise CellError(
                _("At most %(count)s characters; this has %(length)s."),
                count=max_length,
                length=len(cleaned),
            )
        return cleaned

    return parse


def text_of(model: Any, field_name: str) -> Callable[[Any], str]:
    """A text cell bounded by its model field's own ``max_length``, so the file is checked
    row by row against the same limit the pages and the API apply."""
    return text(model._meta.get_field(field_name).max_length)


def code(value: Any) -> str:
    """An identifier typed by people (a number, a bank reference): half-width, no spaces."""
    return half_width(clean_text(value)).replace(" ", "")


def choice(options: Callable[[], Iterable[tuple[str, Promise | str]]]) -> Callable[[Any], str]:
    """A value of a fixed list, written as its key or its label in either language."""

    known: dict[str, str] = {}

    def parse(value: Any) -> str:
        if not known:
            for key, label in options():
                known.setdefault(header_key(key), key)
                for language in ("zh-hans", "en"):
                    with translation.override(language):
                        known.setdefault(header_key(str(label)), key)
        wanted = header_key(value)
        if wanted in known:
            return known[wanted]
        raise CellError(
            _("“%(value)s” is not on the list: %(options)s."),
            value=clean_text(value),
            options=joined(label for _key, label in options()),
        )

    return parse
