"""One pagination style for the whole API: ``?page=`` and ``?page_size=`` (≤ 500)."""

from rest_framework.pagination import PageNumberPagination


class KamPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
