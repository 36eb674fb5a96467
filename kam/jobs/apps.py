from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "kam.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        # Every area's jobs register how they are retried and named when their module
        # is imported; import them all, so the web process knows them as the worker does.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("tasks")
