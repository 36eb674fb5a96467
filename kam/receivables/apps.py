from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceivablesConfig(AppConfig):
    name = "kam.receivables"
    label = "receivables"
    verbose_name = _("Receivables")

    def ready(self) -> None:
        from kam.accounts import selectors as account_selectors
        from kam.pipeline import services as pipeline_services
        from kam.receivables import selectors, services
        from kam.receivables.task_links import register_task_links

        pipeline_services.credit_warning.provide(services.credit_warning_on_move)
        account_selectors.receivables_facts.provide(selectors.qualification_facts)
        register_task_links()
