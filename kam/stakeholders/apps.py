from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StakeholdersConfig(AppConfig):
    name = "kam.stakeholders"
    label = "stakeholders"
    verbose_name = _("Decision chain")

    def ready(self) -> None:
        from kam.pipeline import cards
        from kam.stakeholders import board

        cards.red_flag_counts.provide(board.red_flag_counts)
