from django.urls import path

from kam.ui import views

app_name = "ui"

urlpatterns = [
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("offline/", views.offline, name="offline"),
    path("help/", views.help_index, name="help_index"),
    path("help/<slug:topic>/", views.help_topic, name="help_topic"),
]
