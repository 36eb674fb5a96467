from django.urls import path

from kam.ui import views

app_name = "ui"

urlpatterns = [
    path("", views.reports, name="reports"),
]
