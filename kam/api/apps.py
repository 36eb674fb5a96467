from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "kam.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        # Registers the schema extensions (the token header's name) with drf-spectacular.
        from kam.api import schema  # noqa: F401
