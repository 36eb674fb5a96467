from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PipelineConfig(AppConfig):
    name = "kam.pipeline"
    label = "pipeline"
    verbose_name = _("Opportunities")

    def ready(self) -> None:
        from kam.accounts import services as account_services
        from kam.pipeline import services

        account_services.open_opportunity.provide(services.create_opportunity)
