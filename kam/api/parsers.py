"""The API's JSON parser: a bounded body, bounded nesting, then DRF's own parsing.

DRF's ``JSONParser`` reads the whole body whatever its size (it reads the request stream,
which Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` does not guard) and hands it to ``json``,
whose decoder recurses once per level: a body nested a thousand levels deep raises
``RecursionError``, a server error. No library bounds both, so this parser checks the
size while reading and the depth before decoding, and answers 400 with a message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from io import BytesIO
from itertools import accumulate
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# The deepest nesting of arrays and objects a body may have; KAM's own bodies use three.
MAX_JSON_DEPTH = 32

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(rb"[^\[\]{}]")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text (brackets inside strings
    do not count). Linear, and done by regular expressions rather than recursion."""
    brackets = _NOT_A_BRACKET.sub(b"", _STRING.sub(b"", body))
    return max(accumulate(_STEP[b] for b in brackets), default=0)


class BoundedJSONParser(JSONParser):
    """``JSONParser`` that refuses a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes or
    nested more than ``MAX_JSON_DEPTH`` levels, with a 400 that says which limit."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise ParseError(
                _("The request body is larger than %(size)s MB.")
                % {"size": round(limit / 1024 / 1024, 1)}
            )
        if json_depth(body) > MAX_JSON_DEPTH:
            raise ParseError(
                _("The JSON is nested more than %(depth)s levels deep.") % {"depth": MAX_JSON_DEPTH}
            )
        return super().parse(BytesIO(body), media_type, parser_context)
