from django.urls import path

from kam.activities import views

app_name = "activities"

urlpatterns = [
    path("", views.activity_list, name="list"),
]
