"""API permissions: the same rules as the UI."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request


class IsKamAdminOrReadOnly(BasePermission):
    """Anyone signed in reads (what visibility allows); administrators write."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        return request.method in SAFE_METHODS or bool(getattr(user, "is_kam_admin", False))


class ApiDocsAccess(BasePermission):
    """The schema and the interactive docs: public when ``KAM_API_DOCS_PUBLIC`` says so
    (the default outside production), else for people signed in. The schema names every
    endpoint and field, which a production instance need not tell strangers."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if settings.KAM_API_DOCS_PUBLIC:
            return True
        return bool(request.user and request.user.is_authenticated)
