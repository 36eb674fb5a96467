"""``kam analyze``: gather the database planner's statistics now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection

from kam.core.services.statistics import gather_planner_statistics


class Command(BaseCommand):
    help = (
        "Gather the database planner's statistics (ANALYZE), as the weekly snapshot job "
        "does; run it after a large import."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        seconds = gather_planner_statistics()
        self.stdout.write(f"ANALYZE on {connection.vendor}: {seconds:.1f} s")
