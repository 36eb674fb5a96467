"""System checks of the deployment that need the database (``kam check --database default``)."""

from __future__ import annotations

from typing import Any

from django.core.checks import Tags, Warning, register

from kam.core.services.statistics import autovacuum_is_off


@register(Tags.database)
def autovacuum_check(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[Any]:
    if not databases or "default" not in databases:
        return []
    if autovacuum_is_off():
        return [
            Warning(
                "PostgreSQL's autovacuum is off.",
                hint=(
                    "KAM's pages read covering indexes and the planner's statistics, which "
                    "autovacuum keeps current; turn it on (autovacuum = on, the default) or "
                    "run 'VACUUM (ANALYZE)' regularly."
                ),
                id="kam.W001",
            )
        ]
    return []
