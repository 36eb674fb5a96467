"""``kam train_odds``: learn each open deal's win probability from closed history."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kam.forecasting import services


class Command(BaseCommand):
    help = (
        "Train the win-probability model on closed deals, report its held-out accuracy "
        "against the configured and learned stage rates, and score every open deal."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--months", type=int, default=services.TRAINING_MONTHS)

    def handle(self, *args: Any, months: int, **options: Any) -> None:
        try:
            model = services.train_win_model(months=months)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"learned from {model.examples} examples; held-out Brier score:")
        for method in ("configured", "learned", "model"):
            brier = model.accuracy[method]["brier"]
            shown = "–" if brier is None else f"{brier:.4f}"
            self.stdout.write(f"  {method}: {shown}")
