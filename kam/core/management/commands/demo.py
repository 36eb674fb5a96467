"""``kam demo``: load the demo tenant into an empty database."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kam.core import demo


class Command(BaseCommand):
    help = "Load KAM's deterministic demo data (teams, users, accounts, deals, activities)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and succeed) when the database already has users.",
        )
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="Build the data as if today were this date (YYYY-MM-DD); for reproducible runs.",
        )
        parser.add_argument("--seed", type=int, default=demo.SEED)
        parser.add_argument(
            "--scale",
            choices=["standard", "large", "smoke"],
            default="standard",
            help="standard: the demo tenant; large: the benchmark tenant (200 reps, "
            "200,000 opportunities, 1,000,000 activities, ...); smoke: a small tenant of the "
            "large tenant's shape, for the benchmark smoke run.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if demo.has_data():
            if options["if_empty"]:
                self.stdout.write("Demo data: the database already has data; left as it is.")
                if demo.has_demo_logins():
                    self.print_logins()
                return
            raise CommandError(
                "The database already has data; the demo loads only into an empty database. "
                "Point KAM_DATABASE_URL (or KAM_HOME) at a new one."
            )
        today = options["today"] or timezone.localdate()
        if options["scale"] != "standard":
            from kam.core import demo_large

            size = demo_large.LARGE if options["scale"] == "large" else demo_large.SMOKE
            demo_large.build_large(
                today=today,
                size=size,
                seed=options["seed"],
                log=lambda line: self.stdout.write(f"  {line}", ending="\n"),
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"{options['scale'].capitalize()} tenant loaded. Sign in as director, "
                    f"manager01 or rep001 (password {demo.DEMO_PASSWORD})."
                )
            )
            return
        demo.build(
            today=today, seed=options["seed"], log=lambda line: self.stdout.write(f"  {line}")
        )
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.print_logins()

    def print_logins(self) -> None:
        self.stdout.write(f"Demo sign-ins (password for all: {demo.DEMO_PASSWORD}):")
        for username, what in demo.DEMO_LOGINS:
            self.stdout.write(f"  {username:<10} {what}")
