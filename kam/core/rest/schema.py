"""Schema helpers for drf-spectacular."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema


class ReportSchema(AutoSchema):
    """For viewsets whose ``list`` answers one report object, not a list of records.

    drf-spectacular documents every ``list`` action as an array; a report (forecast,
    funnel, aging) is one object computed for the query.
    """

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False
