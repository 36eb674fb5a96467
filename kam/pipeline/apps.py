from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PipelineConfig(AppConfig):
    name = "kam.pipeline"
    label = "pipeline"
    verbose_name = _("Opportunities")

    def ready(self) -> None:
        from kam.accounts import selectors as account_selectors
        from kam.accounts import services as account_services
        from kam.pipeline import account_facts, services

        account_services.open_opportunity.provide(services.create_opportunity)
        account_selectors.open_deal_figures.provide(account_facts.open_deal_figures)
        account_selectors.sales_records.provide(account_facts.sales_records)
        account_selectors.sales_by_year.provide(account_facts.sales_by_year)
