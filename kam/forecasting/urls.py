from django.urls import path

from kam.forecasting import views

app_name = "forecasting"

urlpatterns = [
    path("", views.index, name="index"),
]
