from django.urls import path

from kam.pipeline import views

app_name = "pipeline"

urlpatterns = [
    path("", views.opportunity_list, name="list"),
]
