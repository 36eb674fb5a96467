"""``kam snapshot [--week YYYY-MM-DD] [--rebuild-totals]``: the weekly pipeline snapshot (§5.2)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kam.forecasting import services


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"“{value}” is not a date; write YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Record every open opportunity's stage, amount, close date and weighted value at the "
        "end of a week (default: the last completed week). Running it twice records nothing twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--week", type=_day, help="any day of the week, YYYY-MM-DD")
        parser.add_argument(
            "--rebuild-totals",
            action="store_true",
            help="instead, link every recorded week to the week before and rewrite its totals",
        )

    def handle(
        self, *args: Any, week: date | None = None, rebuild_totals: bool = False, **options: Any
    ) -> None:
        if rebuild_totals:
            weeks = services.rebuild_snapshot_totals()
            self.stdout.write(f"{weeks} weeks linked and totalled")
            return
        day = week or services.last_completed_week().sunday
        try:
            marker, created = services.take_snapshot(day)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if created:
            recorded = marker.opportunities
            self.stdout.write(f"week of {marker.week}: {recorded} opportunities recorded")
        else:
            self.stdout.write(f"week of {marker.week} was already recorded; nothing added")
