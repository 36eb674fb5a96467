"""One helper for every list page: whitelisted sorting and pagination."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


@dataclass(frozen=True)
class Listing:
    page: Page
    sort: str
    querystring: str  # the current filters without page, for pagination links

    @property
    def rows(self) -> Any:
        return self.page.object_list


def sort_listing(
    request: HttpRequest, queryset: QuerySet[Any], *, sorts: dict[str, str], default_sort: str
) -> tuple[str, QuerySet[Any]]:
    """The sort key in effect and ``queryset`` in that order (the list and its export agree)."""
    sort = request.GET.get("sort", default_sort)
    key = sort.lstrip("-")
    if key not in sorts:
        sort, key = default_sort, default_sort.lstrip("-")
    field = sorts[key]
    descending = sort.startswith("-")
    return sort, queryset.order_by(f"-{field}" if descending else field, "pk")


def paginate(
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    sorts: dict[str, str],
    default_sort: str,
    per_page: int = 50,
    keys_first: bool = False,
) -> Listing:
    """Sort ``queryset`` by a whitelisted key from ``?sort=`` and cut one page.

    ``keys_first`` cuts the page on primary keys alone, then reads those rows with
    their joins: for a list of hundreds of thousands of rows the database then sorts
    narrow keys instead of whole joined rows.
    """
    sort, ordered = sort_listing(request, queryset, sorts=sorts, default_sort=default_sort)
    paginator = Paginator(ordered, per_page)
    page = paginator.get_page(request.GET.get("page"))
    if keys_first:
        start = (page.number - 1) * per_page
        keys = list(ordered.values_list("pk", flat=True)[start : start + per_page])
        page.object_list = list(ordered.filter(pk__in=keys)) if keys else []
    params = request.GET.copy()
    params.pop("page", None)
    return Listing(page=page, sort=sort, querystring=params.urlencode())
