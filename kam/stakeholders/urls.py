from django.urls import path

from kam.stakeholders import views

app_name = "stakeholders"

urlpatterns = [
    path("", views.contact_list, name="list"),
]
