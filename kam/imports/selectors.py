"""Reading imports: each person sees their own uploads; administrators see all of them."""

from __future__ import annotations

from django.db.models import QuerySet

from kam.core.models import User
from kam.imports.models import ImportBatch


def visible_batches(user: User) -> QuerySet[ImportBatch]:
    """The uploads ``user`` may read: their own (the report shows their file's rows)."""
    if not user.is_authenticated or not user.is_active:
        return ImportBatch.objects.none()
    batches = ImportBatch.objects.select_related("created_by").defer("content")
    if user.is_kam_admin:
        return batches
    return batches.filter(created_by=user)
