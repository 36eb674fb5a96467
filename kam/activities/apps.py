from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "kam.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from kam.accounts import selectors as account_selectors
        from kam.activities import account_facts, board, selectors
        from kam.pipeline import cards
        from kam.stakeholders import red_flags

        red_flags.visit_facts.provide(selectors.visit_facts)
        red_flags.people_met.provide(selectors.people_met)
        cards.next_activities.provide(board.next_activities)
        account_selectors.recent_activities.provide(account_facts.recent_activities)
        account_selectors.segment_spend.provide(account_facts.segment_spend)
        account_selectors.account_spend.provide(account_facts.account_spend)
