from django.urls import path

from kam.performance import views

app_name = "performance"

urlpatterns = [
    path("", views.index, name="index"),
    path("reps/<id:pk>/", views.rep_page, name="rep"),
    path("efficiency/", views.efficiency, name="efficiency"),
    path("surveys/", views.surveys, name="surveys"),
    path("survey/<str:token>/", views.survey, name="survey"),
    path("accounts/<id:pk>/panel/", views.account_panel, name="account_panel"),
    path("export.xlsx", views.export, name="export"),
    path("settings/", views.scorecard_settings, name="settings"),
    path("settings/figures/", views.performance_settings, name="figures"),
]
