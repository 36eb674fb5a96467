"""Schema helpers for drf-spectacular."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_bearer_security_scheme_object


class ReportSchema(AutoSchema):
    """For viewsets whose ``list`` answers one report object, not a list of records.

    drf-spectacular documents every ``list`` action as an array; a report (forecast,
    funnel, aging) is one object computed for the query.
    """

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


class TokenScheme(OpenApiAuthenticationExtension):
    """knox's token header, under the name the schema always gave it (``tokenAuth``):
    clients generated from the schema keep working. drf-spectacular's own extension for
    knox would rename it ``knoxApiToken``."""

    target_class = "knox.auth.TokenAuthentication"
    name = "tokenAuth"
    priority = 1

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix=self.target.authenticate_header(None),
        )
