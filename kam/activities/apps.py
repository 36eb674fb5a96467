from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "kam.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from kam.activities import board, selectors
        from kam.pipeline import cards
        from kam.stakeholders import red_flags

        red_flags.visit_facts.provide(selectors.visit_facts)
        cards.next_activities.provide(board.next_activities)
