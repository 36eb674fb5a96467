"""The URL map: one include per area, so each app owns its own routes."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from kam.core import health
from kam.core import views as core_views
from kam.reports import views as report_views

handler400 = "kam.core.errors.bad_request"
handler403 = "kam.core.errors.permission_denied"
handler404 = "kam.core.errors.not_found"
handler500 = "kam.core.errors.server_error"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", report_views.dashboard, name="home"),
    path("login/", core_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", core_views.switch_language, name="switch_language"),
    path("", include("kam.core.urls")),
    path("", include("kam.ui.urls")),
    path("settings/jobs/", include("kam.jobs.urls")),
    path("accounts/", include("kam.accounts.urls")),
    path("people/", include("kam.stakeholders.urls")),
    path("opportunities/", include("kam.pipeline.urls")),
    path("activities/", include("kam.activities.urls")),
    path("tasks/", include("kam.activities.todos.urls")),
    path("coach/", include("kam.coach.urls")),
    path("forecast/", include("kam.forecasting.urls")),
    path("receivables/", include("kam.receivables.urls")),
    path("performance/", include("kam.performance.urls")),
    path("reports/", include("kam.reports.urls")),
    path("notifications/", include("kam.notifications.urls")),
    path("imports/", include("kam.imports.urls")),
    path("api/v1/", include("kam.api.urls")),
]
