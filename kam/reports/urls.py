from django.urls import path

from kam.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("dashboard/<slug:name>/", views.dashboard_panel, name="panel"),
    path("forecast/", views.forecast, name="forecast"),
    path("win-loss/", views.win_loss, name="win_loss"),
    path("win-loss/deals/", views.win_loss_deals, name="win_loss_deals"),
    path("win-loss/export.xlsx", views.win_loss_export, name="win_loss_export"),
    path("activities/", views.activities, name="activities"),
    path("activities/export.xlsx", views.activities_export, name="activities_export"),
    path("export/<slug:name>.xlsx", views.export, name="export"),
]
