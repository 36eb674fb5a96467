from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    name = "kam.performance"
    label = "performance"
    verbose_name = _("Team performance")

    def ready(self) -> None:
        from kam.accounts import selectors as account_selectors
        from kam.performance import selectors
        from kam.stakeholders import red_flags

        account_selectors.surveyed_openness.provide(selectors.openness_from_surveys)
        red_flags.falling_loyalty.provide(selectors.falling_loyalty)
