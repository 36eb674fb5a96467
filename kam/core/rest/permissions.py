"""API permissions: the same rules as the UI."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request


class IsKamAdminOrReadOnly(BasePermission):
    """Anyone signed in reads (what visibility allows); administrators write."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        return request.method in SAFE_METHODS or bool(getattr(user, "is_kam_admin", False))
