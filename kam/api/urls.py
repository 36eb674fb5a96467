"""REST API under /api/v1/: each app's ``api.py`` lists its routes in ``ROUTES``."""

from importlib import import_module

from django.conf import settings
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from kam.api.auth import ApiTokenViewSet, ObtainTokenView
from kam.core.rest.permissions import ApiDocsAccess

router = DefaultRouter()
router.register("auth/tokens", ApiTokenViewSet, basename="api_tokens")
for app in settings.INSTALLED_APPS:
    if not app.startswith("kam."):
        continue
    try:
        module = import_module(f"{app}.api")
    except ModuleNotFoundError as exc:
        if exc.name != f"{app}.api":
            raise
        continue
    for prefix, viewset, basename in getattr(module, "ROUTES", []):
        router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api_token"),
    path(
        "schema/", SpectacularAPIView.as_view(permission_classes=[ApiDocsAccess]), name="api_schema"
    ),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api_schema", permission_classes=[ApiDocsAccess]
        ),
        name="api_docs",
    ),
    path("", include(router.urls)),
]
