from django.urls import path

from kam.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("badge/", views.badge, name="badge"),
    path("<id:pk>/read/", views.mark_read, name="read"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/bots/new/", views.endpoint_edit, name="endpoint_create"),
    path("settings/bots/<id:pk>/", views.endpoint_edit, name="endpoint_edit"),
    path("settings/bots/<id:pk>/delete/", views.endpoint_delete, name="endpoint_delete"),
    path("settings/retry/", views.retry_failed, name="retry_failed"),
    path("settings/bots/<id:pk>/test/", views.send_test, name="endpoint_test"),
    path("settings/email/test/", views.send_test, name="email_test"),
]
