from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kam.core"
    label = "core"
    verbose_name = _("Users, teams and settings")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.urls import register_converter

        from kam.core import checks  # noqa: F401  (registers the database checks)
        from kam.core.middleware import mark_sign_in
        from kam.core.params import IdConverter

        register_converter(IdConverter, "id")

        user_logged_in.connect(mark_sign_in, dispatch_uid="kam.core.mark_sign_in")
